// Trash and delete-forever versus edits, decided only from facts every device can see.
//
// Trashing records a Yjs snapshot (state vector + delete set) of the note's content as the
// trashing device had it. Delete forever keeps that snapshot as a tombstone. Then:
//
//   A device whose copy of the content holds anything that snapshot does not contain (an insert or
//   a deletion the trashing device had not seen: typed offline before the trash reached it, typed
//   concurrently, or typed after) restores the note; for a tombstone it puts the note back in the
//   list. Otherwise the note stays in the trash, and a tombstone erases the local copy.
//
// So "an edit to a trashed note restores it", and it does not matter in which order the trash
// and the edit arrive, nor which device sees both first: the snapshot travels with the trash, the
// edits travel with the content, and whoever holds both applies the same rule. Trashing after
// having received someone's edits covers those edits: the note stays trashed.
//
// Why not flags alone: concurrent Y.Map writes resolve by client id, not by time, so "trash set
// after the edit" cannot be read off the flags. Restoring deletes the map entry, and a Yjs delete
// removes only the entry the restoring device saw, so a later, unseen trash survives it.

import * as Y from 'yjs'
import { deriveTitle } from './title'

/** True when `content` holds edits (inserts or deletions) that the recorded snapshot does not. */
export function hasUnseenEdits(content: Y.Doc, seen: Uint8Array): boolean {
  let recorded: Y.Snapshot
  try {
    recorded = Y.decodeSnapshot(seen)
  } catch {
    return true // unreadable record: keep the content rather than risk losing it
  }
  return !Y.snapshotContainsUpdate(recorded, Y.encodeStateAsUpdate(content))
}

/** The note's derived title from its Y.Doc (TipTap's `default` fragment), without an editor. */
export function titleFromContent(content: Y.Doc): string {
  const lines: string[] = []
  const textOf = (node: Y.XmlElement | Y.XmlText | Y.XmlHook): string => {
    if (node instanceof Y.XmlText) return node.toDelta().map((op: { insert?: unknown }) => (typeof op.insert === 'string' ? op.insert : '')).join('')
    if (node instanceof Y.XmlElement) return node.toArray().map((child) => textOf(child as Y.XmlElement | Y.XmlText)).join('')
    return ''
  }
  for (const block of content.getXmlFragment('default').toArray()) lines.push(textOf(block as Y.XmlElement | Y.XmlText))
  return deriveTitle(lines.join('\n'))
}
