// Writes a table node as Markdown: a GFM pipe table when GFM can say everything it holds, else
// an HTML table, one tag per line, with each cell's content as Markdown between blank lines (how
// GitHub and most renderers read Markdown inside HTML; markdown-it-rules.ts reads it back).

import type { Node as PMNode } from '@tiptap/pm/model'

const DELIMITER: Record<string, string> = { left: ':---', center: ':---:', right: '---:' }

const isHeader = (cell: PMNode): boolean => cell.type.name === 'tableHeader'
const alignOf = (cell: PMNode): string | null => (typeof cell.attrs.align === 'string' ? cell.attrs.align : null)
const spans = (cell: PMNode): boolean => cell.attrs.colspan !== 1 || cell.attrs.rowspan !== 1

/**
 * GFM tables have one header row, then body rows of plain cells, each one line of inline content,
 * no spans, every row as wide as the header.
 */
function fitsGfm(table: PMNode): boolean {
  const width = table.firstChild?.childCount ?? 0
  if (width === 0) return false
  let fits = true
  table.forEach((row, _, r) => {
    if (row.childCount !== width) fits = false
    row.forEach((cell) => {
      if (isHeader(cell) !== (r === 0) || spans(cell)) fits = false
      if (cell.childCount !== 1 || cell.firstChild!.type.name !== 'paragraph') fits = false
      cell.firstChild?.forEach((inline) => {
        if (!inline.isText) fits = false
      })
    })
  })
  return fits
}

/** A pipe inside a cell, code spans included, is written `\|` (GFM splits cells before anything else). */
const escapePipes = (text: string): string => text.replace(/\|/g, '\\|')

/**
 * The table's Markdown. `blocks` writes a node's content (a cell's blocks) as Markdown.
 * Body cells take their column's alignment from the header row, as GFM does.
 */
export function tableMarkdown(table: PMNode, blocks: (content: PMNode) => string): string {
  if (fitsGfm(table)) {
    const rows: string[] = []
    const line = (cells: string[]): string => `| ${cells.join(' | ')} |`
    table.forEach((row, _, r) => {
      const cells: string[] = []
      row.forEach((cell) => cells.push(escapePipes(blocks(cell).replace(/\n/g, ' '))))
      rows.push(line(cells))
      if (r === 0) {
        const aligns: string[] = []
        row.forEach((cell) => aligns.push(DELIMITER[alignOf(cell) ?? ''] ?? '---'))
        rows.push(line(aligns))
      }
    })
    return rows.join('\n')
  }
  const out = ['<table>']
  table.forEach((row) => {
    out.push('<tr>')
    row.forEach((cell) => {
      const tag = isHeader(cell) ? 'th' : 'td'
      const attrs = [
        cell.attrs.colspan !== 1 ? ` colspan="${Number(cell.attrs.colspan)}"` : '',
        cell.attrs.rowspan !== 1 ? ` rowspan="${Number(cell.attrs.rowspan)}"` : '',
        alignOf(cell) ? ` align="${alignOf(cell)}"` : '',
      ].join('')
      const content = blocks(cell)
      out.push(content === '' ? `<${tag}${attrs}></${tag}>` : `<${tag}${attrs}>\n\n${content}\n\n</${tag}>`)
    })
    out.push('</tr>')
  })
  out.push('</table>')
  return out.join('\n')
}
