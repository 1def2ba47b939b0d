// The building blocks of the metadata rules, shared by the op specs (`note-ops.ts`,
// `folder-ops.ts`): the records a create makes, the three verdicts, the conflict-checked field
// change, and where a note lands when its folder is gone. Pure.

import {
  RECOVERED_FOLDER_ID,
  RECOVERED_FOLDER_NAME,
  type Actor,
  type EntityRecord,
  type EntityType,
  type FieldConflict,
  type FieldStamp,
  type FolderRecord,
  type NoteRecord,
  type OpStatus,
} from './types.js'
import { LIMITS } from './validate.js'

export interface RuleContext {
  get(type: EntityType, id: string): EntityRecord | undefined
  /** Live (not deleted) notes and folders directly inside `folderId`. */
  childrenOf(folderId: string): EntityRecord[]
  /** Live folders directly inside `parentId` (null: the top level), for unique folder names. */
  foldersIn(parentId: string | null): FolderRecord[]
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

/** What a rule needs of an op besides its payload. */
export interface OpHeader {
  readonly entity: string
  readonly baseVersion: number
  readonly actor: Actor
}

/** The fields of a record type that are conflict-checked: stamped in `fields`, disputed in `conflicts`. */
export type ConflictFieldOf<R extends EntityRecord> = keyof R['fields'] & keyof R['conflicts'] & string

export const RELAY_ACTOR: Actor = { device: 'relay', name: 'Relay' }

export function stamp(seq: number, actor: Actor, at: number): FieldStamp {
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

export const applied = (record: EntityRecord, writes: EntityRecord[] = [record], reason?: string): Decision => ({ status: 'applied', writes, record, ...(reason ? { reason } : {}) })
export const unchanged = (record: EntityRecord, reason?: string): Decision => ({ status: 'applied', writes: [], record, ...(reason ? { reason } : {}) })
export const rejected = (record: EntityRecord | null, reason: string, writes: EntityRecord[] = []): Decision => ({ status: 'rejected', writes, record, reason })

/** The seq an op on a conflict-checked field carries: the open conflict's (seeing it settles it), else the field's. */
export function conflictFieldBase<R extends EntityRecord>(record: R, field: ConflictFieldOf<R>): number {
  const conflicts = record.conflicts as Record<string, FieldConflict | undefined>
  const stamps = record.fields as Record<string, FieldStamp>
  // A stamp may be absent (a folder's place before its first move): set at seq 0.
  return conflicts[field]?.seq ?? stamps[field]?.seq ?? 0
}

/**
 * A change to a conflict-checked field. Two writers who set it from the same base disagree:
 * the later one (in server order) does not overwrite, the record gets an open conflict listing
 * both values, and only an op from someone who saw the conflict settles it.
 */
export function setField<R extends EntityRecord>(record: R, field: ConflictFieldOf<R>, value: string | null, op: OpHeader, seq: number, at: number): Decision {
  const stamps = record.fields as Record<string, FieldStamp>
  const conflicts = record.conflicts as Record<string, FieldConflict | undefined>
  const open = conflicts[field]
  const current = (record as unknown as Record<string, string | null>)[field]!
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

export const RECOVERED_REASON = 'the folder was deleted meanwhile; the note is in Recovered'

/**
 * Where a note or folder ends up when it asks for `folderId`: there, if it is live; else in the
 * Recovered folder (created on demand), so a concurrent folder delete never makes it unreachable.
 */
export function placeIn(folderId: string | null, ctx: RuleContext, seq: number, at: number): { folderId: string | null; extra: EntityRecord[]; recovered: boolean } {
  if (folderId === null) return { folderId: null, extra: [], recovered: false }
  const folder = ctx.get('folder', folderId)
  if (folder && !folder.deleted) return { folderId, extra: [], recovered: false }
  const recovered = ctx.get('folder', RECOVERED_FOLDER_ID)
  const extra = recovered && !recovered.deleted ? [] : [newFolder(RECOVERED_FOLDER_ID, { name: freeFolderName(RECOVERED_FOLDER_NAME, null, RECOVERED_FOLDER_ID, ctx), parentId: null }, seq, RELAY_ACTOR, at)]
  return { folderId: RECOVERED_FOLDER_ID, extra, recovered: true }
}

/**
 * How folder names are compared within a parent: exports write folders as directories, and a
 * case-insensitive file system would merge "Ideas" and "ideas", or two spellings of "é".
 */
export function folderNameKey(name: string): string {
  return name.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase()
}

/**
 * `name`, or the first of "name (2)", "name (3)"… that no folder in `taken` has (compared by
 * folderNameKey). Kept within the name length limit by shortening the name, never the suffix.
 */
export function unusedName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(folderNameKey(name))) return name
  for (let n = 2; ; n++) {
    const suffix = ` (${n})`
    const candidate = `${name.slice(0, LIMITS.titleLength - suffix.length).trimEnd()}${suffix}`
    if (!taken.has(folderNameKey(candidate))) return candidate
  }
}

/** Live folders directly in `parentId` among `records`, by id: `foldersIn` for records held in memory. */
export function liveFoldersIn(records: Iterable<EntityRecord>, parentId: string | null): FolderRecord[] {
  const folders: FolderRecord[] = []
  for (const r of records) if (r.type === 'folder' && !r.deleted && r.parentId === parentId) folders.push(r)
  return folders.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/** The name folder `self` gets in `parentId`: its own, or suffixed when a live sibling has it already. */
export function freeFolderName(name: string, parentId: string | null, self: string, ctx: Pick<RuleContext, 'foldersIn'>): string {
  return unusedName(name, new Set(ctx.foldersIn(parentId).filter((f) => f.id !== self).map((f) => folderNameKey(f.name))))
}

const MISSING: Record<EntityType, [missing: string, deleted: string]> = {
  note: ['no such note', 'the note was deleted forever'],
  folder: ['no such folder', 'the folder was deleted'],
}

/** The op's entity when it is live, else the op's rejection. */
export function liveEntity(type: EntityType, op: OpHeader, ctx: RuleContext): EntityRecord | Decision {
  const record = ctx.get(type, op.entity)
  if (!record || record.type !== type) return rejected(null, MISSING[type][0])
  if (record.deleted) return rejected(record, MISSING[type][1])
  return record
}

/** `note` changed by an op at `seq` (not a conflict-checked field: those go through setField). */
export const touch = (note: NoteRecord, changes: Partial<NoteRecord>, seq: number, at: number): NoteRecord => ({ ...note, ...changes, version: seq, updatedAt: at })
