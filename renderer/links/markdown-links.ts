// Note links in Markdown files. Export writes a link as a relative Markdown link to the linked
// note's exported file ([Title](../Work/Plan.md)), or as its title alone when that note is not
// exported; import turns a relative link to another imported file back into a note link.

import type { JSONContent } from '@tiptap/core'

const NOTE_LINK = 'noteLink'

/** The '/'-separated path from the folder of `from` to the file `to` (both relative to the export's root). */
export function relativeHref(from: string, to: string): string {
  const fromDirs = from.split('/').slice(0, -1)
  const toParts = to.split('/')
  let common = 0
  while (common < fromDirs.length && common < toParts.length - 1 && fromDirs[common] === toParts[common]) common++
  const up = fromDirs.slice(common).map(() => '..')
  return [...up, ...toParts.slice(common)].map((part) => (part === '..' ? part : encodeURIComponent(part))).join('/')
}

/** A link to a file relative to the one it is in: no scheme, not absolute, not a fragment. */
const isRelativeHref = (href: string): boolean => !/^[a-z][a-z0-9+.-]*:/i.test(href) && !href.startsWith('/') && !href.startsWith('#') && href !== ''

/** Where `href` (as written in the file at `from`) points, relative to the root; null for anything not a relative file link. */
export function resolveHref(from: string, href: string): string | null {
  if (!isRelativeHref(href)) return null
  let path: string
  try {
    path = decodeURIComponent(href.split('#')[0]!.split('?')[0]!)
  } catch {
    return null
  }
  const parts = from.split('/').slice(0, -1)
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') {
      if (parts.length === 0) return null
      parts.pop()
    } else parts.push(part)
  }
  return parts.join('/')
}

const mapInline = (doc: JSONContent, change: (node: JSONContent) => JSONContent[] | null): JSONContent => {
  const visit = (node: JSONContent): JSONContent => (node.content ? { ...node, content: node.content.flatMap((child) => change(child) ?? [visit(child)]) } : node)
  return visit(doc)
}

/**
 * For export: each note link becomes its target's title, linked to `hrefOf(id)` when that note
 * has a file in the export (null: the title alone).
 */
export function noteLinksToMarkdownLinks(doc: JSONContent, titleOf: (id: string) => string, hrefOf: (id: string) => string | null): JSONContent {
  return mapInline(doc, (node) => {
    if (node.type !== NOTE_LINK) return null
    const id = typeof node.attrs?.id === 'string' ? node.attrs.id : ''
    const href = hrefOf(id)
    return [{ type: 'text', text: titleOf(id), ...(href !== null ? { marks: [{ type: 'link', attrs: { href } }] } : {}) }]
  })
}

/** True when `doc` holds a link that could be relative (import checks only these twice). */
export function hasRelativeLinks(doc: JSONContent): boolean {
  let found = false
  mapInline(doc, (node) => {
    if (node.marks?.some((m) => m.type === 'link' && typeof m.attrs?.href === 'string' && isRelativeHref(m.attrs.href))) found = true
    return null
  })
  return found
}

/** For import: text linked to another imported file (`noteAt(path)`: its note id) becomes a note link to it. */
export function markdownLinksToNoteLinks(doc: JSONContent, from: string, noteAt: (path: string) => string | undefined): JSONContent {
  return mapInline(doc, (node) => {
    const link = node.marks?.find((m) => m.type === 'link')
    const href = typeof link?.attrs?.href === 'string' ? link.attrs.href : null
    if (node.type !== 'text' || href === null || typeof link?.attrs?.image === 'string') return null
    const path = resolveHref(from, href)
    const id = path === null ? undefined : noteAt(path)
    return id === undefined ? null : [{ type: NOTE_LINK, attrs: { id } }]
  })
}
