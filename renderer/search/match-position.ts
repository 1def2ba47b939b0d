// Puts the editor's selection on a search match. The match is given as (block, offset) in the
// note's plain text (text.ts): the n-th text block of the ProseMirror document, same offset. If
// the document changed since it was indexed and the words there differ, the first occurrence of
// the matched word anywhere in the note is used instead.

import type { Node as ProseMirrorNode } from '@tiptap/pm/model'
import type { MatchLocation } from './highlight'

export type FocusMatch = MatchLocation

/** The [from, to) document positions of the match, or null when the word is not in the note. */
export function matchSelection(doc: ProseMirrorNode, match: FocusMatch): { from: number; to: number } | null {
  const blocks: { pos: number; text: string }[] = []
  doc.descendants((node, pos) => {
    if (!node.isTextblock) return true
    // One character per inline leaf (hard break included), as in text.ts.
    blocks.push({ pos: pos + 1, text: node.textBetween(0, node.content.size, undefined, ' ') })
    return false
  })
  const word = match.word.toLowerCase()
  const exact = blocks[match.line]
  if (exact && exact.text.slice(match.offset, match.offset + word.length).toLowerCase() === word) {
    return { from: exact.pos + match.offset, to: exact.pos + match.offset + word.length }
  }
  for (const block of blocks) {
    const at = block.text.toLowerCase().indexOf(word)
    if (at >= 0) return { from: block.pos + at, to: block.pos + at + word.length }
  }
  return null
}
