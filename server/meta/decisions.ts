// The relay's own decisions about content and purges: protocol rules applied to a note's stored
// state and its content, which the caller read before the transaction. Pure and synchronous; the
// storage calls them inside its transaction (server/meta/storage.ts).

import * as Y from 'yjs'
import { decide, onContentChanged, purgedTombstone, revivePurged, type RuleContext } from '../../protocol/meta/rules.js'
import { hasUnseenEdits, reachedStateVector, updateInsertsBeyond } from '../../protocol/meta/snapshots.js'
import type { ContentChange, DecideOp, PurgeDecision, NoteState } from './storage.js'

const EMPTY_STATE = Y.encodeStateAsUpdate(new Y.Doc())

/** A note's content as one update per room, encoded only when a rule asks for it. */
export interface NoteContent {
  note(): Uint8Array
  /** Asked only of a purged note. */
  history(): Uint8Array
}

/** `decide` from the protocol rules, with the content check and the relay's clock bound in. */
export function opDecider(hasUnseenContent: RuleContext['hasUnseenContent'], now: number): DecideOp {
  return (op, records, seq) => decide(op, { get: (type, id) => records.get(type, id), childrenOf: (id) => records.childrenOf(id), foldersIn: (id) => records.foldersIn(id), hasUnseenContent }, seq, now)
}

/**
 * A content change: an unseen edit brings a trashed (or deleted) note back; a purged note changes
 * only when its rooms hold content the purged ones never had (late content), and then comes back.
 */
export function contentDecider(content: NoteContent, now: number): ContentChange['decide'] {
  return ({ record, purged }, seq) => {
    if (purged) {
      const late = updateInsertsBeyond(content.note(), purged.note) || updateInsertsBeyond(content.history(), purged.history)
      return late && record ? { record: revivePurged(record, seq, now), endPurge: true } : null
    }
    const restored = record ? onContentChanged(record, (snapshot) => hasUnseenEdits(content.note(), snapshot), seq, now) : null
    return { record: restored, endPurge: false }
  }
}

/**
 * A purge of a note deleted forever at or before `cutoff`, given its rooms' stored content: the
 * record becomes a tombstone and the rooms' clocks are kept; rooms holding edits the deleting
 * device never saw bring the note back instead, as they would have when recorded.
 */
export function purgeDecider(stored: { note: Uint8Array | null; history: Uint8Array | null }, cutoff: number, now: number) {
  return ({ record, purged }: NoteState, seq: number): PurgeDecision => {
    if (!record || !record.deleted || purged || record.updatedAt > cutoff) return { kind: 'skip' }
    const note = stored.note ?? EMPTY_STATE
    if (record.trashSnapshot !== null && hasUnseenEdits(note, record.trashSnapshot)) return { kind: 'restored', record: onContentChanged(record, () => true, seq, now)! }
    return { kind: 'purge', tombstone: purgedTombstone(record, seq, now), purged: { note: reachedStateVector(note), history: reachedStateVector(stored.history ?? EMPTY_STATE) } }
  }
}
