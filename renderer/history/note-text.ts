// A note's plain text, one line per text block, read straight from its Y.XmlFragment (no editor
// needed), for diffing versions.

import * as Y from 'yjs'
import { NOTE_FIELD } from './versions'

function textOf(text: Y.XmlText): string {
  return (text.toDelta() as { insert?: unknown }[]).map((op) => (typeof op.insert === 'string' ? op.insert : '')).join('')
}

/** Lines of one node: a block holding blocks (a list, a quote) gives one line per inner block. */
function linesOf(node: Y.XmlElement | Y.XmlText | Y.XmlHook): string[] {
  if (node instanceof Y.XmlText) return [textOf(node)]
  if (!(node instanceof Y.XmlElement)) return []
  const children = node.toArray()
  if (children.some((child) => child instanceof Y.XmlElement)) return children.flatMap(linesOf)
  return [children.map((child) => (child instanceof Y.XmlText ? textOf(child) : '')).join('')]
}

export function fragmentText(fragment: Y.XmlFragment): string {
  return fragment.toArray().flatMap(linesOf).join('\n')
}

export function noteText(note: Y.Doc): string {
  return fragmentText(note.getXmlFragment(NOTE_FIELD))
}
