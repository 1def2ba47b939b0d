// The content ledger: for each note, what this device knows about its text (and saved versions)
// relative to the relay. Metadata ops never touch it; the note's open document (DocHandle, via
// contentStateRecorder), background content sync and the change feed do.
// - `contentDirty` / `historyDirty`: this device holds text / versions the relay has not
//   acknowledged storing. Set before anything else may forget the edit; cleared only by an
//   acknowledgement covering everything here.
// - `contentSeq`: the relay's content position for the note, as its change feed last said.
// - `contentPulled`: the position this device has caught up to (pulled, or proven in step).
// - `contentChecked`: this note was compared with the relay at least once.
// The ledger is stored in the note's catalog row, not a store of its own, so that a delete that
// erases the ledger and the metadata change that caused it are one IndexedDB transaction.

import type { LocalEntity } from './outbox'

export type ContentLedgerEntry = Pick<LocalEntity, 'contentSeq' | 'contentPulled' | 'contentDirty' | 'historyDirty' | 'contentChecked'>
export type ContentPart = 'text' | 'history'

/** A note nobody has told this device anything about yet. */
export const EMPTY_LEDGER = { contentSeq: 0, contentPulled: 0, contentDirty: false } as const satisfies ContentLedgerEntry
/** What a note deleted for good keeps: nothing to send, nothing to pull. */
const ERASED = { contentPulled: 0, contentDirty: false, historyDirty: false } as const

/** This device holds text or versions of the note that the relay has not stored. */
export const holdsUnsent = (e: ContentLedgerEntry): boolean => e.contentDirty || e.historyDirty === true

/** A live note the relay has newer content of than this device has pulled (background sync brings it). */
export const isBehindRelay = (e: LocalEntity): boolean => e.type === 'note' && e.view !== null && !e.view.deleted && e.contentSeq > e.contentPulled

/**
 * Notes whose content needs a background sync: unacknowledged local edits, newer on the relay,
 * or never compared with the relay at all. Marked edits come first: they are what a writer
 * could lose.
 */
export function contentWork(entities: Iterable<LocalEntity>): string[] {
  const urgent: string[] = []
  const rest: string[] = []
  for (const e of entities) {
    // A draft is not synced at all until it is touched (Catalog.createNote).
    if (e.type !== 'note' || !e.view || e.draft === true) continue
    // A note deleted elsewhere still sends the text this device has and the relay lacks.
    if (holdsUnsent(e)) urgent.push(e.id)
    else if (isBehindRelay(e) || (!e.view.deleted && e.contentChecked !== true)) rest.push(e.id)
  }
  return [...urgent, ...rest]
}

/** The change to record that `part` of the note is (or no longer is) unacknowledged; null if none. */
export function markedPatch(e: ContentLedgerEntry, dirty: boolean, part: ContentPart): Partial<ContentLedgerEntry> | null {
  const field = part === 'text' ? 'contentDirty' : 'historyDirty'
  return (e[field] ?? false) === dirty ? null : { [field]: dirty }
}

/** Background sync compared the note with the relay, up to the relay's content seq `seq`. */
export function syncedPatch(e: ContentLedgerEntry, seq: number): Partial<ContentLedgerEntry> | null {
  return e.contentPulled >= seq && e.contentChecked === true ? null : { contentPulled: Math.max(seq, e.contentPulled), contentChecked: true }
}

/**
 * The feed says the relay's content is at `contentSeq`. When the note is open here and proven in
 * step with the relay after the feed was read (`inStep`), and holds nothing unsent, it is caught
 * up already; otherwise background sync must pull it.
 */
export function feedPatch(e: ContentLedgerEntry | undefined, contentSeq: number, inStep: boolean): Partial<ContentLedgerEntry> {
  const seq = Math.max(e?.contentSeq ?? 0, contentSeq)
  if (!e || !inStep || holdsUnsent(e)) return { contentSeq: seq }
  return { contentSeq: seq, contentPulled: Math.max(e.contentPulled, seq), contentChecked: true }
}

/**
 * Deleted here: the text goes, as the user asked. Deleted elsewhere while this device holds text
 * the relay never got: that text is kept and still sent, and the relay brings the note back with
 * it (docs/sync-rules.md), so nothing typed here is lost to someone else's delete.
 */
export function ledgerAfterDelete(deleted: boolean, deletedHere: boolean, e: Partial<ContentLedgerEntry>): Partial<ContentLedgerEntry> {
  return deleted && (deletedHere || !e.contentDirty) ? ERASED : {}
}

/** What background content sync needs of the catalog (the Catalog is one). */
export interface ContentLedger {
  contentWork(): string[]
  get(type: 'note', id: string): ContentLedgerEntry | undefined
  markContentSynced(noteId: string, seq: number): Promise<void>
  subscribe(listener: () => void): () => void
}

/** Where a note's open document records whether the relay has all of it (the Catalog is one). */
export interface ContentMarks {
  setContentDirty(noteId: string, dirty: boolean, part?: ContentPart): Promise<void>
}
