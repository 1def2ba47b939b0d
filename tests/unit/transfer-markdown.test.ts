import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { docToMarkdown, markdownToDoc } from '../../renderer/transfer/markdown'
import { readNoteContent, writeNoteContent } from '../../renderer/transfer/note-content'
import { formatFrontMatter, parseFrontMatter } from '../../renderer/transfer/front-matter'
import { docToHtml, htmlPage } from '../../renderer/transfer/html'

/** Markdown → PM JSON → a note's Y.Doc (through a Yjs update, as another device would get it) → PM JSON → Markdown. */
function roundTrip(markdown: string): string {
  const written = new Y.Doc()
  writeNoteContent(written, markdownToDoc(markdown))
  const received = new Y.Doc()
  Y.applyUpdate(received, Y.encodeStateAsUpdate(written))
  return docToMarkdown(readNoteContent(received).toJSON())
}

const CANONICAL = `# Heading one

## Heading two

###### Heading six

A paragraph with **bold**, *italic*, ~~strike~~, \`inline code\` and a [link](https://example.org/a_b "Title").

- bullet one
- bullet **two**
  - nested bullet
  - nested again
    1. deep ordered
- bullet three

1. first
2. second
   - nested in ordered
3. third

Then:

5. starts at five
6. six

> A quote with *emphasis*.
>
> - a list in a quote

\`\`\`ts
const x = 1 // not **bold**
\`\`\`

\`\`\`
plain code
\`\`\`

---

Line one\\
line two`

describe('Markdown round trip through a note (import → export)', () => {
  it('keeps headings, lists, emphasis, links, code blocks and quotes exactly', () => {
    expect(roundTrip(CANONICAL)).toBe(CANONICAL)
  })

  it('reads each construct into the editor node or mark it stands for', () => {
    const doc = markdownToDoc(CANONICAL)
    const types = new Set<string>()
    const marks = new Set<string>()
    const walk = (node: typeof doc): void => {
      types.add(node.type!)
      for (const mark of node.marks ?? []) marks.add(mark.type)
      for (const child of node.content ?? []) walk(child)
    }
    walk(doc)
    expect([...types].sort()).toEqual(['blockquote', 'bulletList', 'codeBlock', 'doc', 'hardBreak', 'heading', 'horizontalRule', 'listItem', 'orderedList', 'paragraph', 'text'])
    expect([...marks].sort()).toEqual(['bold', 'code', 'italic', 'link', 'strike'])
    expect(doc.content!.find((n) => n.type === 'codeBlock')!.attrs).toMatchObject({ language: 'ts' })
  })

  it('writes other spellings of the same structure in one canonical form', () => {
    expect(roundTrip('Title\n=====\n\n* a\n* b\n\n_it_ __bo__\n\n    indented code')).toBe('# Title\n\n- a\n- b\n\n*it* **bo**\n\n```\nindented code\n```')
  })

  it('keeps characters that look like Markdown as text', () => {
    const text = 'Not *emphasis*, not ~~strike~~, not [a link](x), 1. not a list'
    const doc = { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] }
    expect(markdownToDoc(docToMarkdown(doc))).toEqual(doc)
  })

  it('keeps what the editor cannot hold as text: images as links, raw HTML literally', () => {
    expect(roundTrip('![a cat](https://example.org/cat.png)')).toBe('![a cat](https://example.org/cat.png)')
    expect(roundTrip('<b>raw</b>')).toBe('<b>raw</b>')
  })

  it('keeps a link around several images (badges in READMEs, e.g. axe-core\'s) as one link with every image', () => {
    const badges = '[![Downloads](https://img.shields.io/a.svg)![Yearly](https://img.shields.io/b.svg)](https://npm-stat.com/charts.html?package=x) then [![One](o.svg)](https://x.org)'
    expect(roundTrip(badges)).toBe(badges)
    // …while two links side by side to one place stay two links (winston's README).
    const twoLinks = '[![Version](https://img.shields.io/v.svg)](https://www.npmjs.com/package/w)[![Downloads](https://img.shields.io/d.svg)](https://www.npmjs.com/package/w)'
    expect(roundTrip(twoLinks)).toBe(twoLinks)
  })

  it('a table imported before the editor had tables (a code block of its rows) exports as the table again', () => {
    const table = '| Name | Qty |\n| :--- | ---: |\n| *a* | 1 |'
    const legacy = { type: 'doc', content: [{ type: 'codeBlock', attrs: { language: 'markdown-table' }, content: [{ type: 'text', text: table }] }] }
    expect(docToMarkdown(legacy)).toBe(table)
  })

  it('a code fence longer than the backticks inside keeps code containing ```', () => {
    expect(roundTrip('````md\n```js\nx\n```\n````')).toBe('````md\n```js\nx\n```\n````')
  })

  it('an empty note reads back as one empty paragraph', () => {
    expect(readNoteContent(new Y.Doc()).toJSON()).toEqual({ type: 'doc', content: [{ type: 'paragraph' }] })
  })
})

describe('front matter', () => {
  it('reads tags written inline, as a block list, or comma separated, and the title', () => {
    expect(parseFrontMatter('---\ntitle: "My: note"\ntags: [work, "two words", \'it\'\'s\']\n---\n# Body\n')).toEqual({ title: 'My: note', tags: ['work', 'two words', "it's"], body: '# Body\n' })
    expect(parseFrontMatter('---\ntags:\n  - a\n  - "#b"\nauthor: me\n---\ntext').tags).toEqual(['a', 'b'])
    expect(parseFrontMatter('---\ntags: x, y # comment\n---\n').tags).toEqual(['x', 'y'])
  })

  it('leaves a file without front matter untouched (apart from a byte order mark)', () => {
    expect(parseFrontMatter('\uFEFF# Title\n---\n')).toEqual({ title: null, tags: [], body: '# Title\n---\n' })
    expect(parseFrontMatter('Text\n---\ntags: [a]\n---\n').tags).toEqual([])
  })

  it('writes tags so they read back the same', () => {
    const tags = ['plain', 'two words', 'with, comma', 'quote"d', '#hash']
    expect(parseFrontMatter(formatFrontMatter('', tags) + 'body').tags).toEqual(['plain', 'two words', 'with, comma', 'quote"d', 'hash'])
    expect(formatFrontMatter('', [])).toBe('')
  })
})

describe('HTML export', () => {
  it('renders the note with the editor markup, escapes text and title, and drops unsafe hrefs', () => {
    const doc = readNoteContentOf('# Hi <there>\n\n**b** [ok](https://example.org) [bad](https://x.org)\n\n```js\na < b\n```')
    // A link mark with a script href, as a collaborator could write it straight into the Y.Doc.
    const bad = doc.toJSON() as { content: { content?: { text?: string; marks?: { attrs: { href: string } }[] }[] }[] }
    bad.content[1]!.content!.find((n) => n.text === 'bad')!.marks![0]!.attrs.href = 'javascript:alert(1)'
    const unsafe = readNoteContentOf('x').type.schema.nodeFromJSON(bad)
    const html = docToHtml(doc)
    expect(html).toContain('<h1>Hi &#60;there&#62;</h1>')
    expect(html).toContain('<strong>b</strong>')
    expect(html).toMatch(/<a [^>]*href="https:\/\/example.org\/"[^>]*>ok<\/a>/)
    expect(docToHtml(unsafe)).not.toContain('javascript:')
    expect(docToHtml(unsafe)).toContain('<a rel="noopener noreferrer nofollow">bad</a>')
    expect(html).toContain('<pre><code class="language-js">a &#60; b</code></pre>')
    expect(htmlPage('A </title><script>', doc)).toContain('<title>A &#60;/title&#62;&#60;script&#62;</title>')
  })
})

function readNoteContentOf(markdown: string) {
  const ydoc = new Y.Doc()
  writeNoteContent(ydoc, markdownToDoc(markdown))
  return readNoteContent(ydoc)
}
