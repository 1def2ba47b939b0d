import { migrateEntity, storedEntity } from '../../protocol/meta/records.js'
import { entityTypeOf, RECOVERED_FOLDER_ID, type ChangesResponse, type EntityRecord, type EntityType, type FeedEntry, type FolderRecord, type MetaOp, type NoteRecord, type OpResult } from '../../protocol/meta/types.js'
import type { QueryResult, QueryResultRow } from 'pg'
import type { NoteRef } from '../room-id.js'
import { answerOf, duplicateOf, firstAnswer, type ContentChange, type DecideOp, type MetaStorage, type NoteState, type PurgeDecision, type PurgedState, type RecordReader, type StoredAnswer } from '../meta/storage.js'
import { migrate, openPool, transaction, type Pool, type PoolClient, type PoolOptions } from './database.js'

interface EntityRow {
  type: EntityType
  id: string
  record: string | null
  // bigint columns: pg returns them as strings.
  content_seq: string
  seq: string
}

interface PurgeRow {
  note_sv: Buffer
  history_sv: Buffer
}

const CONTENT_CURSOR = 'content_cursor'
/** serialization_failure, deadlock_detected: the transaction did nothing and may simply run again. */
const RETRYABLE = new Set(['40001', '40P01'])
const ATTEMPTS = 5
/**
 * How many times one op may send its rule back for records it had not loaded. Each round loads
 * at least one record the rule asked for, and a rule reads a handful: more means a bug.
 */
const MAX_READ_ROUNDS = 20

export interface PostgresMetaStorageOptions {
  /** Bring the schema up to date first (default true). */
  migrate?: boolean
  /** For the pool opened from a URL. */
  pool?: PoolOptions
  /**
   * Tests only: runs inside every transaction that writes, after its writes and before COMMIT,
   * to widen the window in which a wrong implementation would let a later seq commit first.
   */
  beforeCommit?: () => Promise<void>
}

/**
 * The relay's metadata in PostgreSQL, for relays that share one database: the tables of
 * SqliteMetaStorage (migration 0002). Where SQLite serialises everything in one process, here
 * each call that writes is one transaction that first locks the row of each workspace it
 * touches in `meta_workspace_seq`; that lock orders the workspace's writers across processes, so
 * seqs are taken one after another and each commits before the next is taken: a reader never
 * sees a seq before the ones below it, and an op id sent to several relays at once is decided
 * once (the others wait for the lock, then find it in the op log).
 *
 * The rules are synchronous while reads are not: an op's rule runs on the records loaded so
 * far, any record it asked for and did not get is loaded, and the rule runs again (it is pure),
 * until it asked for nothing missing. Everything runs at READ COMMITTED, so each statement after
 * the lock sees what earlier holders of the lock committed.
 */
export class PostgresMetaStorage implements MetaStorage {
  private closed = false

  private constructor(
    private readonly pool: Pool,
    private readonly ownsPool: boolean,
    private readonly beforeCommit: (() => Promise<void>) | undefined,
  ) {}

  /** Opens a pool on `source` (a URL; closed by `close`) or uses the given one (left open). */
  static async open(source: string | Pool, options: PostgresMetaStorageOptions = {}): Promise<PostgresMetaStorage> {
    const owns = typeof source === 'string'
    const pool = owns ? openPool(source, options.pool) : source
    try {
      if (options.migrate ?? true) await migrate(pool)
    } catch (error) {
      if (owns) await pool.end()
      throw error
    }
    return new PostgresMetaStorage(pool, owns, options.beforeCommit)
  }

  async applyOps(workspace: string, ops: readonly MetaOp[], decide: DecideOp): Promise<OpResult[]> {
    return this.write([workspace], async (tx, seqs) => {
      let seq = seqs.get(workspace)!
      const records = new Records(tx, workspace)
      const answered = await records.loadWithAnswers(ops)
      const logged: [opId: string, result: string][] = []
      const results: OpResult[] = []
      for (const op of ops) {
        const first = answered.get(op.opId)
        if (first) {
          results.push(duplicateOf(op, first, (await records.fetch(first.type, first.entity)) ?? null))
          continue
        }
        const decision = await records.decide((reader) => decide(op, reader, seq + 1))
        const wrote = decision.writes.length > 0
        if (wrote) {
          seq += 1
          records.write(decision.writes)
        }
        const result = firstAnswer(op, decision, wrote ? seq : null)
        answered.set(op.opId, result)
        logged.push([op.opId, JSON.stringify(result)])
        results.push(answerOf(op, result, decision.record))
      }
      await records.commit(logged, seq)
      return results
    })
  }

  async recordContentChanges(changes: readonly ContentChange[]): Promise<(number | null)[]> {
    if (changes.length === 0) return []
    return this.write(
      changes.map((c) => c.note.workspace),
      async (tx, locked) => {
        const seqs = new Map(locked)
        const results: (number | null)[] = []
        for (const { note, decide } of changes) {
          const seq = seqs.get(note.workspace)! + 1
          const decision = decide(await noteState(tx, note), seq)
          if (decision === null) {
            results.push(null)
            continue
          }
          seqs.set(note.workspace, seq)
          if (decision.record) await writeRecord(tx, note.workspace, decision.record)
          if (decision.endPurge) await tx.query('DELETE FROM meta_purges WHERE workspace = $1 AND note_id = $2', [note.workspace, note.noteId])
          await bumpContent(tx, note, seq)
          results.push(seq)
        }
        for (const [workspace, seq] of seqs) await setSeq(tx, workspace, seq, locked.get(workspace)!)
        return results
      },
    )
  }

  async changes(workspace: string, since: number, limit: number): Promise<ChangesResponse> {
    // One statement, so the page, its cut and `more` come from one snapshot. The cut is the seq of
    // the limit-th change (or the last): every change at it is included, so no seq is split.
    const { rows } = await this.query<EntityRow & { cut: string; more: boolean }>(
      `WITH page AS (
         SELECT max(seq) AS cut FROM (SELECT seq FROM meta_entities WHERE workspace = $1 AND seq > $2 ORDER BY seq LIMIT $3) AS first
       ), after AS (
         SELECT EXISTS (SELECT 1 FROM meta_entities, page WHERE workspace = $1 AND seq > page.cut) AS more
       )
       SELECT e.type, e.id, e.record, e.content_seq, e.seq, page.cut, after.more
         FROM meta_entities e, page, after
        WHERE e.workspace = $1 AND e.seq > $2 AND e.seq <= page.cut
        ORDER BY e.seq, e.type, e.id`,
      [workspace, since, limit],
    )
    if (rows.length === 0) return { entries: [], cursor: since, more: false }
    return { entries: rows.map(toFeedEntry), cursor: Number(rows[0]!.cut), more: rows[0]!.more }
  }

  async latestSeq(workspace: string): Promise<number> {
    const { rows } = await this.query<{ seq: string | null }>('SELECT max(seq) AS seq FROM meta_entities WHERE workspace = $1', [workspace])
    return Number(rows[0]?.seq ?? 0)
  }

  async notesToPurge(cutoff: number, limit: number): Promise<NoteRef[]> {
    const { rows } = await this.query<{ workspace: string; id: string }>(
      'SELECT workspace, id FROM meta_entities WHERE deleted_at IS NOT NULL AND deleted_at <= $1 ORDER BY deleted_at, workspace, id LIMIT $2',
      [cutoff, limit],
    )
    return rows.map((r) => ({ workspace: r.workspace, noteId: r.id }))
  }

  async beginPurge(note: NoteRef, decide: (note: NoteState, seq: number) => PurgeDecision): Promise<PurgeDecision['kind']> {
    const { workspace, noteId } = note
    return this.write([workspace], async (tx, seqs) => {
      const state = await noteState(tx, note)
      const seq = seqs.get(workspace)! + 1
      const decision = decide(state, seq)
      if (decision.kind === 'skip') {
        // When (if at all) the note is due, as its record now says: the sweeper's index.
        const dueAt = state.record?.deleted && !state.purged ? state.record.updatedAt : null
        await tx.query("UPDATE meta_entities SET deleted_at = $3 WHERE workspace = $1 AND type = 'note' AND id = $2 AND deleted_at IS DISTINCT FROM $3", [workspace, noteId, dueAt])
        return 'skip'
      }
      if (decision.kind === 'restored') {
        await writeRecord(tx, workspace, decision.record)
        await bumpContent(tx, note, seq)
      } else {
        await writeRecord(tx, workspace, decision.tombstone, { tombstone: true })
        await tx.query('INSERT INTO meta_purges (workspace, note_id, purged_at, note_sv, history_sv) VALUES ($1, $2, $3, $4, $5)', [
          workspace,
          noteId,
          decision.tombstone.updatedAt,
          Buffer.from(decision.purged.note),
          Buffer.from(decision.purged.history),
        ])
      }
      await setSeq(tx, workspace, seq, seqs.get(workspace)!)
      return decision.kind
    })
  }

  async roomsPurged(notes: readonly NoteRef[]): Promise<void> {
    if (notes.length === 0) return
    // One statement is one transaction; a deadlock with another writer of these rows is retried.
    await this.query(
      `UPDATE meta_purges p SET rooms_done = true
         FROM unnest($1::text[], $2::text[]) AS done (workspace, note_id)
        WHERE p.workspace = done.workspace AND p.note_id = done.note_id`,
      [notes.map((n) => n.workspace), notes.map((n) => n.noteId)],
    )
  }

  async unfinishedPurges(): Promise<NoteRef[]> {
    const { rows } = await this.query<{ workspace: string; note_id: string }>('SELECT workspace, note_id FROM meta_purges WHERE NOT rooms_done ORDER BY workspace, note_id')
    return rows.map((r) => ({ workspace: r.workspace, noteId: r.note_id }))
  }

  async purgedState({ workspace, noteId }: NoteRef): Promise<PurgedState | null> {
    const { rows } = await this.query<PurgeRow>('SELECT note_sv, history_sv FROM meta_purges WHERE workspace = $1 AND note_id = $2', [workspace, noteId])
    return purgedStateOf(rows[0])
  }

  /**
   * Nothing to do: PostgreSQL's old row versions are reclaimed by (auto)vacuum, which this relay
   * does not run from here; a service that must not keep purged text in dead tuples for long
   * tunes autovacuum on meta_entities.
   */
  async afterPurge(): Promise<void> {
    this.assertOpen()
  }

  async contentCursor(): Promise<number | null> {
    const { rows } = await this.query<{ value: string }>('SELECT value FROM meta_state WHERE key = $1', [CONTENT_CURSOR])
    return rows[0] ? Number(rows[0].value) : null
  }

  async setContentCursor(entry: number, { exact = false } = {}): Promise<void> {
    const update = exact ? 'excluded.value' : 'GREATEST(meta_state.value, excluded.value)'
    await this.query(`INSERT INTO meta_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = ${update}`, [CONTENT_CURSOR, entry])
  }

  async checkWritable(): Promise<void> {
    await this.query('INSERT INTO meta_readiness (only_row, at) VALUES (true, now()) ON CONFLICT (only_row) DO UPDATE SET at = excluded.at')
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.ownsPool) await this.pool.end()
  }

  /** One statement on its own (autocommit), retried like a transaction. */
  private async query<R extends QueryResultRow = QueryResultRow>(sql: string, params: unknown[] = []): Promise<QueryResult<R>> {
    this.assertOpen()
    return this.retrying(() => this.pool.query<R>(sql, params))
  }

  /**
   * Runs `work` as one transaction holding the sequence rows of `workspaces` (created at 0 when
   * new), locked in name order so two transactions on several workspaces never wait for each
   * other in a circle. `work` gets each workspace's seq as the lock found it.
   */
  /** Per workspace: the last write this relay queued on it. */
  private readonly tails = new Map<string, Promise<unknown>>()

  /**
   * Writes to one workspace are serialised by its row lock anyway; queueing them here first keeps
   * a burst of requests from holding every pooled connection while they wait for that lock (the
   * pool would then time out requests for other workspaces too). Each call waits only for calls
   * queued before it, so there is no cycle.
   */
  private queued<T>(names: readonly string[], run: () => Promise<T>): Promise<T> {
    const before = names.map((n) => this.tails.get(n)).filter((p): p is Promise<unknown> => p !== undefined)
    const result = Promise.all(before).then(run)
    const tail = result.catch(() => undefined)
    for (const n of names) this.tails.set(n, tail)
    void tail.then(() => {
      for (const n of names) if (this.tails.get(n) === tail) this.tails.delete(n)
    })
    return result
  }

  private async write<T>(workspaces: readonly string[], work: (tx: PoolClient, seqs: ReadonlyMap<string, number>) => Promise<T>): Promise<T> {
    this.assertOpen()
    const names = [...new Set(workspaces)].sort(compare)
    return this.queued(names, () => this.retrying(() =>
      transaction(this.pool, async (tx) => {
        // The lock is what orders writers; a stricter level would only add serialization failures.
        await tx.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED')
        await tx.query('INSERT INTO meta_workspace_seq (workspace, seq) SELECT unnest($1::text[]), 0 ON CONFLICT (workspace) DO NOTHING', [names])
        const seqs = new Map<string, number>()
        for (const name of names) {
          const { rows } = await tx.query<{ seq: string }>('SELECT seq FROM meta_workspace_seq WHERE workspace = $1 FOR UPDATE', [name])
          seqs.set(name, Number(rows[0]!.seq))
        }
        const result = await work(tx, seqs)
        await this.beforeCommit?.()
        return result
      }),
    ))
  }

  private async retrying<T>(attempt: () => Promise<T>): Promise<T> {
    for (let n = 1; ; n++) {
      try {
        return await attempt()
      } catch (error) {
        if (n >= ATTEMPTS || !RETRYABLE.has((error as { code?: unknown }).code as string)) throw error
        // A little jitter, so the transactions that collided do not collide again.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * n))
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('PostgresMetaStorage: used after close()')
  }
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
const keyOf = (type: EntityType, id: string): string => `${type}:${id}`

/** The records an op's rule will most likely read: its entity, the folder it names, Recovered. */
function readsOf(op: MetaOp): [EntityType, string][] {
  const reads: [EntityType, string][] = [[entityTypeOf(op.kind), op.entity]]
  const payload = op.payload as { folderId?: unknown; parentId?: unknown }
  for (const folder of [payload.folderId, payload.parentId]) if (typeof folder === 'string') reads.push(['folder', folder])
  if (reads.length > 1) reads.push(['folder', RECOVERED_FOLDER_ID])
  return reads
}

/** A call that wrote nothing leaves the row as it was (it held the lock all the same). */
async function setSeq(tx: PoolClient, workspace: string, seq: number, found: number): Promise<void> {
  if (seq !== found) await tx.query('UPDATE meta_workspace_seq SET seq = $2 WHERE workspace = $1', [workspace, seq])
}

/**
 * The records of one workspace as one transaction has read and written them, and the reader a
 * rule sees. A record not loaded yet reads as absent (and a folder's children as none), and the
 * reader notes it, so `decide` can load it and run the rule again.
 */
class Records {
  /** Null: known to be absent. */
  private readonly entities = new Map<string, EntityRecord | null>()
  /** Live children by folder id; dropped at every write, which may move any of them. */
  private readonly children = new Map<string, EntityRecord[]>()
  /** Live folders by parent (null: the top level); dropped at every write, like children. */
  private readonly folders = new Map<string | null, FolderRecord[]>()
  /**
   * Records written since the last query that needs them stored (a folder's children), by key:
   * sent with the next such query or with the op log at the end, saving a round trip per op
   * while the workspace is locked.
   */
  private readonly unwritten = new Map<string, EntityRecord>()

  constructor(
    private readonly tx: PoolClient,
    private readonly workspace: string,
  ) {}

  /**
   * Loads the records `ops` most likely read and, in the same round trip, the first answers of
   * those of them already in the op log.
   */
  async loadWithAnswers(ops: readonly MetaOp[]): Promise<Map<string, StoredAnswer>> {
    const wanted = this.notLoaded(ops.flatMap(readsOf))
    const { rows } = await this.tx.query<{ type: EntityType | null; id: string; record: string | null }>(
      `${ENTITIES_BY_KEY} UNION ALL SELECT NULL, op_id, result FROM meta_ops WHERE workspace = $1 AND op_id = ANY($4::text[])`,
      [this.workspace, ...keyColumns(wanted), ops.map((op) => op.opId)],
    )
    const answers = new Map<string, StoredAnswer>()
    for (const row of rows) if (row.type === null) answers.set(row.id, JSON.parse(row.record!) as StoredAnswer)
    this.remember(wanted, rows.filter((row): row is typeof row & { type: EntityType } => row.type !== null))
    return answers
  }

  /**
   * Loads these records (those not loaded yet) in one query, folders with their ancestors: a
   * folder move walks up from its target, which would otherwise take a round per level.
   */
  async load(keys: readonly [EntityType, string][]): Promise<void> {
    const wanted = this.notLoaded(keys)
    if (wanted.size === 0) return
    const { rows } = await this.tx.query<{ type: EntityType; id: string; record: string | null }>(ENTITIES_WITH_ANCESTORS, [this.workspace, ...keyColumns(wanted)])
    this.remember(wanted, rows)
  }

  private notLoaded(keys: readonly [EntityType, string][]): Map<string, [EntityType, string]> {
    const wanted = new Map<string, [EntityType, string]>()
    for (const [type, id] of keys) if (!this.entities.has(keyOf(type, id))) wanted.set(keyOf(type, id), [type, id])
    return wanted
  }

  /** What was asked for and not found is known to be absent. */
  private remember(wanted: Map<string, [EntityType, string]>, rows: readonly { type: EntityType; id: string; record: string | null }[]): void {
    for (const key of wanted.keys()) this.entities.set(key, null)
    for (const row of rows) this.entities.set(keyOf(row.type, row.id), parseRecord(row.record) ?? null)
  }

  async fetch(type: EntityType, id: string): Promise<EntityRecord | undefined> {
    await this.load([[type, id]])
    return this.entities.get(keyOf(type, id)) ?? undefined
  }

  /** Stores what was written so far, before a query that selects by stored columns. */
  private async flush(): Promise<void> {
    if (this.unwritten.size === 0) return
    await this.tx.query(UPSERT_ENTITIES, [this.workspace, ...entityColumns([...this.unwritten.values()])])
    this.unwritten.clear()
  }

  private async loadFolders(parents: readonly (string | null)[]): Promise<void> {
    await this.flush()
    const ids = parents.filter((p): p is string => p !== null)
    const { rows } = await this.tx.query<{ parent: string | null; id: string; record: string }>(
      "SELECT parent, id, record FROM meta_entities WHERE workspace = $1 AND type = 'folder' AND (parent = ANY($2::text[]) OR ($3 AND parent IS NULL)) ORDER BY id",
      [this.workspace, ids, parents.includes(null)],
    )
    for (const parent of parents) this.folders.set(parent, [])
    for (const row of rows) {
      const record = parseRecord(row.record)!
      this.entities.set(keyOf('folder', row.id), record)
      // Deleted folders have no parent in the index: the top level's rows include them.
      if (record.type === 'folder' && !record.deleted) this.folders.get(row.parent)!.push(record)
    }
  }

  private async loadChildren(folderIds: readonly string[]): Promise<void> {
    await this.flush()
    const { rows } = await this.tx.query<{ parent: string; type: EntityType; id: string; record: string }>(
      'SELECT parent, type, id, record FROM meta_entities WHERE workspace = $1 AND parent = ANY($2::text[]) ORDER BY parent, type, id',
      [this.workspace, folderIds],
    )
    for (const folderId of folderIds) this.children.set(folderId, [])
    for (const row of rows) {
      const record = parseRecord(row.record)!
      this.entities.set(keyOf(row.type, row.id), record)
      this.children.get(row.parent)!.push(record)
    }
  }

  /** Runs `rule` until it read nothing that was not loaded; its last decision is the answer. */
  async decide<D>(rule: (reader: RecordReader) => D): Promise<D> {
    for (let round = 1; ; round++) {
      const missing = new Map<string, [EntityType, string]>()
      const missingChildren = new Set<string>()
      const missingFolders = new Set<string | null>()
      const reader: RecordReader = {
        get: (type, id) => {
          const record = this.entities.get(keyOf(type, id))
          if (record === undefined) missing.set(keyOf(type, id), [type, id])
          return record ?? undefined
        },
        childrenOf: (folderId) => {
          const children = this.children.get(folderId)
          if (children === undefined) missingChildren.add(folderId)
          return children ? [...children] : []
        },
        foldersIn: (parentId) => {
          const folders = this.folders.get(parentId)
          if (folders === undefined) missingFolders.add(parentId)
          return folders ? [...folders] : []
        },
      }
      let decision: D
      try {
        decision = rule(reader)
      } catch (error) {
        // A rule that saw partial records may have failed for that alone: only a failure on
        // complete records is its answer.
        if (missing.size === 0 && missingChildren.size === 0 && missingFolders.size === 0) throw error
        decision = undefined as D
      }
      if (missing.size === 0 && missingChildren.size === 0 && missingFolders.size === 0) return decision
      if (round >= MAX_READ_ROUNDS) throw new Error(`PostgresMetaStorage: a rule still read records not loaded after ${round} rounds (${[...missing.keys(), ...missingChildren, ...missingFolders].join(', ')})`)
      await this.load([...missing.values()])
      if (missingChildren.size > 0) await this.loadChildren([...missingChildren])
      if (missingFolders.size > 0) await this.loadFolders([...missingFolders])
    }
  }

  write(records: readonly EntityRecord[]): void {
    for (const record of records) {
      this.entities.set(keyOf(record.type, record.id), record)
      this.unwritten.set(keyOf(record.type, record.id), record)
    }
    this.children.clear()
    this.folders.clear()
  }

  /** Stores the records not stored yet, the op log's new answers and the workspace's seq, in one statement. */
  async commit(answers: readonly [opId: string, result: string][], seq: number): Promise<void> {
    if (this.unwritten.size === 0 && answers.length === 0) return
    await this.tx.query(
      `WITH written AS (${UPSERT_ENTITIES}),
            logged AS (INSERT INTO meta_ops (workspace, op_id, result) SELECT $1, * FROM unnest($8::text[], $9::text[]))
       UPDATE meta_workspace_seq SET seq = $10 WHERE workspace = $1 AND seq <> $10`,
      [this.workspace, ...entityColumns([...this.unwritten.values()]), answers.map(([id]) => id), answers.map(([, result]) => result), seq],
    )
    this.unwritten.clear()
  }
}

async function noteState(tx: PoolClient, { workspace, noteId }: NoteRef): Promise<NoteState> {
  const { rows } = await tx.query<{ record: string | null; note_sv: Buffer | null; history_sv: Buffer | null }>(
    `SELECT e.record, p.note_sv, p.history_sv
       FROM (SELECT 1) AS one
       LEFT JOIN meta_entities e ON e.workspace = $1 AND e.type = 'note' AND e.id = $2
       LEFT JOIN meta_purges p ON p.workspace = $1 AND p.note_id = $2`,
    [workspace, noteId],
  )
  const row = rows[0]!
  return {
    record: (parseRecord(row.record) as NoteRecord | undefined) ?? null,
    purged: row.note_sv && row.history_sv ? purgedStateOf({ note_sv: row.note_sv, history_sv: row.history_sv }) : null,
  }
}

/** Records by key ($1: the workspace, $2 and $3: keyColumns). */
const ENTITIES_BY_KEY =
  'SELECT e.type, e.id, e.record FROM meta_entities e JOIN unnest($2::text[], $3::text[]) AS k (type, id) ON e.type = k.type AND e.id = k.id WHERE e.workspace = $1'

/** ENTITIES_BY_KEY, and for each folder found its ancestors (as far as the parent index goes). */
const ENTITIES_WITH_ANCESTORS = `
  WITH RECURSIVE found AS (
    SELECT e.type, e.id, e.record, e.parent FROM meta_entities e JOIN unnest($2::text[], $3::text[]) AS k (type, id) ON e.type = k.type AND e.id = k.id WHERE e.workspace = $1
    UNION
    SELECT p.type, p.id, p.record, p.parent FROM found f JOIN meta_entities p ON p.workspace = $1 AND p.type = 'folder' AND p.id = f.parent WHERE f.type = 'folder'
  ) SELECT type, id, record FROM found`

function keyColumns(keys: Map<string, [EntityType, string]>): [string[], string[]] {
  const list = [...keys.values()]
  return [list.map(([type]) => type), list.map(([, id]) => id)]
}

/**
 * Writes records ($1: the workspace, $2..$7: entityColumns; at most one per entity). A record
 * write keeps the content seq; the feed position is whichever is newer.
 */
const UPSERT_ENTITIES = `
  INSERT INTO meta_entities (workspace, type, id, record, version, content_seq, seq, parent, deleted_at)
  SELECT $1, w.type, w.id, w.record, w.version, 0, w.version, w.parent, w.deleted_at
    FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::bigint[]) AS w (type, id, record, version, parent, deleted_at)
  ON CONFLICT (workspace, type, id) DO UPDATE SET
    record = excluded.record, version = excluded.version, parent = excluded.parent, deleted_at = excluded.deleted_at,
    seq = GREATEST(excluded.version, meta_entities.content_seq)`

/** UPSERT_ENTITIES' $2..$7 for these records; a tombstone is a purged note's record. */
function entityColumns(records: readonly EntityRecord[], { tombstone = false } = {}): unknown[][] {
  return [
    records.map((r) => r.type),
    records.map((r) => r.id),
    records.map((r) => JSON.stringify(storedEntity(r))),
    records.map((r) => r.version),
    // Only live entities are anyone's children: a folder delete must not move what is gone.
    records.map((r) => (r.deleted ? null : r.type === 'note' ? r.folderId : r.parentId)),
    // When a note was deleted forever, until it is purged (the sweeper's index).
    records.map((r) => (r.type === 'note' && r.deleted && !tombstone ? r.updatedAt : null)),
  ]
}

async function writeRecord(tx: PoolClient, workspace: string, record: EntityRecord, options: { tombstone?: boolean } = {}): Promise<void> {
  await tx.query(UPSERT_ENTITIES, [workspace, ...entityColumns([record], options)])
}

async function bumpContent(tx: PoolClient, { workspace, noteId }: NoteRef, seq: number): Promise<void> {
  await tx.query(
    `INSERT INTO meta_entities (workspace, type, id, record, version, content_seq, seq, parent)
     VALUES ($1, 'note', $2, NULL, 0, $3, $3, NULL)
     ON CONFLICT (workspace, type, id) DO UPDATE SET content_seq = excluded.content_seq, seq = excluded.content_seq`,
    [workspace, noteId, seq],
  )
}

function parseRecord(record: string | null): EntityRecord | undefined {
  return record === null ? undefined : migrateEntity(JSON.parse(record))
}

function purgedStateOf(row: PurgeRow | undefined): PurgedState | null {
  return row ? { note: new Uint8Array(row.note_sv), history: new Uint8Array(row.history_sv) } : null
}

function toFeedEntry(row: EntityRow): FeedEntry {
  return { type: row.type, id: row.id, record: parseRecord(row.record) ?? null, contentSeq: Number(row.content_seq), seq: Number(row.seq) }
}
