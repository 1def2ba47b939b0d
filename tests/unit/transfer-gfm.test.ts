// Task lists, tables, highlight and the rest of what the editor holds beyond CommonMark, through
// import → note (Y.Doc, as another device receives it) → export. The GFM spec's own table and task
// list examples (tests/fixtures/gfm-spec-0.29, transcribed from the spec) are the Markdown nobody
// here wrote; the structure each must give is the one the spec's HTML shows.

import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { JSONContent } from '@tiptap/core'
import { docToMarkdown, markdownToDoc } from '../../renderer/transfer/markdown'
import { readNoteContent, writeNoteContent } from '../../renderer/transfer/note-content'
import { docToHtml } from '../../renderer/transfer/html'
import { markdownSignature, signatureDifference } from '../helpers/markdown-signature'

const GFM = JSON.parse(readFileSync('tests/fixtures/gfm-spec-0.29/examples.json', 'utf8')) as { examples: { number: number; markdown: string }[] }
const example = (n: number): string => GFM.examples.find((e) => e.number === n)!.markdown

function throughNote(doc: JSONContent): JSONContent {
  const written = new Y.Doc()
  writeNoteContent(written, doc)
  const received = new Y.Doc()
  Y.applyUpdate(received, Y.encodeStateAsUpdate(written))
  return readNoteContent(received).toJSON() as JSONContent
}

const roundTrip = (markdown: string): string => docToMarkdown(throughNote(markdownToDoc(markdown)))

/** Cell texts row by row (inline Markdown marks ignored), and whether each row is a header row. */
function tableOf(doc: JSONContent, index = 0): { header: boolean[]; rows: string[][]; align: (string | null)[] } {
  const table = doc.content!.filter((n) => n.type === 'table')[index]!
  const text = (node: JSONContent): string => (node.text ?? '') + (node.content ?? []).map(text).join('')
  return {
    header: table.content!.map((row) => row.content!.every((c) => c.type === 'tableHeader')),
    rows: table.content!.map((row) => row.content!.map(text)),
    align: table.content![0]!.content!.map((c) => (c.attrs?.align as string | null) ?? null),
  }
}

const task = (checked: boolean, text: string, nested?: JSONContent): JSONContent => ({
  type: 'taskItem',
  attrs: { checked },
  content: [{ type: 'paragraph', content: [{ type: 'text', text }] }, ...(nested ? [nested] : [])],
})

describe('GFM spec examples (tables 198–205, task lists 279–280)', () => {
  it('reads each into the structure the spec shows', () => {
    expect(tableOf(markdownToDoc(example(198)))).toEqual({ header: [true, false], rows: [['foo', 'bar'], ['baz', 'bim']], align: [null, null] })
    expect(tableOf(markdownToDoc(example(199)))).toMatchObject({ rows: [['abc', 'defghi'], ['bar', 'baz']], align: ['center', 'right'] })
    const pipes = markdownToDoc(example(200))
    expect(tableOf(pipes).rows).toEqual([['f|oo'], ['b | az'], ['b | im']])
    expect(JSON.stringify(pipes)).toContain('{"type":"text","marks":[{"type":"code"}],"text":"|"}')
    expect(JSON.stringify(pipes)).toContain('{"type":"text","marks":[{"type":"bold"}],"text":"|"}')
    expect(markdownToDoc(example(201)).content!.map((n) => n.type)).toEqual(['table', 'blockquote'])
    const broken = markdownToDoc(example(202))
    expect(broken.content!.map((n) => n.type)).toEqual(['table', 'paragraph'])
    expect(tableOf(broken).rows).toEqual([['abc', 'def'], ['bar', 'baz'], ['bar', '']])
    expect(markdownToDoc(example(203)).content!.map((n) => n.type)).toEqual(['paragraph']) // delimiter row too short: no table
    expect(tableOf(markdownToDoc(example(204))).rows).toEqual([['abc', 'def'], ['bar', ''], ['bar', 'baz']])
    expect(tableOf(markdownToDoc(example(205)))).toMatchObject({ header: [true], rows: [['abc', 'def']] })
    expect(markdownToDoc(example(279))).toEqual({ type: 'doc', content: [{ type: 'taskList', content: [task(false, 'foo'), task(true, 'bar')] }] })
    expect(markdownToDoc(example(280))).toEqual({
      type: 'doc',
      content: [{ type: 'taskList', content: [task(true, 'foo', { type: 'taskList', content: [task(false, 'bar'), task(true, 'baz')] }), task(false, 'bim')] }],
    })
  })

  it('every example keeps what a reader gets, and reads back as the same document after export', () => {
    let exact = 0
    for (const { number, markdown } of GFM.examples) {
      const exported = roundTrip(markdown)
      expect(signatureDifference(markdownSignature(markdown), markdownSignature(exported)), `example ${number}`).toBeNull()
      expect(markdownToDoc(exported), `example ${number}`).toEqual(markdownToDoc(markdown))
      if (`${exported}\n` === markdown) exact++
    }
    console.log(`gfm-spec: ${GFM.examples.length} of ${GFM.examples.length} examples read back as the same document; ${exact} byte for byte`)
  })
})

describe('what the editor holds beyond CommonMark, written in canonical form, round-trips byte for byte', () => {
  it('task lists, nested, checked and not', () => {
    const source = '- [ ] write the plan\n  - [x] ask *Ana*\n  - [ ] book the room\n- [x] ship it\n\nAfter.'
    expect(roundTrip(source)).toBe(source)
  })

  it('a task list next to a bullet list stays two lists', () => {
    const doc = markdownToDoc('- plain\n\n* [ ] task')
    expect(doc.content!.map((n) => n.type)).toEqual(['bulletList', 'taskList'])
    expect(markdownToDoc(roundTrip('- plain\n\n* [ ] task'))).toEqual(doc)
  })

  it('a list mixing tasks and plain items stays a bullet list, the markers as text', () => {
    const doc = markdownToDoc('- [ ] task\n- plain')
    expect(doc.content!.map((n) => n.type)).toEqual(['bulletList'])
    expect(markdownToDoc(roundTrip('- [ ] task\n- plain'))).toEqual(doc)
  })

  it('GFM tables with alignment, inline marks and pipes in cells', () => {
    const source = '| Name | Qty | Note |\n| :--- | ---: | :---: |\n| *a* | 1 | `x \\| y` |\n| b \\| c | 2 | [link](https://example.org) |\n|  | 3 | ==hot== |'
    expect(roundTrip(source)).toBe(source)
    expect(roundTrip(`> ${source.split('\n').join('\n> ')}`)).toBe(`> ${source.split('\n').join('\n> ')}`)
    expect(roundTrip(`- item\n\n  ${source.split('\n').join('\n  ')}`)).toBe(`- item\n\n  ${source.split('\n').join('\n  ')}`)
  })

  it('tables GFM cannot express (several paragraphs, a list, spans) as HTML, read back the same', () => {
    const source = [
      '<table>',
      '<tr>',
      '<th colspan="2">',
      '',
      'Spanning *header*',
      '',
      '</th>',
      '</tr>',
      '<tr>',
      '<td rowspan="2" align="center">',
      '',
      'First paragraph',
      '',
      'Second paragraph',
      '',
      '</td>',
      '<td>',
      '',
      '- [ ] a task',
      '- [x] done',
      '',
      '</td>',
      '</tr>',
      '<tr>',
      '<td></td>',
      '</tr>',
      '</table>',
    ].join('\n')
    const doc = markdownToDoc(source)
    const cells = doc.content![0]!.content!.flatMap((row) => row.content!)
    expect(cells.map((c) => [c.type, c.attrs?.colspan, c.attrs?.rowspan, c.attrs?.align])).toEqual([
      ['tableHeader', 2, 1, null],
      ['tableCell', 1, 2, 'center'],
      ['tableCell', 1, 1, null],
      ['tableCell', 1, 1, null],
    ])
    expect(cells[1]!.content!.map((n) => n.type)).toEqual(['paragraph', 'paragraph'])
    expect(cells[2]!.content!.map((n) => n.type)).toEqual(['taskList'])
    expect(roundTrip(source)).toBe(source)
  })

  it('reads an HTML table written by hand, one cell per line', () => {
    const doc = markdownToDoc('<table>\n  <tr>\n    <th>A</th>\n    <th>B</th>\n  </tr>\n  <tr>\n    <td>1</td>\n    <td>**2**</td>\n  </tr>\n</table>')
    expect(tableOf(doc).rows).toEqual([['A', 'B'], ['1', '2']])
    // Written back as the GFM table it now is.
    expect(docToMarkdown(doc)).toBe('| A | B |\n| --- | --- |\n| 1 | **2** |')
  })

  it('other raw HTML, a table on one line included, stays text', () => {
    expect(markdownToDoc('<table><tr><td>x</td></tr></table>').content!.map((n) => n.type)).toEqual(['paragraph'])
    expect(roundTrip('<table><tr><td>x</td></tr></table>')).toBe('<table><tr><td>x</td></tr></table>')
  })

  it('headings 1–6, strikethrough, highlight and a horizontal rule', () => {
    const source = '# One\n\n## Two\n\n### Three\n\n#### Four\n\n##### Five\n\n###### Six\n\n~~gone~~, ==marked==, **==both==** and ~~==all==~~\n\n---\n\nEnd'
    expect(roundTrip(source)).toBe(source)
    const marks = JSON.stringify(markdownToDoc(source))
    expect(marks).toContain('{"type":"text","marks":[{"type":"highlight"}],"text":"marked"}')
    expect(marks).toContain('{"type":"text","marks":[{"type":"strike"}],"text":"gone"}')
  })

  it('keeps == typed as text from becoming a highlight', () => {
    const doc = { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'a == b and ==c== and x===y' }] }] }
    expect(markdownToDoc(docToMarkdown(doc))).toEqual(doc)
  })

  it('HTML export draws tasks as checkboxes and tables as tables', () => {
    const node = readNoteContentOf('- [x] done\n- [ ] open\n\n| a | b |\n| --- | :-: |\n| 1 | 2 |')
    const html = docToHtml(node)
    expect(html).toMatch(/<ul data-type="taskList"><li data-checked="true"[^>]*><label><input type="checkbox" checked="checked">/)
    expect(html).toContain('<table><tbody><tr><th><p>a</p></th><th style="text-align: center"><p>b</p></th></tr>')
  })
})

function readNoteContentOf(markdown: string) {
  const ydoc = new Y.Doc()
  writeNoteContent(ydoc, markdownToDoc(markdown))
  return readNoteContent(ydoc)
}
