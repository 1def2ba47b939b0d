// The metadata wire contract shared by the app and the relay: records, ops and op results.
//
// Metadata is everything about a note that is not its content (title, folder, tags, pin, trash)
// plus folders. Unlike content it cannot always merge, so every change is an op with an id, sent
// through a durable outbox, applied by the relay at most once, and ordered by the relay's own
// sequence numbers (`seq`). Client clocks never order anything; `at` fields are for display.

import type { MetaOp } from './op-specs.js'

export type EntityType = 'note' | 'folder'

/** Who made a change: a device id (random, per install) and the name the user chose. */
export interface Actor {
  readonly device: string
  readonly name: string
}

/** One side of a disagreement, in server order. */
export interface ConflictCandidate {
  readonly value: string | null
  readonly actor: Actor
  readonly seq: number
  /** Server clock, ms since epoch; display only. */
  readonly at: number
}

/**
 * A field two writers changed from the same base. `candidates[0]` is the value the record holds;
 * the rest are the values that arrived later from an older base. Open until an op that saw it
 * (baseVersion ≥ `seq`) sets the field.
 */
export interface FieldConflict {
  readonly seq: number
  readonly candidates: readonly ConflictCandidate[]
}

/** Who last set a field explicitly, and when in server order. */
export interface FieldStamp {
  readonly seq: number
  readonly actor: Actor
  readonly at: number
}

interface RecordBase {
  readonly id: string
  /** Seq of the last change to this record. */
  readonly version: number
  readonly createdAt: number
  readonly updatedAt: number
  readonly deleted: boolean
}

export interface NoteRecord extends RecordBase {
  readonly type: 'note'
  readonly title: string
  readonly folderId: string | null
  /** Sorted, unique. */
  readonly tags: readonly string[]
  /** Seq at which each current tag was (last) added: a removal from an older base loses to it. */
  readonly tagAdded: Readonly<Record<string, number>>
  readonly pinned: boolean
  readonly trashed: boolean
  /** Base64 Yjs snapshot of the content as the trashing (or deleting) device had it. */
  readonly trashSnapshot: string | null
  /** The last explicit change to each conflict-checked field. */
  readonly fields: { readonly title: FieldStamp; readonly folderId: FieldStamp }
  readonly conflicts: { readonly title?: FieldConflict; readonly folderId?: FieldConflict }
  /** Why the relay changed this note by itself (e.g. restored because it was edited in the trash). */
  readonly notice: string | null
}

export interface FolderRecord extends RecordBase {
  readonly type: 'folder'
  readonly name: string
  readonly parentId: string | null
  /**
   * `parentId` is stamped by the folder's first move (folder.move). Until then a folder's place
   * counts as set at seq 0, so records from before folder moves existed need no upgrade.
   */
  readonly fields: { readonly name: FieldStamp; readonly parentId?: FieldStamp }
  readonly conflicts: { readonly name?: FieldConflict; readonly parentId?: FieldConflict }
}

export type EntityRecord = NoteRecord | FolderRecord

// Ops: each kind is a spec in op-specs.ts, and these types are derived from the specs.
export type { ConflictField, MetaOp, OpKind, OpPayloads } from './op-specs.js'
export type { OpOf } from './op-spec.js'

export type OpStatus = 'applied' | 'duplicate' | 'conflict' | 'rejected'

export interface OpResult {
  readonly opId: string
  readonly status: OpStatus
  /** The relay's seq for the op (applied, conflict); null when nothing was recorded. */
  readonly seq: number | null
  /** The record after the op: the current server record, which a conflict answer carries. */
  readonly record: EntityRecord | null
  readonly reason?: string
  /** For `duplicate`: the answer the op got the first time. */
  readonly original?: { readonly status: Exclude<OpStatus, 'duplicate'>; readonly seq: number | null; readonly reason?: string }
}

export interface OpsResponse {
  readonly results: readonly OpResult[]
}

/** One entry of the change feed: the entity's current record, and its content seq for notes. */
export interface FeedEntry {
  readonly type: EntityType
  readonly id: string
  /** Null when only content is known (content arrived before the note's create op). */
  readonly record: EntityRecord | null
  /** Seq of the last content change the relay stored for this note; 0 if none. */
  readonly contentSeq: number
  /** max(record.version, contentSeq): the feed's order. */
  readonly seq: number
}

export interface ChangesResponse {
  readonly entries: readonly FeedEntry[]
  /** Pass as `since` next time. */
  readonly cursor: number
  /** More entries are waiting beyond this page. */
  readonly more: boolean
}

/** Kinds are named `<entity type>.<verb>` (the registry checks its specs agree). */
export function entityTypeOf(kind: MetaOp['kind']): EntityType {
  return kind.startsWith('note.') ? 'note' : 'folder'
}

/** The folder notes land in when the folder they were moved to was deleted meanwhile. */
export const RECOVERED_FOLDER_ID = 'recovered'
export const RECOVERED_FOLDER_NAME = 'Recovered'
