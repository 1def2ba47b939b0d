// Markdown ↔ the editor's document (ProseMirror JSON), with prosemirror-markdown (markdown-it
// to parse, its serializer to write) mapped onto TipTap's node and mark names. Pure: no DOM, no
// Y.Doc, so the round trip is tested in Node.
//
// What the schema cannot hold is kept visibly rather than lost: an image becomes a link (its alt
// text, marked with the image's source) that export writes back as the image, a linked image (a
// badge) keeps both its link and its source the same way, and raw HTML stays literal text, except
// an HTML table in the form export writes (markdown-table.ts). A node without a Markdown form is
// written as HTML (html.ts), so a new kind of node is never dropped by export.
//
// Beyond CommonMark: GFM strikethrough, tables and task lists, and `==highlight==`.

import type { JSONContent } from '@tiptap/core'
import type { Mark as PMMark, Node as PMNode } from '@tiptap/pm/model'
import MarkdownIt from 'markdown-it'
import { MarkdownParser, MarkdownSerializer, defaultMarkdownSerializer, type MarkdownSerializerState } from 'prosemirror-markdown'
import markPlugin from 'markdown-it-mark'
import { nodeToHtml } from './html'
import { cellParagraphs, htmlTables, taskLists } from './markdown-it-rules'
import { tableMarkdown } from './markdown-table'
import { noteSchema } from './schema'

type Token = ReturnType<MarkdownIt['parse']>[number]
type MarkOpen = (state: MarkdownSerializerState, mark: PMMark, parent: PMNode, index: number) => string

/**
 * The code block language that marked an imported table before the editor had tables. Notes
 * imported then still hold such blocks; export writes them back as the table they were.
 */
export const TABLE_LANGUAGE = 'markdown-table'

/** The text an image is shown as: its alt text, else its file name. */
function imageText(token: Token): string {
  const alt = token.content.trim()
  if (alt !== '') return alt
  const src = token.attrGet('src') ?? ''
  return decodeURIComponentSafe(src.split(/[?#]/)[0]!.split('/').pop() ?? '') || 'image'
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * A markdown-it core rule: each image becomes a link marked `data-image` (the schema has no image
 * node). A link whose only content is an image (a badge) keeps its own href and gets the image's
 * source; an image among other text inside a link splits that link around it, since links cannot
 * nest. Nothing of either URL is lost.
 */
function imagesAsLinks(md: MarkdownIt): void {
  md.core.ruler.push('skein_images', (state) => {
    for (const block of state.tokens) {
      if (block.type !== 'inline' || !block.children?.some((t) => t.type === 'image')) continue
      const tokens = block.children
      const out: Token[] = []
      let open: Token | null = null
      const link = (type: 'link_open' | 'link_close', attrs: [string, string][] | null = null): Token => {
        const token = new state.Token(type, 'a', type === 'link_open' ? 1 : -1)
        token.attrs = attrs
        return token
      }
      for (let i = 0; i < tokens.length; i++) {
        const token = tokens[i]!
        if (token.type === 'link_open') open = token
        if (token.type === 'link_close') open = null
        if (token.type !== 'image') {
          out.push(token)
          continue
        }
        const src = token.attrGet('src') ?? ''
        const text = new state.Token('text', '', 0)
        text.content = imageText(token)
        if (open && tokens[i - 1] === open && tokens[i + 1]?.type === 'link_close') {
          open.attrSet('data-image', src) // a badge: [![alt](src)](href)
          out.push(text)
          continue
        }
        // Several images and nothing else in one link ([![a](1)![b](2)](href)): a badge each, all
        // to the link's href; export writes them back as one link (see the link mark below).
        const end = open ? tokens.indexOf(tokens.slice(i).find((t) => t.type === 'link_close')!, i) : -1
        if (open && end > i && tokens.slice(tokens.indexOf(open, 0) + 1, end).every((t) => t.type === 'image')) {
          const first = out.at(-1) === open
          if (first) out.pop() // each image carries the link itself
          const title = open.attrGet('title')
          const attrs: [string, string][] = [['href', open.attrGet('href') ?? ''], ['data-image', src], ...(title ? [['title', title] as [string, string]] : []), ...(first ? [] : [['data-image-join', 'true'] as [string, string]])]
          out.push(link('link_open', attrs), text, link('link_close'))
          // The link's own close token follows the last image: give it an (empty) link to close.
          if (tokens[i + 1]?.type === 'link_close') out.push(link('link_open', [['href', open.attrGet('href') ?? '']]))
          continue
        }
        if (open) out.push(link('link_close'))
        const title = token.attrGet('title')
        out.push(link('link_open', [['href', src], ['data-image', src], ...(title ? [['title', title] as [string, string]] : [])]), text, link('link_close'))
        if (open) {
          const reopened = link('link_open', open.attrs?.map(([k, v]) => [k, v] as [string, string]) ?? null)
          out.push(reopened)
          open = reopened
        }
      }
      block.children = out
    }
  })
}

/** How many images a document keeps as links (for the import summary). */
export function imagesKeptAsLinks(doc: JSONContent): number {
  let count = 0
  const visit = (node: JSONContent): void => {
    if (node.marks?.some((m) => m.type === 'link' && typeof m.attrs?.image === 'string')) count++
    for (const child of node.content ?? []) visit(child)
  }
  visit(doc)
  return count
}

/** A cell's spans and GFM alignment (markdown-it writes `style="text-align:center"`). */
function cellAttrs(tok: Token): Record<string, unknown> {
  return {
    colspan: Number(tok.attrGet('colspan') ?? 1) || 1,
    rowspan: Number(tok.attrGet('rowspan') ?? 1) || 1,
    align: /text-align:\s*(left|center|right)/.exec(tok.attrGet('style') ?? '')?.[1] ?? null,
  }
}

let parser: MarkdownParser | null = null

function markdownParser(): MarkdownParser {
  if (parser) return parser
  // CommonMark plus GFM strikethrough, tables and task lists, and ==highlight==; no raw HTML: it is text.
  const tokenizer = MarkdownIt('commonmark', { html: false })
    .enable(['strikethrough', 'table'])
    .use(markPlugin)
    .use(htmlTables)
    .use(taskLists)
    .use(cellParagraphs)
    .use(imagesAsLinks)
  parser = new MarkdownParser(noteSchema(), tokenizer, {
    blockquote: { block: 'blockquote' },
    paragraph: { block: 'paragraph' },
    list_item: { block: 'listItem' },
    bullet_list: { block: 'bulletList' },
    task_list: { block: 'taskList' },
    task_item: { block: 'taskItem', getAttrs: (tok: Token) => ({ checked: tok.attrGet('checked') === 'true' }) },
    table: { block: 'table' },
    thead: { ignore: true },
    tbody: { ignore: true },
    tr: { block: 'tableRow' },
    th: { block: 'tableHeader', getAttrs: cellAttrs },
    td: { block: 'tableCell', getAttrs: cellAttrs },
    ordered_list: { block: 'orderedList', getAttrs: (tok: Token) => ({ start: Number(tok.attrGet('start') ?? 1) || 1 }) },
    heading: { block: 'heading', getAttrs: (tok: Token) => ({ level: Number(tok.tag.slice(1)) }) },
    code_block: { block: 'codeBlock', noCloseToken: true },
    fence: { block: 'codeBlock', getAttrs: (tok: Token) => ({ language: tok.info.trim().split(/\s+/)[0] || null }), noCloseToken: true },
    hr: { node: 'horizontalRule' },
    hardbreak: { node: 'hardBreak' },
    em: { mark: 'italic' },
    strong: { mark: 'bold' },
    s: { mark: 'strike' },
    mark: { mark: 'highlight' },
    link: { mark: 'link', getAttrs: (tok: Token) => ({ href: tok.attrGet('href'), title: tok.attrGet('title') || null, image: tok.attrGet('data-image'), imageJoin: tok.attrGet('data-image-join') === 'true' ? true : null }) },
    code_inline: { mark: 'code', noCloseToken: true },
  })
  return parser
}

/** Parses Markdown (without front matter) into a document for the editor's schema. */
export function markdownToDoc(markdown: string): JSONContent {
  return markdownParser().parse(markdown).toJSON() as JSONContent
}

const base = defaultMarkdownSerializer.nodes

/** A code fence longer than any run of backticks inside, so the content cannot close it. */
function fenceFor(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length))
  return '`'.repeat(Math.max(3, longest + 1))
}

/**
 * Escaped on top of what prosemirror-markdown escapes:
 * - every `_` not already escaped: it leaves some inside runs like `__init__`, which then read
 *   back as emphasis;
 * - a `<` that starts an autolink (`&lt;me@example.org&gt;` in a file is text, and must not come
 *   back as a link). Other `<` stay as they are, so raw HTML kept as text is written back as it was;
 * - a `&` that starts a character reference (`&ouml;` typed as text stays those six characters);
 * - the first `=` of `==`, which could open or close a highlight.
 */
const EXTRA_ESCAPES = /(?<!\\)_|(?<!\\)=(?==)|&(?=#?[A-Za-z0-9]+;)|<(?=[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>|[\w.!#$%&'*+/=?^`{|}~-]+@[A-Za-z0-9][\w.-]*>)/g

/** Where an attachment node's file is, relative to the note's file; set by docToMarkdown for one (synchronous) call. */
let attachmentPath: (attrs: Record<string, unknown>) => string = defaultAttachmentPath

/** `attachments/<name>`: where export puts a note's files unless told otherwise. */
export function defaultAttachmentPath(attrs: Record<string, unknown>): string {
  return `attachments/${typeof attrs.name === 'string' && attrs.name !== '' ? attrs.name : 'file'}`
}

const escapeInline = (text: string): string => text.replace(/[\\`*_[\]<>|~!]/g, '\\$&')
const destination = (url: string): string => (/[\s()<>]/.test(url) ? `<${url.replace(/[<>]/g, encodeURIComponent)}>` : url)

/** A relative link to a file, each path segment percent-encoded where Markdown or URLs need it. */
const relativeHref = (path: string): string =>
  destination(
    path
      .split('/')
      .map((segment) => encodeURIComponent(segment).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
      .join('/'),
  )

/** Delimiters of the italics being written, innermost last (serializing is synchronous). */
const italicDelimiters: string[] = []

/**
 * `*` as a rule; `_` when the italic starts with bold text, where `***` would be misread
 * (`_**Note**: text_`), and `_` can open and close here (not inside a word).
 */
function italicDelimiter(mark: PMMark, parent: PMNode, index: number): string {
  const first = parent.child(index)
  if (!first.marks.some((m) => m.type.name === 'bold')) return '*'
  const before = index > 0 ? parent.child(index - 1).textContent.slice(-1) : ''
  let end = index
  while (end < parent.childCount && mark.isInSet(parent.child(end).marks)) end++
  const after = end < parent.childCount ? parent.child(end).textContent.slice(0, 1) : ''
  const lastMarked = parent.child(end - 1)
  const endsBold = lastMarked.marks.some((m) => m.type.name === 'bold')
  return /\w/.test(before) || /\w/.test(after) || endsBold ? '*' : '_'
}

/** A bullet list right after a list of the other bullet kind takes `*`, or the two would read back as one list. */
function bulletAfter(parent: PMNode | undefined, index: number, node: PMNode, previous: PMNode | null = null): string {
  const before = previous ?? (index > 0 ? parent?.maybeChild(index - 1) : null)
  const bullets = new Set(['bulletList', 'taskList'])
  return before && bullets.has(before.type.name) && before.type !== node.type ? '* ' : '- '
}

type NodeWriter = (state: MarkdownSerializerState, node: PMNode, parent: PMNode, index: number) => void

/** Every node of the schema gets a writer: one without a Markdown form is written as its HTML. */
function withHtmlFallback(nodes: Record<string, NodeWriter>): Record<string, NodeWriter> {
  const all = { ...nodes }
  for (const name of Object.keys(noteSchema().nodes)) {
    all[name] ??= (state, node) => {
      state.text(nodeToHtml(node), false)
      if (node.isBlock) state.closeBlock(node)
    }
  }
  return all
}

let serializerInstance: MarkdownSerializer | null = null

function serializer(): MarkdownSerializer {
  serializerInstance ??= buildSerializer()
  return serializerInstance
}

/** A node's content (a table cell's blocks) as Markdown on its own. */
function contentMarkdown(node: PMNode): string {
  return serializer().serialize(node.type.schema.topNodeType.create(null, node.content), { tightLists: true })
}

const buildSerializer = (): MarkdownSerializer => new MarkdownSerializer(
  withHtmlFallback({
    blockquote: base.blockquote!,
    heading: base.heading!,
    paragraph: base.paragraph!,
    listItem: base.list_item!,
    text: base.text!,
    hardBreak: base.hard_break!,
    horizontalRule: (state: MarkdownSerializerState, node: PMNode) => {
      state.write('---')
      state.closeBlock(node)
    },
    bulletList: (state: MarkdownSerializerState, node: PMNode, parent: PMNode, index: number) => state.renderList(node, '  ', () => bulletAfter(parent, index, node)),
    taskList: (state: MarkdownSerializerState, node: PMNode, parent: PMNode, index: number) => state.renderList(node, '  ', () => bulletAfter(parent, index, node)),
    taskItem: (state: MarkdownSerializerState, node: PMNode) => {
      state.write(node.attrs.checked === true ? '[x] ' : '[ ] ')
      state.renderContent(node)
    },
    table: (state: MarkdownSerializerState, node: PMNode) => {
      state.text(tableMarkdown(node, contentMarkdown), false)
      state.closeBlock(node)
    },
    orderedList: (state: MarkdownSerializerState, node: PMNode) => {
      const start = typeof node.attrs.start === 'number' ? node.attrs.start : 1
      const width = String(start + node.childCount - 1).length
      state.renderList(node, ' '.repeat(width + 2), (i) => `${String(start + i).padStart(width)}. `)
    },
    // Attachments as files beside the Markdown: `![alt](attachments/x.png)`, `[x.pdf](attachments/x.pdf)`.
    image: (state: MarkdownSerializerState, node: PMNode) => {
      state.write(`![${escapeInline(String(node.attrs.alt ?? ''))}](${relativeHref(attachmentPath(node.attrs))})`)
    },
    file: (state: MarkdownSerializerState, node: PMNode) => {
      state.write(`[${escapeInline(String(node.attrs.name ?? 'file'))}](${relativeHref(attachmentPath(node.attrs))})`)
    },
    codeBlock: (state: MarkdownSerializerState, node: PMNode) => {
      if (node.attrs.language === TABLE_LANGUAGE) {
        state.text(node.textContent, false)
        state.closeBlock(node)
        return
      }
      const fence = fenceFor(node.textContent)
      const language = typeof node.attrs.language === 'string' ? node.attrs.language : ''
      state.write(`${fence}${language}\n`)
      state.text(node.textContent, false)
      state.ensureNewLine()
      state.write(fence)
      state.closeBlock(node)
    },
  }),
  {
    italic: {
      ...defaultMarkdownSerializer.marks.em!,
      open: (_state: MarkdownSerializerState, mark: PMMark, parent: PMNode, index: number) => {
        const delimiter = italicDelimiter(mark, parent, index)
        italicDelimiters.push(delimiter)
        return delimiter
      },
      close: () => italicDelimiters.pop() ?? '*',
    },
    bold: defaultMarkdownSerializer.marks.strong!,
    strike: { open: '~~', close: '~~', mixable: true, expelEnclosingWhitespace: true },
    highlight: { open: '==', close: '==', mixable: true, expelEnclosingWhitespace: true },
    code: defaultMarkdownSerializer.marks.code!,
    link: {
      ...defaultMarkdownSerializer.marks.link!,
      // An image kept as a link goes back out as the image (or the linked image) it came in as.
      open(state, mark, parent, index) {
        const image = mark.attrs.image as unknown
        if (typeof image !== 'string') return (defaultMarkdownSerializer.marks.link!.open as MarkOpen)(state, mark, parent, index)
        if (mark.attrs.href === image) return '!['
        return mark.attrs.imageJoin === true && sameLinkedImages(mark, parent.maybeChild(index - 1)) ? '![' : '[!['
      },
      close(state, mark, parent, index) {
        const image = mark.attrs.image as unknown
        if (typeof image !== 'string') return (defaultMarkdownSerializer.marks.link!.close as MarkOpen)(state, mark, parent, index)
        const title = typeof mark.attrs.title === 'string' && mark.attrs.title !== '' ? ` "${mark.attrs.title.replace(/"/g, '\\"')}"` : ''
        const href = (mark.attrs.href as string).replace(/[()"]/g, '\\$&')
        const src = image.replace(/[()"]/g, '\\$&')
        if (mark.attrs.href === image) return `](${src}${title})`
        // The next node is another image of the same link: the link goes on around it.
        return nextJoins(mark, parent.maybeChild(index)) ? `](${src})` : `](${src})](${href}${title})`
      },
    },
  },
  { hardBreakNodeName: 'hardBreak', escapeExtraCharacters: EXTRA_ESCAPES },
)

/** Whether `node` is another linked image (a badge) of the same link as `mark`. */
function sameLinkedImages(mark: PMMark, node: PMNode | null): boolean {
  const other = node?.marks.find((m) => m.type === mark.type)
  return other !== undefined && typeof other.attrs.image === 'string' && other.attrs.href !== other.attrs.image && other.attrs.href === mark.attrs.href && (other.attrs.title ?? null) === (mark.attrs.title ?? null)
}

/** Whether `node` is a linked image that continues the link of `mark` (imported as one link). */
function nextJoins(mark: PMMark, node: PMNode | null): boolean {
  return sameLinkedImages(mark, node) && node!.marks.some((m) => m.type === mark.type && m.attrs.imageJoin === true)
}

/** Lists the serializer separates from a list of the same kind by two blank lines. */
const LISTS = new Set(['bulletList', 'orderedList', 'taskList'])

/**
 * Writes a document of the editor's schema as Markdown (tight lists, `-` bullets, fenced code);
 * attachments link to `paths(attrs)` (relative to the Markdown file).
 *
 * Top-level blocks are written one at a time and joined the way the serializer separates them
 * (a blank line; two between adjacent lists of one kind, which would otherwise merge). Written in
 * one go, the serializer looks at the last character of its whole output for every line, which
 * flattens the growing string each time: a 600 kB changelog took 46 s.
 */
export function docToMarkdown(doc: JSONContent, paths: (attrs: Record<string, unknown>) => string = defaultAttachmentPath): string {
  attachmentPath = paths
  try {
    return blocksToMarkdown(doc)
  } finally {
    attachmentPath = defaultAttachmentPath
  }
}

function blocksToMarkdown(doc: JSONContent): string {
  const node = noteSchema().nodeFromJSON(doc)
  const parts: string[] = []
  let previous: PMNode | null = null
  node.forEach((child) => {
    const text = serializer().serialize(node.type.create(node.attrs, child), { tightLists: true })
    if (text === '') return // an empty paragraph writes nothing, as in one pass
    if (previous) parts.push(previous.type === child.type && LISTS.has(child.type.name) ? '\n\n\n' : '\n\n')
    // Written alone, a list cannot see the list before it (bulletAfter): its own items are the lines at column 0.
    parts.push(previous && bulletAfter(undefined, 0, child, previous) === '* ' ? text.replace(/^- /gm, '* ') : text)
    previous = child
  })
  return parts.join('')
}

/** The same, in one pass of the serializer (what docToMarkdown must equal; kept for the tests). */
export function docToMarkdownInOnePass(doc: JSONContent): string {
  return serializer().serialize(noteSchema().nodeFromJSON(doc), { tightLists: true })
}
