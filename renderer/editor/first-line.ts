import type { Node as PMNode } from '@tiptap/pm/model'

/** The first non-blank line of text in a ProseMirror document, or '' if it has no text. */
export function firstLineOf(doc: PMNode): string {
  for (let i = 0; i < doc.childCount; i++) {
    const child = doc.child(i)
    const text = child.textBetween(0, child.content.size, '\n', '\n')
    const line = text.split('\n').find((l) => l.trim() !== '')
    if (line !== undefined) return line
  }
  return ''
}
