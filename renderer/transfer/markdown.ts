// Markdown ↔ the editor's document (ProseMirror JSON), with prosemirror-markdown (markdown-it
// to parse, its serializer to write) mapped onto TipTap's node and mark names. Pure: no DOM, no
// Y.Doc, so the round trip is tested in Node.
//
// What the schema cannot hold is kept as text rather than lost: images become links to the
// image, raw HTML stays literal text, and a GFM table becomes a code block of its rows (language
// TABLE_LANGUAGE) that export writes back as the table.

import type { JSONContent } from '@tiptap/core'
import type { Node as PMNode } from '@tiptap/pm/model'
import MarkdownIt from 'markdown-it'
import { MarkdownParser, MarkdownSerializer, defaultMarkdownSerializer, type MarkdownSerializerState } from 'prosemirror-markdown'
import { noteSchema } from './schema'

type Token = ReturnType<MarkdownIt['parse']>[number]

/** The code block language that marks an imported table (the editor has no table node). */
export const TABLE_LANGUAGE = 'markdown-table'

const ALIGN: Record<string, string> = { left: ':---', center: ':---:', right: '---:' }

/** A table's rows as canonical GFM lines, rebuilt from its tokens (so a table in a list or quote works too). */
function tableSource(tokens: readonly Token[]): string {
  const rows: string[][] = []
  const aligns: string[] = []
  for (const token of tokens) {
    if (token.type === 'tr_open') rows.push([])
    if (token.type === 'th_open') aligns.push(ALIGN[/text-align:(\w+)/.exec(token.attrGet('style') ?? '')?.[1] ?? ''] ?? '---')
    if (token.type === 'inline') rows[rows.length - 1]?.push(token.content.replace(/\|/g, '\\|'))
  }
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`
  const [head = [], ...body] = rows
  return [line(head), line(aligns), ...body.map(line)].join('\n')
}

/** A markdown-it core rule: each table becomes one fence token holding its source. */
function tablesAsCode(md: MarkdownIt): void {
  md.core.ruler.push('skein_tables', (state) => {
    const out: Token[] = []
    for (let i = 0; i < state.tokens.length; i++) {
      const token = state.tokens[i]!
      if (token.type !== 'table_open') {
        out.push(token)
        continue
      }
      let end = i
      while (end < state.tokens.length && !(state.tokens[end]!.type === 'table_close' && state.tokens[end]!.level === token.level)) end++
      const fence = new state.Token('fence', 'code', 0)
      fence.info = TABLE_LANGUAGE
      fence.content = `${tableSource(state.tokens.slice(i, end + 1))}\n`
      fence.block = true
      fence.level = token.level
      out.push(fence)
      i = end
    }
    state.tokens = out
  })
}

let parser: MarkdownParser | null = null

function markdownParser(): MarkdownParser {
  if (parser) return parser
  // CommonMark plus GFM strikethrough (the editor has a strike mark); no raw HTML: it is text.
  // Images are turned off so `![alt](src)` reads as "!" followed by a link, keeping the URL.
  const tokenizer = MarkdownIt('commonmark', { html: false }).enable(['strikethrough', 'table']).disable('image').use(tablesAsCode)
  parser = new MarkdownParser(noteSchema(), tokenizer, {
    blockquote: { block: 'blockquote' },
    paragraph: { block: 'paragraph' },
    list_item: { block: 'listItem' },
    bullet_list: { block: 'bulletList' },
    ordered_list: { block: 'orderedList', getAttrs: (tok: Token) => ({ start: Number(tok.attrGet('start') ?? 1) || 1 }) },
    heading: { block: 'heading', getAttrs: (tok: Token) => ({ level: Number(tok.tag.slice(1)) }) },
    code_block: { block: 'codeBlock', noCloseToken: true },
    fence: { block: 'codeBlock', getAttrs: (tok: Token) => ({ language: tok.info.trim().split(/\s+/)[0] || null }), noCloseToken: true },
    hr: { node: 'horizontalRule' },
    hardbreak: { node: 'hardBreak' },
    em: { mark: 'italic' },
    strong: { mark: 'bold' },
    s: { mark: 'strike' },
    link: { mark: 'link', getAttrs: (tok: Token) => ({ href: tok.attrGet('href'), title: tok.attrGet('title') || null }) },
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

const serializer = new MarkdownSerializer(
  {
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
    bulletList: (state: MarkdownSerializerState, node: PMNode) => state.renderList(node, '  ', () => '- '),
    orderedList: (state: MarkdownSerializerState, node: PMNode) => {
      const start = typeof node.attrs.start === 'number' ? node.attrs.start : 1
      const width = String(start + node.childCount - 1).length
      state.renderList(node, ' '.repeat(width + 2), (i) => `${String(start + i).padStart(width)}. `)
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
  },
  {
    italic: defaultMarkdownSerializer.marks.em!,
    bold: defaultMarkdownSerializer.marks.strong!,
    strike: { open: '~~', close: '~~', mixable: true, expelEnclosingWhitespace: true },
    code: defaultMarkdownSerializer.marks.code!,
    link: defaultMarkdownSerializer.marks.link!,
  },
  { hardBreakNodeName: 'hardBreak' },
)

/** Writes a document of the editor's schema as Markdown (tight lists, `-` bullets, fenced code). */
export function docToMarkdown(doc: JSONContent): string {
  const node = noteSchema().nodeFromJSON(doc)
  return serializer.serialize(node, { tightLists: true })
}
