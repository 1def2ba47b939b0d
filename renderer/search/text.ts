// The plain text of a note, as search indexes it (and history diffs and word count read it): one line per text block (paragraph, heading,
// code block, list item paragraph…), in document order. A hard break is a space inside its block,
// so "\n" always separates blocks.
//
// Every inline leaf the editor knows (text characters, hard break) is one character here and one
// position in ProseMirror, so (line, offset) in this text maps straight onto the editor's n-th
// text block and the same offset inside it (see match-position.ts).

import * as Y from 'yjs'
import { NOTE_FRAGMENT } from '../../protocol/notes'

/** Block types that hold inline content even when empty (an empty paragraph is still a line). */
const TEXT_BLOCKS = new Set(['paragraph', 'heading', 'codeBlock'])

function isTextBlock(element: Y.XmlElement): boolean {
  if (TEXT_BLOCKS.has(element.nodeName)) return true
  return element.toArray().some((child) => child instanceof Y.XmlText)
}

function inlineText(element: Y.XmlElement): string {
  let line = ''
  for (const child of element.toArray()) {
    if (child instanceof Y.XmlText) {
      for (const op of child.toDelta() as { insert: unknown }[]) if (typeof op.insert === 'string') line += op.insert
    } else if (child instanceof Y.XmlElement) {
      // A note link (an inline atom, one position in the editor) reads as a space, like a break.
      line += child.nodeName === 'hardBreak' || child.nodeName === 'noteLink' ? ' ' : inlineText(child)
    }
  }
  return line
}

function collectLines(node: Y.XmlFragment | Y.XmlElement, lines: string[]): void {
  for (const child of node.toArray()) {
    if (!(child instanceof Y.XmlElement)) continue
    if (isTextBlock(child)) lines.push(inlineText(child))
    else collectLines(child, lines)
  }
}

/** The text of the note content held in `doc` (its NOTE_FRAGMENT). Pure. */
export function noteText(doc: Y.Doc): string {
  const lines: string[] = []
  collectLines(doc.getXmlFragment(NOTE_FRAGMENT), lines)
  return lines.join('\n')
}

/** Identifies the content a text was taken from: the doc's state vector, base64. */
export function contentVersion(doc: Y.Doc): string {
  const bytes = Y.encodeStateVector(doc)
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}
