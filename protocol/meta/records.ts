// Metadata records as they are stored, and their upgrades. Stored rows are JSON (the relay's
// meta.sqlite) or structured clones (the app's IndexedDB catalog) read back by later code, so each
// row type carries a `schemaVersion` and is read only through its `migrate` function here: it
// upgrades an older row one step at a time to the current shape, refuses a row from a newer
// Skein with a precise error, and checks that no field of the current shape is missing.
//
// A row without `schemaVersion` is version 0: what Skein wrote before versions existed. Version 1
// is version 0 plus the stamp. To add a field that old rows lack, give it a default in a new
// step (and bump the version); the fixtures in tests/fixtures/meta-records-v0 are real old rows.
//
// `schemaVersion` is a storage field only: writers add it (`stored…`), `migrate…` removes it, so
// records in memory and on the wire (op answers, the feed) are exactly as before.

import { isOpKind } from './op-specs.js'
import { newFolder, newNote } from './rule-kit.js'
import type { EntityRecord, EntityType, MetaOp } from './types.js'

export type EntryState = 'pending' | 'inflight' | 'failed' | 'conflicted' | 'synced'
export type SyncState = 'synced' | 'pending' | 'failed' | 'conflicted'

/** One queued op with its delivery bookkeeping. `seq` is the local order (per device). */
export interface OutboxEntry {
  readonly seq: number
  readonly op: MetaOp
  readonly entityType: EntityType
  readonly state: EntryState
  readonly attempts: number
  /** ms since epoch, this device's clock: only for scheduling retries here. */
  readonly nextAttemptAt: number
  readonly lastError: string | null
  readonly createdAt: number
  /**
   * The relay judged the op and refused it (status `rejected`): its verdict stands and the op no
   * longer shows. A request refused as a whole (bad token, 4xx) is failed but still shown: the
   * user's intent stays visible until it is retried or discarded.
   */
  readonly rejected?: boolean
  /**
   * Held back, not sent: the create of a draft note (a new, untouched note), released by its
   * first edit or metadata change, or dropped with the note when it is left untouched.
   */
  readonly held?: boolean
}

/** An entity as this device holds it. */
export interface LocalEntity {
  /** `${type}:${id}`, the IndexedDB key. */
  readonly key: string
  readonly type: EntityType
  readonly id: string
  /** The relay's record as last heard (feed or op answer); null until the relay has it. */
  readonly base: EntityRecord | null
  /** What the user sees: `base` with this device's pending ops applied. Null once gone for good. */
  readonly view: EntityRecord | null
  readonly sync: SyncState
  readonly attempts: number
  readonly lastError: string | null
  /** Notes: the relay's content seq as the feed reported it, and the one this device has pulled. */
  readonly contentSeq: number
  readonly contentPulled: number
  /** Notes: this device holds content the relay has not acknowledged storing. */
  readonly contentDirty: boolean
  /**
   * Notes: this device holds saved versions (the note's history room) the relay has not
   * acknowledged. Optional: records written before it existed have none.
   */
  readonly historyDirty?: boolean
  /**
   * Notes: background sync has compared this device's content with what the relay has stored at
   * least once. Until then the note is re-checked, so content whose "unacknowledged" mark was
   * never written (or lost) cannot stay off the relay unnoticed. Optional: older records lack it.
   */
  readonly contentChecked?: boolean
  /** Notes: a draft, whose create is held in the outbox (OutboxEntry.held). Optional: older records lack it. */
  readonly draft?: boolean
}


export class RecordVersionError extends Error {
  override readonly name = 'RecordVersionError'
}

type Row = Record<string, unknown>
/** An upgrade of a row from one version to the next. */
type Step = (row: Row) => Row

interface RecordType {
  /** How errors name a row, e.g. 'note record n1'. */
  describe(row: Row): string
  /** steps[i] upgrades version i to i + 1; the current version is their number. */
  readonly steps: readonly Step[]
  /** The fields a row of the current shape has. */
  readonly fields: readonly string[]
  /** Any other problem with a row in the current shape (after its steps), or null. */
  problem?(row: Row): string | null
}

// Version 1 is version 0 with its schemaVersion: nothing to change.
const V0_TO_V1: Step = (row) => row

const isRow = (value: unknown): value is Row => typeof value === 'object' && value !== null && !Array.isArray(value)

function migrate(type: RecordType, what: string, raw: unknown): unknown {
  if (!isRow(raw)) throw new RecordVersionError(`${what} is not an object: ${JSON.stringify(raw)}`)
  const name = type.describe(raw)
  const version = raw.schemaVersion ?? 0
  const newest = type.steps.length
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) throw new RecordVersionError(`${name} has an invalid schemaVersion ${JSON.stringify(version)}`)
  if (version > newest) throw new RecordVersionError(`${name} has schemaVersion ${version}, but this version of Skein reads at most ${newest}: it was written by a newer Skein`)
  let row = raw
  for (let v = version; v < newest; v++) row = type.steps[v]!(row)
  const { schemaVersion: _stamp, ...current } = row
  const problem = missing(current, type.fields) ?? type.problem?.(current) ?? null
  if (problem !== null) throw new RecordVersionError(`${name} (schemaVersion ${version}) ${problem}`)
  return current
}

const missing = (row: Row, fields: readonly string[]): string | null => {
  const absent = fields.filter((f) => !(f in row))
  return absent.length ? `lacks ${absent.map((f) => `"${f}"`).join(', ')}` : null
}

// The fields every current record has: those a create makes (a new field appears here by itself).
const ACTOR = { device: 'relay', name: '' }
const RECORD_FIELDS: Record<EntityType, readonly string[]> = {
  note: Object.keys(newNote('x', { title: '', folderId: null, tags: [] }, 0, ACTOR, 0)),
  folder: Object.keys(newFolder('x', { name: '', parentId: null }, 0, ACTOR, 0)),
}

function recordProblem(row: Row): string | null {
  if (row.type !== 'note' && row.type !== 'folder') return `has an unknown type ${JSON.stringify(row.type)}`
  return missing(row, RECORD_FIELDS[row.type])
}

const ENTITY_RECORD: RecordType = {
  describe: (row) => `${String(row.type)} record ${String(row.id)}`,
  steps: [V0_TO_V1],
  fields: [],
  problem: recordProblem,
}

const LOCAL_ENTITY_FIELDS = ['key', 'type', 'id', 'base', 'view', 'sync', 'attempts', 'lastError', 'contentSeq', 'contentPulled', 'contentDirty'] as const satisfies readonly (keyof LocalEntity)[]

const LOCAL_ENTITY: RecordType = {
  describe: (row) => `stored entity ${String(row.key)}`,
  steps: [V0_TO_V1],
  fields: LOCAL_ENTITY_FIELDS,
  problem(row) {
    for (const side of ['base', 'view'] as const) {
      const record = row[side]
      const problem = record === null ? null : isRow(record) ? recordProblem(record) : 'is not an object'
      if (problem !== null) return `has a ${side} record that ${problem}`
    }
    return null
  },
}

const OUTBOX_ENTRY_FIELDS = ['seq', 'op', 'entityType', 'state', 'attempts', 'nextAttemptAt', 'lastError', 'createdAt'] as const satisfies readonly (keyof OutboxEntry)[]

const OUTBOX_ENTRY: RecordType = {
  describe: (row) => `outbox entry ${String(row.seq)}`,
  steps: [V0_TO_V1],
  fields: OUTBOX_ENTRY_FIELDS,
  problem(row) {
    const kind = isRow(row.op) ? row.op.kind : undefined
    return isOpKind(kind) ? null : `holds an op of unknown kind ${JSON.stringify(kind)}`
  },
}

/** A relay record (meta.sqlite's `record`, parsed) in the current shape. Throws RecordVersionError. */
export function migrateEntity(raw: unknown): EntityRecord {
  return migrate(ENTITY_RECORD, 'a stored record', raw) as EntityRecord
}

/** A catalog entity row (IndexedDB `entities`) in the current shape. Throws RecordVersionError. */
export function migrateLocalEntity(raw: unknown): LocalEntity {
  return migrate(LOCAL_ENTITY, 'a stored entity', raw) as LocalEntity
}

/** A catalog outbox row (IndexedDB `outbox`) in the current shape. Throws RecordVersionError. */
export function migrateOutboxEntry(raw: unknown): OutboxEntry {
  return migrate(OUTBOX_ENTRY, 'a stored outbox entry', raw) as OutboxEntry
}

/** The schemaVersion each row type is written with now. */
export const SCHEMA_VERSIONS = { entity: ENTITY_RECORD.steps.length, localEntity: LOCAL_ENTITY.steps.length, outboxEntry: OUTBOX_ENTRY.steps.length } as const

export type Stored<T> = T & { readonly schemaVersion: number }

/** What the relay stores for a record. */
export const storedEntity = (record: EntityRecord): Stored<EntityRecord> => ({ ...record, schemaVersion: ENTITY_RECORD.steps.length })
/** What the catalog stores for an entity. */
export const storedLocalEntity = (entity: LocalEntity): Stored<LocalEntity> => ({ ...entity, schemaVersion: LOCAL_ENTITY.steps.length })
/** What the catalog stores for an outbox entry. */
export const storedOutboxEntry = (entry: OutboxEntry): Stored<OutboxEntry> => ({ ...entry, schemaVersion: OUTBOX_ENTRY.steps.length })
