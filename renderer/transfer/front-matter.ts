// A Markdown file's leading front matter (`---` … `---`), read just far enough for import: the
// title and the tags; and written by export with the note's title and tags, so a note comes back
// from its file with the title it had (which need not be its first heading). Obsidian, Jekyll, Hugo and friends write tags as `tags: [a, b]`, as a block
// list (`tags:` then `- a` lines) or as `tags: a, b`; a full YAML parser would be a large
// dependency for three keys. Anything else in the block is ignored.

export interface FrontMatter {
  readonly title: string | null
  readonly tags: string[]
  /** The Markdown after the front matter. */
  readonly body: string
}

const BLOCK = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/

/** Strips quotes from a YAML scalar: "a \"b\"" (JSON-like) or 'it''s'. */
function scalar(raw: string): string {
  const value = raw.trim()
  if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
    try {
      return String(JSON.parse(value))
    } catch {
      return value.slice(1, -1)
    }
  }
  if (value.startsWith("'") && value.endsWith("'") && value.length >= 2) return value.slice(1, -1).replace(/''/g, "'")
  return value.replace(/\s+#.*$/, '') // a trailing comment
}

/** `[a, "b, c"]` or `a, b`: splits on commas outside quotes. */
function inlineList(raw: string): string[] {
  const inner = raw.trim().replace(/^\[/, '').replace(/\]$/, '')
  return [...inner.matchAll(/\s*("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,]+)\s*(?:,|$)/g)].map((m) => scalar(m[1]!))
}

const cleanTags = (tags: string[]): string[] => [...new Set(tags.map((t) => t.replace(/^#/, '').trim()).filter((t) => t !== ''))]

export function parseFrontMatter(text: string): FrontMatter {
  const match = BLOCK.exec(text)
  if (!match) return { title: null, tags: [], body: text.replace(/^\uFEFF/, '') }
  const lines = match[1]!.split(/\r?\n/)
  let title: string | null = null
  const tags: string[] = []
  for (let i = 0; i < lines.length; i++) {
    const entry = /^(\w[\w-]*)\s*:\s*(.*)$/.exec(lines[i]!)
    if (!entry) continue
    const key = entry[1]!.toLowerCase()
    const value = entry[2]!.trim()
    if (key === 'title' && value !== '') title = scalar(value)
    if (key !== 'tags' && key !== 'tag') continue
    if (value !== '') tags.push(...inlineList(value))
    // A block list: the following indented (or flush) `- item` lines.
    while (i + 1 < lines.length && /^\s*-\s+/.test(lines[i + 1]!)) tags.push(scalar(lines[++i]!.replace(/^\s*-\s+/, '')))
  }
  return { title: title || null, tags: cleanTags(tags), body: text.slice(match[0].length) }
}

/** A YAML scalar for `value`: bare when that reads back the same, else double-quoted (JSON). */
function yamlScalar(value: string): string {
  return /^[\p{L}\p{N}_][\p{L}\p{N}_ ./-]*$/u.test(value) && value.trim() === value ? value : JSON.stringify(value)
}

/** Front matter holding the note's `title` and `tags` (either left out when empty), or '' when both are. */
export function formatFrontMatter(title: string, tags: readonly string[]): string {
  const lines = [...(title.trim() !== '' ? [`title: ${yamlScalar(title)}`] : []), ...(tags.length > 0 ? [`tags: [${tags.map(yamlScalar).join(', ')}]`] : [])]
  return lines.length === 0 ? '' : `---\n${lines.join('\n')}\n---\n\n`
}
