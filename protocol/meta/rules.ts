// The metadata rules: what one op does to the records, decided by the relay in its own order.
// docs/sync-rules.md is the table these implement; tests/unit/meta-rules.test.ts has one test
// per row. Pure: the caller supplies the records and the content check, and persists `writes`.
//
// `decide` is the relay's authoritative version. `applyOptimistic` is the app's local preview of
// its own pending ops: the same changes without the checks, so the list updates at once.

import { unionSnapshots } from './snapshots.js'
import {
  RECOVERED_FOLDER_ID,
  entityTypeOf,
  RECOVERED_FOLDER_NAME,
  type Actor,
  type EntityRecord,
  type EntityType,
  type FieldConflict,
  type FieldStamp,
  type FolderRecord,
  type MetaOp,
  type NoteRecord,
  type OpStatus,
} from './types.js'

export interface RuleContext {
  get(type: EntityType, id: string): EntityRecord | undefined
  /** Live (not deleted) notes and folders directly inside `folderId`. */
  childrenOf(folderId: string): EntityRecord[]
  /** True when the relay's stored content of the note holds edits `snapshot` does not. */
  hasUnseenContent(noteId: string, snapshot: string): boolean
}

export interface Decision {
  readonly status: Exclude<OpStatus, 'duplicate'>
  /** Records to store, each already stamped with the op's seq. */
  readonly writes: readonly EntityRecord[]
  /** The op's entity after the op (or as it stands, for conflict and rejected). */
  readonly record: EntityRecord | null
  readonly reason?: string
}

const RELAY_ACTOR: Actor = { device: 'relay', name: 'Relay' }

type ConflictField = 'title' | 'folderId' | 'name'

function stamp(seq: number, actor: Actor, at: number): FieldStamp {
  return { seq, actor, at }
}

export function newNote(id: string, init: { title: string; folderId: string | null; tags: readonly string[] }, seq: number, actor: Actor, at: number): NoteRecord {
  const tags = [...new Set(init.tags)].sort()
  return {
    type: 'note',
    id,
    version: seq,
    createdAt: at,
    updatedAt: at,
    deleted: false,
    title: init.title,
    folderId: init.folderId,
    tags,
    tagAdded: Object.fromEntries(tags.map((t) => [t, seq])),
    pinned: false,
    trashed: false,
    trashSnapshot: null,
    fields: { title: stamp(seq, actor, at), folderId: stamp(seq, actor, at) },
    conflicts: {},
    notice: null,
  }
}

export function newFolder(id: string, init: { name: string; parentId: string | null }, seq: number, actor: Actor, at: number): FolderRecord {
  return {
    type: 'folder',
    id,
    version: seq,
    createdAt: at,
    updatedAt: at,
    deleted: false,
    name: init.name,
    parentId: init.parentId,
    fields: { name: stamp(seq, actor, at) },
    conflicts: {},
  }
}

const applied = (record: EntityRecord, writes: EntityRecord[] = [record], reason?: string): Decision => ({ status: 'applied', writes, record, ...(reason ? { reason } : {}) })
const unchanged = (record: EntityRecord, reason?: string): Decision => ({ status: 'applied', writes: [], record, ...(reason ? { reason } : {}) })
const rejected = (record: EntityRecord | null, reason: string, writes: EntityRecord[] = []): Decision => ({ status: 'rejected', writes, record, reason })

function fieldValue(record: EntityRecord, field: ConflictField): string | null {
  if (record.type === 'note') return field === 'title' ? record.title : record.folderId
  return record.name
}

/**
 * A change to a conflict-checked field. Two writers who set it from the same base disagree:
 * the later one (in server order) does not overwrite, the record gets an open conflict listing
 * both values, and only an op from someone who saw the conflict settles it.
 */
function setField<R extends EntityRecord>(record: R, field: ConflictField, value: string | null, op: MetaOp, seq: number, at: number): Decision {
  const stamps = record.fields as Record<string, FieldStamp>
  const conflicts = record.conflicts as Record<string, FieldConflict | undefined>
  const open = conflicts[field]
  const current = fieldValue(record, field)
  const saw = open ? op.baseVersion >= open.seq : op.baseVersion >= (stamps[field]?.seq ?? 0)
  if (!saw) {
    if (!open && value === current) return unchanged(record) // both wrote the same thing
    const candidates = open ? [...open.candidates] : [{ value: current, actor: stamps[field]!.actor, seq: stamps[field]!.seq, at: stamps[field]!.at }]
    if (!candidates.some((c) => c.value === value)) candidates.push({ value, actor: op.actor, seq, at })
    const next = { ...record, version: seq, updatedAt: at, conflicts: { ...conflicts, [field]: { seq, candidates } } } as R
    return { status: 'conflict', writes: [next], record: next, reason: `${field} was changed elsewhere since this change was made` }
  }
  const rest = { ...conflicts }
  delete rest[field]
  if (value === current && !open) return unchanged(record)
  const next = { ...record, [field]: value, version: seq, updatedAt: at, fields: { ...stamps, [field]: stamp(seq, op.actor, at) }, conflicts: rest } as R
  return applied(next)
}

/**
 * Where a note or folder ends up when it asks for `folderId`: there, if it is live; else in the
 * Recovered folder (created on demand), so a concurrent folder delete never makes it unreachable.
 */
function placeIn(folderId: string | null, ctx: RuleContext, seq: number, at: number): { folderId: string | null; extra: EntityRecord[]; recovered: boolean } {
  if (folderId === null) return { folderId: null, extra: [], recovered: false }
  const folder = ctx.get('folder', folderId)
  if (folder && !folder.deleted) return { folderId, extra: [], recovered: false }
  const recovered = ctx.get('folder', RECOVERED_FOLDER_ID)
  const extra = recovered && !recovered.deleted ? [] : [newFolder(RECOVERED_FOLDER_ID, { name: RECOVERED_FOLDER_NAME, parentId: null }, seq, RELAY_ACTOR, at)]
  return { folderId: RECOVERED_FOLDER_ID, extra, recovered: true }
}

const RECOVERED_REASON = 'the folder was deleted meanwhile; the note is in Recovered'

function liveNote(op: MetaOp, ctx: RuleContext): NoteRecord | Decision {
  const record = ctx.get('note', op.entity)
  if (!record || record.type !== 'note') return rejected(null, 'no such note')
  if (record.deleted) return rejected(record, 'the note was deleted forever')
  return record
}

function liveFolder(op: MetaOp, ctx: RuleContext): FolderRecord | Decision {
  const record = ctx.get('folder', op.entity)
  if (!record || record.type !== 'folder') return rejected(null, 'no such folder')
  if (record.deleted) return rejected(record, 'the folder was deleted')
  return record
}

const isDecision = (value: EntityRecord | Decision): value is Decision => 'status' in value

/** The relay's answer to one op, given the records as they stand in server order. */
export function decide(op: MetaOp, ctx: RuleContext, seq: number, at: number): Decision {
  // A base newer than anything the workspace has would count as having seen changes that do not
  // exist yet, and so would override a conflict it should have raised.
  if (op.baseVersion >= seq) return rejected(ctx.get(entityTypeOf(op.kind), op.entity) ?? null, `baseVersion ${op.baseVersion} is newer than the workspace's newest change (${seq - 1})`)
  switch (op.kind) {
    case 'note.create': {
      const existing = ctx.get('note', op.entity)
      // Idempotent by note id: a second create (another op id, e.g. from a migration) changes nothing.
      if (existing) return existing.deleted ? rejected(existing, 'the note was deleted forever') : unchanged(existing)
      const place = placeIn(op.payload.folderId, ctx, seq, at)
      const note = newNote(op.entity, { ...op.payload, folderId: place.folderId }, seq, op.actor, at)
      return applied(note, [...place.extra, note], place.recovered ? RECOVERED_REASON : undefined)
    }
    case 'folder.create': {
      const existing = ctx.get('folder', op.entity)
      if (existing) return existing.deleted ? rejected(existing, 'the folder was deleted') : unchanged(existing)
      const parent = op.payload.parentId === null ? null : ctx.get('folder', op.payload.parentId)
      const folder = newFolder(op.entity, { name: op.payload.name, parentId: parent && !parent.deleted ? parent.id : null }, seq, op.actor, at)
      return applied(folder)
    }
    case 'folder.rename': {
      const folder = liveFolder(op, ctx)
      return isDecision(folder) ? folder : setField(folder, 'name', op.payload.name, op, seq, at)
    }
    case 'folder.delete': {
      const folder = ctx.get('folder', op.entity)
      if (!folder || folder.type !== 'folder') return rejected(null, 'no such folder')
      if (folder.deleted) return unchanged(folder)
      // Deleting a folder never deletes what is in it: children move up to the folder's parent.
      // The move is not the children's own change, so it stamps no field and conflicts with nothing.
      const moved = ctx.childrenOf(folder.id).map((child): EntityRecord =>
        child.type === 'note' ? { ...child, folderId: folder.parentId, version: seq, updatedAt: at } : { ...child, parentId: folder.parentId, version: seq, updatedAt: at },
      )
      const gone: FolderRecord = { ...folder, deleted: true, version: seq, updatedAt: at }
      return applied(gone, [gone, ...moved])
    }
    default:
      break
  }

  const note = liveNote(op, ctx)
  if (isDecision(note)) return note
  const touch = (changes: Partial<NoteRecord>): NoteRecord => ({ ...note, ...changes, version: seq, updatedAt: at })
  switch (op.kind) {
    case 'note.rename':
      return setField(note, 'title', op.payload.title, op, seq, at)
    case 'note.move': {
      const place = placeIn(op.payload.folderId, ctx, seq, at)
      const decision = setField(note, 'folderId', place.folderId, op, seq, at)
      if (decision.status !== 'applied' || !place.recovered) return decision
      return applied(decision.record!, [...place.extra, ...decision.writes], RECOVERED_REASON)
    }
    case 'note.tag': {
      const tag = op.payload.tag
      if (note.tags.includes(tag)) return unchanged(note)
      return applied(touch({ tags: [...note.tags, tag].sort(), tagAdded: { ...note.tagAdded, [tag]: seq } }))
    }
    case 'note.untag': {
      const tag = op.payload.tag
      if (!note.tags.includes(tag)) return unchanged(note)
      // Add wins: a removal only takes away the addition its sender had seen.
      if ((note.tagAdded[tag] ?? 0) > op.baseVersion) return unchanged(note, 'the tag was added again elsewhere; adding wins')
      const tagAdded = { ...note.tagAdded }
      delete tagAdded[tag]
      return applied(touch({ tags: note.tags.filter((t) => t !== tag), tagAdded }))
    }
    case 'note.pin':
      return note.pinned === op.payload.pinned ? unchanged(note) : applied(touch({ pinned: op.payload.pinned }))
    case 'note.trash':
      // Trashing twice keeps what both trashing devices saw, so neither one's view is forgotten.
      return applied(touch({ trashed: true, trashSnapshot: unionSnapshots(note.trashed ? note.trashSnapshot : null, op.payload.snapshot), notice: null }))
    case 'note.restore':
      return note.trashed ? applied(touch({ trashed: false, trashSnapshot: null, notice: null })) : unchanged(note)
    case 'note.delete': {
      if (!note.trashed) return rejected(note, 'the note was restored elsewhere; it is not in the trash')
      const seen = unionSnapshots(note.trashSnapshot, op.payload.snapshot)
      if (ctx.hasUnseenContent(note.id, seen)) {
        const back = touch({ trashed: false, trashSnapshot: null, notice: 'Restored: it had edits the deleting device had not seen' })
        return rejected(back, 'the note has edits you had not seen; it is back in the notes list', [back])
      }
      return applied(touch({ deleted: true, trashSnapshot: seen }))
    }
  }
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
  return {
    type: 'note',
    id: note.id,
    version: seq,
    createdAt: note.createdAt,
    updatedAt: at,
    deleted: true,
    title: '',
    folderId: null,
    tags: [],
    tagAdded: {},
    pinned: false,
    trashed: true,
    trashSnapshot: null,
    fields: { title: stamp(seq, RELAY_ACTOR, at), folderId: stamp(seq, RELAY_ACTOR, at) },
    conflicts: {},
    notice: null,
  }
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
  const pending = 0 // versions stay at the server's; a preview has no seq yet
  if (op.kind === 'note.create') return record ?? { ...newNote(op.entity, op.payload, pending, op.actor, at) }
  if (op.kind === 'folder.create') return record ?? newFolder(op.entity, op.payload, pending, op.actor, at)
  if (!record) return record
  if (record.type === 'folder') {
    if (op.kind === 'folder.rename') return { ...record, name: op.payload.name }
    if (op.kind === 'folder.delete') return { ...record, deleted: true }
    return record
  }
  switch (op.kind) {
    case 'note.rename':
      return { ...record, title: op.payload.title }
    case 'note.move':
      return { ...record, folderId: op.payload.folderId }
    case 'note.tag':
      return record.tags.includes(op.payload.tag) ? record : { ...record, tags: [...record.tags, op.payload.tag].sort() }
    case 'note.untag':
      return { ...record, tags: record.tags.filter((t) => t !== op.payload.tag) }
    case 'note.pin':
      return { ...record, pinned: op.payload.pinned }
    case 'note.trash':
      return { ...record, trashed: true }
    case 'note.restore':
      return { ...record, trashed: false, notice: null }
    case 'note.delete':
      return { ...record, deleted: true }
    default:
      return record
  }
}

/** The field an op is checked against, for choosing its base version. */
export function baseFieldOf(op: Pick<MetaOp, 'kind' | 'payload'>, record: EntityRecord | undefined): number {
  if (!record) return 0
  if (record.type === 'note') {
    if (op.kind === 'note.rename') return record.conflicts.title?.seq ?? record.fields.title.seq
    if (op.kind === 'note.move') return record.conflicts.folderId?.seq ?? record.fields.folderId.seq
    if (op.kind === 'note.untag') return record.tagAdded[(op.payload as { tag: string }).tag] ?? record.version
  } else if (op.kind === 'folder.rename') {
    return record.conflicts.name?.seq ?? record.fields.name.seq
  }
  return record.version
}
