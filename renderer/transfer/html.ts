// A note as a standalone HTML page. The markup comes from the schema's own toDOM specs (the same
// ones the editor draws with, so links go through SafeLink's href check), rendered to a string
// here because export also runs where there is no DOM.

import type { DOMOutputSpec, Node as PMNode } from '@tiptap/pm/model'

const VOID = new Set(['br', 'hr', 'img', 'input', 'wbr'])

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

const isAttrs = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !('nodeType' in value)

/** Renders a toDOM spec; its hole (0) is filled with `content`. */
function renderSpec(spec: DOMOutputSpec, content: string): string {
  if (typeof spec === 'string') return escapeHtml(spec)
  if (!Array.isArray(spec)) throw new Error('html export: toDOM returned a DOM node, expected an array spec')
  const [tag, ...rest] = spec as readonly unknown[]
  const name = String(tag).split(' ').pop()!
  let attrs = ''
  if (isAttrs(rest[0])) {
    for (const [key, value] of Object.entries(rest.shift() as Record<string, unknown>)) {
      if (value === null || value === undefined || value === false) continue
      attrs += ` ${key}="${escapeHtml(String(value))}"`
    }
  }
  if (VOID.has(name)) return `<${name}${attrs}>`
  const inner = rest.map((child) => (child === 0 ? content : renderSpec(child as DOMOutputSpec, content))).join('')
  return `<${name}${attrs}>${inner}</${name}>`
}

/** One node's markup (its marks and content included). */
export function nodeToHtml(node: PMNode): string {
  if (node.isText) {
    // Marks outermost first in node.marks: wrap from the innermost out.
    return node.marks.reduceRight((html, mark) => renderSpec(mark.type.spec.toDOM!(mark, true), html), escapeHtml(node.text ?? ''))
  }
  let children = ''
  node.forEach((child) => (children += nodeToHtml(child)))
  const toDOM = node.type.spec.toDOM
  return toDOM ? renderSpec(toDOM(node), children) : children
}

/** The document's body markup. */
export function docToHtml(doc: PMNode): string {
  let html = ''
  doc.forEach((child) => (html += nodeToHtml(child) + '\n'))
  return html
}

const STYLE = 'body{max-width:42rem;margin:2rem auto;padding:0 1rem;font:16px/1.6 system-ui,sans-serif}pre{background:#f4f4f4;padding:.75rem;overflow:auto}blockquote{border-left:3px solid #ccc;margin-left:0;padding-left:1rem;color:#555}'

/** A complete, self-contained HTML page for one note. */
export function htmlPage(title: string, doc: PMNode, tags: readonly string[] = []): string {
  const keywords = tags.length ? `\n<meta name="keywords" content="${escapeHtml(tags.join(', '))}">` : ''
  return `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">${keywords}
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<article>
${docToHtml(doc)}</article>
</body>
</html>
`
}
