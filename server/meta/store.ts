import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { decide, onContentChanged, type RuleContext } from '../../protocol/meta/rules.js'
import {
  entityTypeOf,
  type ChangesResponse,
  type EntityRecord,
  type EntityType,
  type FeedEntry,
  type MetaOp,
  type NoteRecord,
  type OpResult,
} from '../../protocol/meta/types.js'

export const META_FILE_NAME = 'meta.sqlite'

/** What a repeated op is answered with: its first answer, and where to find its entity now. */
interface StoredResult {
  status: Exclude<OpResult['status'], 'duplicate'>
  seq: number | null
  reason?: string
  type: EntityType
  entity: string
}

interface EntityRow {
  type: EntityType
  id: string
  record: string | null
  content_seq: number
  seq: number
}

/**
 * The relay's metadata: one row per note or folder with its current record, the log of op ids
 * with their first answers, and one sequence counter that orders every change. Each request is
 * one transaction, so an op and the change it made are stored together or not at all: a repeat
 * after a crash finds either both or neither.
 *
 * `synchronous = FULL`: a committed transaction is an answer a client will drop from its outbox,
 * so it must survive power loss, not only a killed process.
 */
export class MetaStore {
  private readonly db: Database.Database
  private readonly stmts: ReturnType<typeof prepare>

  private constructor(file: string) {
    this.db = new Database(file)
    if (file !== ':memory:') this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = FULL')
    this.db.pragma('busy_timeout = 5000')
    this.db.exec(SCHEMA)
    migrate(this.db)
    this.stmts = prepare(this.db)
  }

  /** The store in `dataDir/meta.sqlite`, or in memory when the relay has no data folder. */
  static open(dataDir: string | null): MetaStore {
    if (dataDir === null) return new MetaStore(':memory:')
    mkdirSync(dataDir, { recursive: true })
    return new MetaStore(join(dataDir, META_FILE_NAME))
  }

  /**
   * Applies a request's ops in order, in one transaction. An op id seen before is answered with
   * its first answer and the entity's current record. A seq is taken only by an op that writes.
   */
  applyOps(workspace: string, ops: readonly MetaOp[], hasUnseenContent: (noteId: string, snapshot: string) => boolean, now: number): OpResult[] {
    const ctx = this.context(workspace, hasUnseenContent)
    return this.db.transaction(() =>
      ops.map((op): OpResult => {
        const stored = this.stmts.getOp.get(workspace, op.opId) as { result: string } | undefined
        if (stored) {
          const first = JSON.parse(stored.result) as StoredResult
          const original = { status: first.status, seq: first.seq, ...(first.reason !== undefined ? { reason: first.reason } : {}) }
          return { opId: op.opId, status: 'duplicate', seq: first.seq, record: ctx.get(first.type, first.entity) ?? null, original }
        }
        const seq = this.currentSeq(workspace) + 1
        const decision = decide(op, ctx, seq, now)
        const wrote = decision.writes.length > 0
        if (wrote) {
          this.stmts.setCounter.run(workspace, seq)
          for (const record of decision.writes) this.writeRecord(workspace, record)
        }
        const result: StoredResult = { status: decision.status, seq: wrote ? seq : null, type: entityTypeOf(op.kind), entity: op.entity }
        if (decision.reason !== undefined) result.reason = decision.reason
        this.stmts.putOp.run(workspace, op.opId, JSON.stringify(result))
        return { opId: op.opId, status: result.status, seq: result.seq, record: decision.record, ...(result.reason !== undefined ? { reason: result.reason } : {}) }
      }),
    )()
  }

  /**
   * Records that a note's content changed: a new seq for the feed, and the relay's own rule that
   * an unseen edit brings a trashed (or deleted) note back. Content may arrive before the note's
   * create op; then the row holds no record yet. Returns the seq taken.
   */
  recordContentChange(workspace: string, noteId: string, hasUnseen: (snapshot: string) => boolean, now: number): number {
    return this.db.transaction(() => {
      const seq = this.currentSeq(workspace) + 1
      this.stmts.setCounter.run(workspace, seq)
      const row = this.stmts.getEntity.get(workspace, 'note', noteId) as EntityRow | undefined
      const record = row?.record ? (JSON.parse(row.record) as NoteRecord) : null
      const restored = record ? onContentChanged(record, hasUnseen, seq, now) : null
      if (restored) this.writeRecord(workspace, restored)
      this.stmts.bumpContent.run({ workspace, id: noteId, seq })
      return seq
    })()
  }

  /**
   * The workspace's entities changed after `since`, oldest first, with their current records.
   * A page never splits the entities of one seq (a folder delete moves its children at the
   * folder's seq), so a cursor at a page's last seq skips nothing; such a page may exceed `limit`.
   */
  changes(workspace: string, since: number, limit: number): ChangesResponse {
    const probe = this.stmts.changesFrom.all(workspace, since, limit + 1) as EntityRow[]
    if (probe.length === 0) return { entries: [], cursor: since, more: false }
    const cut = probe.length > limit ? probe[limit - 1]!.seq : probe[probe.length - 1]!.seq
    const rows = probe.length > limit ? (this.stmts.changesUpTo.all(workspace, since, cut) as EntityRow[]) : probe
    const more = this.stmts.hasAfter.get(workspace, cut) !== undefined
    return { entries: rows.map(toFeedEntry), cursor: cut, more }
  }

  /** The highest seq of any change in the workspace (0 if none): long-polls wait for a newer one. */
  latestSeq(workspace: string): number {
    return (this.stmts.latest.get(workspace) as { seq: number | null }).seq ?? 0
  }

  /** Throws when the database cannot be written (readiness probe). */
  checkWritable(): void {
    this.stmts.touchReadiness.run()
  }

  close(): void {
    if (!this.db.open) return
    if (this.db.memory === false) this.db.pragma('wal_checkpoint(TRUNCATE)')
    this.db.close()
  }

  private currentSeq(workspace: string): number {
    return (this.stmts.getCounter.get(workspace) as { seq: number } | undefined)?.seq ?? 0
  }

  private writeRecord(workspace: string, record: EntityRecord): void {
    // Only live entities are anyone's children: a folder delete must not move what is gone.
    const parent = record.deleted ? null : record.type === 'note' ? record.folderId : record.parentId
    this.stmts.putEntity.run({ workspace, type: record.type, id: record.id, record: JSON.stringify(record), version: record.version, parent })
  }

  private context(workspace: string, hasUnseenContent: RuleContext['hasUnseenContent']): RuleContext {
    const parse = (row: { record: string | null } | undefined): EntityRecord | undefined =>
      row?.record ? (JSON.parse(row.record) as EntityRecord) : undefined
    return {
      get: (type, id) => parse(this.stmts.getEntity.get(workspace, type, id) as EntityRow | undefined),
      childrenOf: (folderId) => (this.stmts.children.all(workspace, folderId) as { record: string }[]).map((row) => parse(row)!),
      hasUnseenContent,
    }
  }
}

function toFeedEntry(row: EntityRow): FeedEntry {
  return { type: row.type, id: row.id, record: row.record ? (JSON.parse(row.record) as EntityRecord) : null, contentSeq: row.content_seq, seq: row.seq }
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta_entities (
    workspace   TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    record      TEXT,
    version     INTEGER NOT NULL DEFAULT 0,
    content_seq INTEGER NOT NULL DEFAULT 0,
    seq         INTEGER NOT NULL,
    parent      TEXT,
    PRIMARY KEY (workspace, type, id)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS meta_entities_by_seq ON meta_entities (workspace, seq);
  CREATE INDEX IF NOT EXISTS meta_entities_by_parent ON meta_entities (workspace, parent) WHERE parent IS NOT NULL;
  CREATE TABLE IF NOT EXISTS meta_ops (
    workspace TEXT NOT NULL,
    op_id     TEXT NOT NULL,
    result    TEXT NOT NULL,
    PRIMARY KEY (workspace, op_id)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS meta_workspace_seq (workspace TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS meta_readiness (only INTEGER PRIMARY KEY CHECK (only = 1), at INTEGER NOT NULL);
`

/**
 * Schema changes since the first release, by `PRAGMA user_version`.
 * 1: each workspace has its own sequence (`meta_workspace_seq`) instead of one shared by all, so a
 *    workspace's feed positions and versions say nothing about another's activity. A workspace
 *    that already has entities continues from the old shared counter, which is above every seq it
 *    ever used, so clients' cursors and base versions stay valid.
 */
function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number
  if (version >= 1) return
  db.transaction(() => {
    const hasOld = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta_counter'").get() !== undefined
    if (hasOld) {
      db.exec(`INSERT OR IGNORE INTO meta_workspace_seq (workspace, seq)
               SELECT DISTINCT workspace, (SELECT seq FROM meta_counter WHERE only = 1) FROM meta_entities`)
      db.exec('DROP TABLE meta_counter')
    }
    db.pragma('user_version = 1')
  })()
}

const FEED_COLUMNS = 'type, id, record, content_seq, seq'

function prepare(db: Database.Database) {
  return {
    getCounter: db.prepare('SELECT seq FROM meta_workspace_seq WHERE workspace = ?'),
    setCounter: db.prepare('INSERT INTO meta_workspace_seq (workspace, seq) VALUES (?, ?) ON CONFLICT (workspace) DO UPDATE SET seq = excluded.seq'),
    getOp: db.prepare('SELECT result FROM meta_ops WHERE workspace = ? AND op_id = ?'),
    putOp: db.prepare('INSERT INTO meta_ops (workspace, op_id, result) VALUES (?, ?, ?)'),
    getEntity: db.prepare(`SELECT ${FEED_COLUMNS} FROM meta_entities WHERE workspace = ? AND type = ? AND id = ?`),
    children: db.prepare('SELECT record FROM meta_entities WHERE workspace = ? AND parent = ? ORDER BY type, id'),
    // A record write keeps the content seq; the feed position is whichever is newer.
    putEntity: db.prepare(`
      INSERT INTO meta_entities (workspace, type, id, record, version, content_seq, seq, parent)
      VALUES (@workspace, @type, @id, @record, @version, 0, @version, @parent)
      ON CONFLICT (workspace, type, id) DO UPDATE SET
        record = excluded.record, version = excluded.version, parent = excluded.parent,
        seq = max(excluded.version, meta_entities.content_seq)`),
    bumpContent: db.prepare(`
      INSERT INTO meta_entities (workspace, type, id, record, version, content_seq, seq, parent)
      VALUES (@workspace, 'note', @id, NULL, 0, @seq, @seq, NULL)
      ON CONFLICT (workspace, type, id) DO UPDATE SET content_seq = excluded.content_seq, seq = excluded.content_seq`),
    changesFrom: db.prepare(`SELECT ${FEED_COLUMNS} FROM meta_entities WHERE workspace = ? AND seq > ? ORDER BY seq, type, id LIMIT ?`),
    changesUpTo: db.prepare(`SELECT ${FEED_COLUMNS} FROM meta_entities WHERE workspace = ? AND seq > ? AND seq <= ? ORDER BY seq, type, id`),
    hasAfter: db.prepare('SELECT 1 FROM meta_entities WHERE workspace = ? AND seq > ? LIMIT 1'),
    latest: db.prepare('SELECT max(seq) AS seq FROM meta_entities WHERE workspace = ?'),
    touchReadiness: db.prepare('INSERT INTO meta_readiness (only, at) VALUES (1, unixepoch()) ON CONFLICT (only) DO UPDATE SET at = excluded.at'),
  }
}
