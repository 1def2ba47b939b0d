// What a reader gets from a Markdown file, independent of how it is written: the text of each
// block, every link's target, every image's source, headings with their levels, code spans and
// code blocks. Two files with equal signatures say the same thing; import → export must keep it.
// Parsed with markdown-it as CommonMark (+ GFM tables and strikethrough), raw HTML as text, which
// is how the app reads Markdown; except an HTML table laid out one tag per line, which the app
// reads as a table and a reader sees as one: its cells are read with the app's own rule
// (markdown-it-rules.ts), so a table that comes back as a GFM table or in the app's HTML form
// compares cell by cell.

import MarkdownIt from 'markdown-it'
import { htmlTables } from '../../renderer/transfer/markdown-it-rules'

type Token = ReturnType<MarkdownIt['parse']>[number]

export interface MarkdownSignature {
  /** Block text, whitespace collapsed, joined by newlines. */
  text: string
  links: string[]
  images: string[]
  headings: string[]
  code: string[]
}

const md = MarkdownIt('commonmark', { html: false }).enable(['strikethrough', 'table']).use(htmlTables)

const squash = (s: string): string => s.replace(/\s+/g, ' ').trim()

export function markdownSignature(source: string): MarkdownSignature {
  const tokens = md.parse(source, {})
  const sig: MarkdownSignature = { text: '', links: [], images: [], headings: [], code: [] }
  const blocks: string[] = []
  let heading: string | null = null
  for (const token of tokens) {
    if (token.type === 'heading_open') heading = token.tag
    if (token.type === 'fence' || token.type === 'code_block') {
      sig.code.push(token.content.replace(/\n+$/, ''))
      blocks.push(squash(token.content))
    }
    if (token.type !== 'inline') continue
    const text = inlineText(token.children ?? [], sig)
    blocks.push(text)
    if (heading) sig.headings.push(`${heading} ${text}`)
    heading = null
  }
  sig.text = blocks.filter((b) => b !== '').join('\n')
  return sig
}

function inlineText(children: readonly Token[], sig: MarkdownSignature): string {
  let out = ''
  for (const child of children) {
    if (child.type === 'text') out += child.content
    else if (child.type === 'code_inline') {
      out += child.content
      sig.code.push(child.content)
    } else if (child.type === 'softbreak' || child.type === 'hardbreak') out += ' '
    else if (child.type === 'link_open') sig.links.push(child.attrGet('href') ?? '')
    // An image's alt text is not compared: the editor shows an image without one by its file name.
    else if (child.type === 'image') sig.images.push(child.attrGet('src') ?? '')
  }
  return squash(out)
}

/** The first way `after` says less (or other) than `before`, or null when they say the same. */
export function signatureDifference(before: MarkdownSignature, after: MarkdownSignature): string | null {
  for (const key of ['headings', 'links', 'images', 'code'] as const) {
    const a = before[key]
    const b = after[key]
    let i = 0
    while (i < a.length && i < b.length && a[i] === b[i]) i++
    if (i < a.length || i < b.length) return `${key}[${i}] of ${a.length}/${b.length}: ${JSON.stringify(a[i])?.slice(0, 160)} → ${JSON.stringify(b[i])?.slice(0, 160)}`
  }
  if (before.text !== after.text) {
    let i = 0
    while (i < before.text.length && before.text[i] === after.text[i]) i++
    return `text differs at ${i}: ${JSON.stringify(before.text.slice(i, i + 60))} → ${JSON.stringify(after.text.slice(i, i + 60))}`
  }
  return null
}
