// The metadata rules: what one op does to the records, decided by the relay in its own order.
// docs/sync-rules.md is the table these implement; tests/unit/meta-rules.test.ts has one test
// per row. Pure: the caller supplies the records and the content check, and persists `writes`.
//
// `decide` is the relay's authoritative version. `applyOptimistic` is the app's local preview of
// its own pending ops: the same changes without the checks, so the list updates at once. Each op
// kind's own rule, preview and field are in its spec (op-specs.ts); these apply them alike.

import { conflictFieldBase, liveEntity, newNote, rejected, RELAY_ACTOR, type Decision, type RuleContext } from './rule-kit.js'
import { specOf, type MetaOp } from './op-specs.js'
import type { EntityRecord, NoteRecord } from './types.js'

export { liveFoldersIn, newFolder, newNote, type Decision, type RuleContext } from './rule-kit.js'

/** The relay's answer to one op, given the records as they stand in server order. */
export function decide(op: MetaOp, ctx: RuleContext, seq: number, at: number): Decision {
  const spec = specOf(op.kind)
  // A base newer than anything the workspace has would count as having seen changes that do not
  // exist yet, and so would override a conflict it should have raised.
  if (op.baseVersion >= seq) return rejected(ctx.get(spec.entityType, op.entity) ?? null, `baseVersion ${op.baseVersion} is newer than the workspace's newest change (${seq - 1})`)
  if (spec.decide) return spec.decide(op, ctx, seq, at)
  const record = liveEntity(spec.entityType, op, ctx)
  return 'status' in record ? record : spec.onLive!(record, op, ctx, seq, at)
}

/**
 * The relay's own change when a note's content changes: an edit to a trashed note restores it,
 * and an edit to a note deleted forever brings it back, when the edit is one the trashing or
 * deleting device had not seen. Returns null when nothing changes.
 */
export function onContentChanged(note: NoteRecord, hasUnseenContent: (snapshot: string) => boolean, seq: number, at: number): NoteRecord | null {
  if (!note.trashed && !note.deleted) return null
  if (note.trashSnapshot !== null && !hasUnseenContent(note.trashSnapshot)) return null
  const notice = note.deleted ? 'Restored: edited after it was deleted forever' : 'Restored: edited while in the trash'
  return { ...note, trashed: false, deleted: false, trashSnapshot: null, notice, version: seq, updatedAt: at }
}

/**
 * What is left of a note deleted forever once the relay has purged it (docs/sync-rules.md): the
 * id stays deleted, so a late op is rejected and late content is judged, but the record keeps no
 * title, folder, tags, snapshot or names — only its id and times.
 */
export function purgedTombstone(note: NoteRecord, seq: number, at: number): NoteRecord {
  // A new note's defaults (so a field added to notes is emptied here too), deleted, with its old creation time.
  return { ...newNote(note.id, { title: '', folderId: null, tags: [] }, seq, RELAY_ACTOR, at), createdAt: note.createdAt, deleted: true, trashed: true }
}

export const PURGED_REVIVED_NOTICE = 'Restored: edited on a device after it was deleted forever and purged; its old title, folder and tags are gone'

/**
 * A purged note whose content room received text the purged document never had (typed on a
 * device that was offline past the purge): it comes back, untitled and at the top level, saying
 * why, so the writer's text is visible everywhere rather than kept on one device only.
 */
export function revivePurged(tombstone: NoteRecord, seq: number, at: number): NoteRecord {
  return { ...tombstone, deleted: false, trashed: false, trashSnapshot: null, version: seq, updatedAt: at, notice: PURGED_REVIVED_NOTICE }
}

/**
 * The app's preview of its own op: the change it asks for, without the relay's checks. Pending
 * ops are replayed over the last known server record to show what the user just did.
 */
export function applyOptimistic(record: EntityRecord | undefined, op: MetaOp, at: number): EntityRecord | undefined {
  const spec = specOf(op.kind)
  if (!record) return spec.initial?.(op, at)
  if (record.type !== spec.entityType || !spec.preview) return record
  return spec.preview(record, op, at)
}

/** The field an op is checked against, for choosing its base version. */
export function baseFieldOf(op: Pick<MetaOp, 'kind' | 'payload'>, record: EntityRecord | undefined): number {
  if (!record) return 0
  const spec = specOf(op.kind)
  if (record.type !== spec.entityType) return record.version
  if (spec.conflict) return conflictFieldBase(record, spec.conflict.name as never)
  return spec.field?.base?.(record, op.payload) ?? record.version
}
