// markdown-it rules that turn GFM task lists and tables (Markdown and HTML) into the tokens the
// editor's nodes are mapped from (markdown.ts). Pure functions of markdown-it's token stream.

import type MarkdownIt from 'markdown-it'

type Token = ReturnType<MarkdownIt['parse']>[number]
type StateBlock = Parameters<Parameters<MarkdownIt['block']['ruler']['push']>[1]>[0]

/** `[ ]`, `[x]` or `[X]` at the start of an item's first paragraph, then whitespace (GFM 5.3). */
const TASK_MARKER = /^\[([ xX])\](?:[ \t]|$)/

/**
 * A bullet list whose every item starts with a task marker becomes a task list (the markers
 * become the items' `checked`). A list mixing tasks and plain items stays a bullet list with the
 * markers as text: the editor's task list holds only tasks, and a checkbox on a plain item would
 * say something the file does not.
 */
export function taskLists(md: MarkdownIt): void {
  md.core.ruler.push('skein_task_lists', (state) => {
    const tokens = state.tokens
    for (let i = 0; i < tokens.length; i++) {
      if (tokens[i]!.type !== 'bullet_list_open') continue
      const level = tokens[i]!.level
      const items: { open: Token; close: Token; inline: Token; checked: boolean }[] = []
      let end = i + 1
      let allTasks = true
      for (; end < tokens.length && !(tokens[end]!.type === 'bullet_list_close' && tokens[end]!.level === level); end++) {
        const token = tokens[end]!
        if (token.type !== 'list_item_open' || token.level !== level + 1) continue
        const inline = tokens[end + 2]
        const marker = tokens[end + 1]?.type === 'paragraph_open' && inline?.type === 'inline' ? TASK_MARKER.exec(inline.content) : null
        if (!marker || !inline) {
          allTasks = false
          continue
        }
        let close = end + 1
        while (!(tokens[close]!.type === 'list_item_close' && tokens[close]!.level === token.level)) close++
        items.push({ open: token, close: tokens[close]!, inline, checked: marker[1] !== ' ' })
      }
      if (!allTasks || items.length === 0) continue
      tokens[i]!.type = 'task_list_open'
      tokens[end]!.type = 'task_list_close'
      for (const { open, close, inline, checked } of items) {
        open.type = 'task_item_open'
        open.attrSet('checked', String(checked))
        close.type = 'task_item_close'
        const marker = TASK_MARKER.exec(inline.content)![0]
        inline.content = inline.content.slice(marker.length)
        const first = inline.children?.[0]
        if (first?.type === 'text' && first.content.startsWith(marker)) first.content = first.content.slice(marker.length)
        else if (first?.type === 'text' && first.content === marker.trimEnd()) first.content = ''
      }
    }
  })
}

/** A GFM table cell holds inline content; the editor's cells hold blocks: wrap it in a paragraph. */
export function cellParagraphs(md: MarkdownIt): void {
  md.core.ruler.push('skein_cell_paragraphs', (state) => {
    const out: Token[] = []
    for (const token of state.tokens) {
      const inCell = out.length > 0 && (out[out.length - 1]!.type === 'th_open' || out[out.length - 1]!.type === 'td_open')
      if (token.type === 'inline' && inCell) {
        out.push(new state.Token('paragraph_open', 'p', 1), token, new state.Token('paragraph_close', 'p', -1))
        continue
      }
      if ((token.type === 'th_close' || token.type === 'td_close') && (out[out.length - 1]!.type === 'th_open' || out[out.length - 1]!.type === 'td_open')) {
        // An empty cell: one empty paragraph.
        out.push(new state.Token('paragraph_open', 'p', 1), new state.Token('paragraph_close', 'p', -1))
      }
      out.push(token)
    }
    state.tokens = out
  })
}

const STRUCTURE = /^<(\/?)(table|thead|tbody|tfoot|tr)\s*>$/i
const CELL_OPEN = /^<(td|th)((?:\s+[a-z-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*>(.*)$/i
const ATTRIBUTE = /([a-z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/gi

function cellAttrs(raw: string): [string, string][] {
  const attrs: [string, string][] = []
  for (const m of raw.matchAll(ATTRIBUTE)) {
    const name = m[1]!.toLowerCase()
    const value = m[2] ?? m[3] ?? m[4] ?? ''
    if ((name === 'colspan' || name === 'rowspan') && /^\d+$/.test(value)) attrs.push([name, value])
    if (name === 'align' && /^(left|center|right)$/i.test(value)) attrs.push(['style', `text-align:${value.toLowerCase()}`])
    const styleAlign = name === 'style' ? /text-align\s*:\s*(left|center|right)/i.exec(value) : null
    if (styleAlign) attrs.push(['style', `text-align:${styleAlign[1]!.toLowerCase()}`])
  }
  return attrs
}

/** Removes the indentation every non-blank line shares. */
function dedent(lines: string[]): string {
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0].length)
  const cut = indents.length ? Math.min(...indents) : 0
  return lines.map((l) => l.slice(cut)).join('\n')
}

type Piece = { kind: 'tag'; close: boolean; name: string } | { kind: 'cell'; name: 'td' | 'th'; attrs: [string, string][]; source: string }

/**
 * Reads an HTML table written one tag per line, as export writes tables Markdown cannot express
 * (cells of several blocks, spans): structure tags (`<table>`, `<tr>`, …) alone on their lines,
 * each cell either `<td …>text</td>` on one line or `<td …>` … `</td>` around Markdown. Null when
 * the lines are not such a table: it then stays text, as all raw HTML does.
 */
function readHtmlTable(lines: string[]): { pieces: Piece[]; used: number } | null {
  const pieces: Piece[] = []
  let depth = 0
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (line === '') continue
    const structure = STRUCTURE.exec(line)
    if (structure) {
      const close = structure[1] === '/'
      const name = structure[2]!.toLowerCase()
      if (name === 'table') depth += close ? -1 : 1
      pieces.push({ kind: 'tag', close, name })
      if (depth === 0) return { pieces, used: i + 1 }
      continue
    }
    const cell = CELL_OPEN.exec(line)
    if (!cell || depth === 0) return null
    const name = cell[1]!.toLowerCase() as 'td' | 'th'
    const closeTag = new RegExp(`</${name}>\\s*$`, 'i')
    const rest = cell[3]!
    if (closeTag.test(rest)) {
      pieces.push({ kind: 'cell', name, attrs: cellAttrs(cell[2]!), source: rest.replace(closeTag, '') })
      continue
    }
    if (rest.trim() !== '') return null
    // A multi-line cell: Markdown up to its closing tag alone on a line (nested tables counted).
    const body: string[] = []
    let nested = 0
    let j = i + 1
    for (; j < lines.length; j++) {
      const inner = lines[j]!.trim()
      if (nested === 0 && inner.toLowerCase() === `</${name}>`) break
      if (/^<table\s*>$/i.test(inner)) nested++
      if (/^<\/table\s*>$/i.test(inner)) nested--
      body.push(lines[j]!)
    }
    if (j === lines.length) return null
    pieces.push({ kind: 'cell', name, attrs: cellAttrs(cell[2]!), source: dedent(body) })
    i = j
  }
  return null
}

/** A block rule: an HTML table in the form readHtmlTable reads becomes table tokens, its cells parsed as Markdown. */
export function htmlTables(md: MarkdownIt): void {
  md.block.ruler.before(
    'table',
    'skein_html_table',
    (state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean => {
      if (state.sCount[startLine]! - state.blkIndent >= 4) return false
      const first = state.src.slice(state.bMarks[startLine]! + state.tShift[startLine]!, state.eMarks[startLine]).trim()
      if (!/^<table\s*>$/i.test(first)) return false
      const lines = state.getLines(startLine, endLine, state.blkIndent, false).split('\n')
      const table = readHtmlTable(lines)
      if (!table) return false
      if (silent) return true
      for (const piece of table.pieces) {
        if (piece.kind === 'tag') {
          if (piece.name === 'thead' || piece.name === 'tbody' || piece.name === 'tfoot') continue
          state.push(`${piece.name}_${piece.close ? 'close' : 'open'}`, piece.name, piece.close ? -1 : 1)
          continue
        }
        const open = state.push(`${piece.name}_open`, piece.name, 1)
        open.attrs = piece.attrs.length ? piece.attrs : null
        const inner: Token[] = []
        state.md.block.parse(piece.source, state.md, state.env, inner)
        if (inner.length === 0) inner.push(new state.Token('paragraph_open', 'p', 1), new state.Token('paragraph_close', 'p', -1))
        state.tokens.push(...inner)
        state.push(`${piece.name}_close`, piece.name, -1)
      }
      state.line = startLine + table.used
      return true
    },
    { alt: ['paragraph', 'reference', 'blockquote', 'list'] },
  )
}
