import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { migrateEntity, storedEntity } from '../../protocol/meta/records.js'
import type { ChangesResponse, EntityRecord, EntityType, FeedEntry, FolderRecord, MetaOp, NoteRecord, OpResult } from '../../protocol/meta/types.js'
import type { NoteRef } from '../room-id.js'
import { answerOf, duplicateOf, firstAnswer, type ContentChange, type DecideOp, type MetaStorage, type NoteState, type PurgeDecision, type PurgedState, type RecordReader, type StoredAnswer } from './storage.js'

export const META_FILE_NAME = 'meta.sqlite'

const CONTENT_CURSOR = 'content_cursor'

interface PurgeRow {
  note_sv: Buffer
  history_sv: Buffer
}

interface EntityRow {
  type: EntityType
  id: string
  record: string | null
  content_seq: number
  seq: number
}

/**
 * The relay's metadata in SQLite (`meta.sqlite`), the default `MetaStorage`: one row per note or
 * folder with its current record, the log of op ids with their first answers, and one sequence
 * counter per workspace that orders every change. Each call that writes is one transaction, so an
 * op and the change it made are stored together or not at all: a repeat after a crash finds
 * either both or neither.
 *
 * better-sqlite3 is synchronous: a transaction runs start to end within one call, so calls are
 * serialised and a reader never sees a seq before the ones below it. The promises only resolve
 * after the commit.
 *
 * `synchronous = FULL`: a committed transaction is an answer a client will drop from its outbox,
 * so it must survive power loss, not only a killed process.
 */
export class SqliteMetaStorage implements MetaStorage {
  private readonly db: Database.Database
  private readonly stmts: ReturnType<typeof prepare>

  private constructor(file: string) {
    this.db = new Database(file)
    if (file !== ':memory:') this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = FULL')
    this.db.pragma('busy_timeout = 5000')
    // A record that is rewritten (renamed, tombstoned) leaves no old copy in free space.
    this.db.pragma('secure_delete = ON')
    this.db.exec(SCHEMA)
    migrate(this.db)
    this.stmts = prepare(this.db)
  }

  /** The storage in `dataDir/meta.sqlite`, or in a private in-memory database when `dataDir` is null. */
  static open(dataDir: string | null): SqliteMetaStorage {
    if (dataDir === null) return new SqliteMetaStorage(':memory:')
    mkdirSync(dataDir, { recursive: true })
    return new SqliteMetaStorage(join(dataDir, META_FILE_NAME))
  }

  async applyOps(workspace: string, ops: readonly MetaOp[], decide: DecideOp): Promise<OpResult[]> {
    const records = this.reader(workspace)
    return this.db.transaction(() =>
      ops.map((op): OpResult => {
        const stored = this.stmts.getOp.get(workspace, op.opId) as { result: string } | undefined
        if (stored) {
          const first = JSON.parse(stored.result) as StoredAnswer
          return duplicateOf(op, first, records.get(first.type, first.entity) ?? null)
        }
        const seq = this.currentSeq(workspace) + 1
        const decision = decide(op, records, seq)
        const wrote = decision.writes.length > 0
        if (wrote) {
          this.stmts.setCounter.run(workspace, seq)
          for (const record of decision.writes) this.writeRecord(workspace, record)
        }
        const result = firstAnswer(op, decision, wrote ? seq : null)
        this.stmts.putOp.run(workspace, op.opId, JSON.stringify(result))
        return answerOf(op, result, decision.record)
      }),
    )()
  }

  async recordContentChanges(changes: readonly ContentChange[]): Promise<(number | null)[]> {
    return this.db.transaction(() =>
      changes.map(({ note, decide }) => {
        const seq = this.currentSeq(note.workspace) + 1
        const decision = decide(this.noteState(note), seq)
        if (decision === null) return null
        this.stmts.setCounter.run(note.workspace, seq)
        if (decision.record) this.writeRecord(note.workspace, decision.record)
        if (decision.endPurge) this.stmts.deletePurge.run(note.workspace, note.noteId)
        this.stmts.bumpContent.run({ workspace: note.workspace, id: note.noteId, seq })
        return seq
      }),
    )()
  }

  async notesToPurge(cutoff: number, limit: number): Promise<NoteRef[]> {
    return (this.stmts.dueForPurge.all(cutoff, limit) as { workspace: string; id: string }[]).map((r) => ({ workspace: r.workspace, noteId: r.id }))
  }

  async beginPurge(note: NoteRef, decide: (note: NoteState, seq: number) => PurgeDecision): Promise<PurgeDecision['kind']> {
    const { workspace, noteId } = note
    return this.db.transaction((): PurgeDecision['kind'] => {
      const state = this.noteState(note)
      const seq = this.currentSeq(workspace) + 1
      const decision = decide(state, seq)
      if (decision.kind === 'skip') {
        // When (if at all) the note is due, as its record now says: the sweeper's index.
        const dueAt = state.record?.deleted && !state.purged ? state.record.updatedAt : null
        this.stmts.setDeletedAt.run({ dueAt, workspace, id: noteId })
        return 'skip'
      }
      this.stmts.setCounter.run(workspace, seq)
      if (decision.kind === 'restored') {
        this.writeRecord(workspace, decision.record)
        this.stmts.bumpContent.run({ workspace, id: noteId, seq })
        return 'restored'
      }
      this.writeRecord(workspace, decision.tombstone, { tombstone: true })
      this.stmts.putPurge.run(workspace, noteId, decision.tombstone.updatedAt, decision.purged.note, decision.purged.history)
      return 'purge'
    })()
  }

  async roomsPurged(notes: readonly NoteRef[]): Promise<void> {
    this.db.transaction(() => {
      for (const { workspace, noteId } of notes) this.stmts.purgeDone.run(workspace, noteId)
    })()
  }

  async unfinishedPurges(): Promise<NoteRef[]> {
    return (this.stmts.unfinishedPurges.all() as { workspace: string; note_id: string }[]).map((r) => ({ workspace: r.workspace, noteId: r.note_id }))
  }

  async purgedState({ workspace, noteId }: NoteRef): Promise<PurgedState | null> {
    return purgedStateOf(this.stmts.getPurge.get(workspace, noteId) as PurgeRow | undefined)
  }

  /**
   * Empties the WAL after a purge, so no old copy of a rewritten record (title, snapshot) stays
   * in it; `secure_delete` has zeroed them in the database file.
   */
  async afterPurge(): Promise<void> {
    if (this.db.memory === false) this.db.pragma('wal_checkpoint(TRUNCATE)')
  }

  async contentCursor(): Promise<number | null> {
    return (this.stmts.getState.get(CONTENT_CURSOR) as { value: number } | undefined)?.value ?? null
  }

  async setContentCursor(entry: number, { exact = false } = {}): Promise<void> {
    ;(exact ? this.stmts.putState : this.stmts.setState).run(CONTENT_CURSOR, entry)
  }

  async changes(workspace: string, since: number, limit: number): Promise<ChangesResponse> {
    const probe = this.stmts.changesFrom.all(workspace, since, limit + 1) as EntityRow[]
    if (probe.length === 0) return { entries: [], cursor: since, more: false }
    const cut = probe.length > limit ? probe[limit - 1]!.seq : probe[probe.length - 1]!.seq
    const rows = probe.length > limit ? (this.stmts.changesUpTo.all(workspace, since, cut) as EntityRow[]) : probe
    const more = this.stmts.hasAfter.get(workspace, cut) !== undefined
    return { entries: rows.map(toFeedEntry), cursor: cut, more }
  }

  async latestSeq(workspace: string): Promise<number> {
    return (this.stmts.latest.get(workspace) as { seq: number | null }).seq ?? 0
  }

  async checkWritable(): Promise<void> {
    this.stmts.touchReadiness.run()
  }

  async close(): Promise<void> {
    if (!this.db.open) return
    if (this.db.memory === false) this.db.pragma('wal_checkpoint(TRUNCATE)')
    this.db.close()
  }

  private currentSeq(workspace: string): number {
    return (this.stmts.getCounter.get(workspace) as { seq: number } | undefined)?.seq ?? 0
  }

  private noteState({ workspace, noteId }: NoteRef): NoteState {
    const row = this.stmts.getEntity.get(workspace, 'note', noteId) as EntityRow | undefined
    const record = row?.record ? (migrateEntity(JSON.parse(row.record)) as NoteRecord) : null
    return { record, purged: purgedStateOf(this.stmts.getPurge.get(workspace, noteId) as PurgeRow | undefined) }
  }

  private writeRecord(workspace: string, record: EntityRecord, { tombstone = false } = {}): void {
    // Only live entities are anyone's children: a folder delete must not move what is gone.
    const parent = record.deleted ? null : record.type === 'note' ? record.folderId : record.parentId
    // When a note was deleted forever, until it is purged (the sweeper's index).
    const deletedAt = record.type === 'note' && record.deleted && !tombstone ? record.updatedAt : null
    this.stmts.putEntity.run({ workspace, type: record.type, id: record.id, record: JSON.stringify(storedEntity(record)), version: record.version, parent, deletedAt })
  }

  private reader(workspace: string): RecordReader {
    const parse = (row: { record: string | null } | undefined): EntityRecord | undefined =>
      row?.record ? migrateEntity(JSON.parse(row.record)) : undefined
    return {
      get: (type, id) => parse(this.stmts.getEntity.get(workspace, type, id) as EntityRow | undefined),
      childrenOf: (folderId) => (this.stmts.children.all(workspace, folderId) as { record: string }[]).map((row) => parse(row)!),
      // Deleted folders have no parent in the index, so the top level's rows include them.
      foldersIn: (parentId) => (this.stmts.folders.all(workspace, parentId) as { record: string }[]).map((row) => parse(row)!).filter((f): f is FolderRecord => f.type === 'folder' && !f.deleted),
    }
  }
}

function purgedStateOf(row: PurgeRow | undefined): PurgedState | null {
  return row ? { note: new Uint8Array(row.note_sv), history: new Uint8Array(row.history_sv) } : null
}

function toFeedEntry(row: EntityRow): FeedEntry {
  return { type: row.type, id: row.id, record: row.record ? migrateEntity(JSON.parse(row.record)) : null, contentSeq: row.content_seq, seq: row.seq }
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
  CREATE TABLE IF NOT EXISTS meta_purges (
    workspace  TEXT    NOT NULL,
    note_id    TEXT    NOT NULL,
    purged_at  INTEGER NOT NULL,
    note_sv    BLOB    NOT NULL,
    history_sv BLOB    NOT NULL,
    rooms_done INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace, note_id)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS meta_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
`

/**
 * Schema changes since the first release, by `PRAGMA user_version`.
 * 1: each workspace has its own sequence (`meta_workspace_seq`) instead of one shared by all, so a
 *    workspace's feed positions and versions say nothing about another's activity. A workspace
 *    that already has entities continues from the old shared counter, which is above every seq it
 *    ever used, so clients' cursors and base versions stay valid.
 * 2: `deleted_at` (when a note was deleted forever, until it is purged) with a partial index for
 *    the purge sweeper, filled in for notes already deleted; `meta_purges` and `meta_state` are
 *    created by SCHEMA.
 */
function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number
  if (version < 1) {
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
  if (version < 2) {
    db.transaction(() => {
      db.exec('ALTER TABLE meta_entities ADD COLUMN deleted_at INTEGER')
      db.exec(`UPDATE meta_entities SET deleted_at = json_extract(record, '$.updatedAt')
               WHERE type = 'note' AND json_extract(record, '$.deleted') = 1`)
      db.exec('CREATE INDEX meta_entities_to_purge ON meta_entities (deleted_at) WHERE deleted_at IS NOT NULL')
      db.pragma('user_version = 2')
    })()
  }
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
    // `IS`: equal, or both NULL (the top level).
    folders: db.prepare("SELECT record FROM meta_entities WHERE workspace = ? AND type = 'folder' AND parent IS ? ORDER BY id"),
    // A record write keeps the content seq; the feed position is whichever is newer.
    putEntity: db.prepare(`
      INSERT INTO meta_entities (workspace, type, id, record, version, content_seq, seq, parent, deleted_at)
      VALUES (@workspace, @type, @id, @record, @version, 0, @version, @parent, @deletedAt)
      ON CONFLICT (workspace, type, id) DO UPDATE SET
        record = excluded.record, version = excluded.version, parent = excluded.parent, deleted_at = excluded.deleted_at,
        seq = max(excluded.version, meta_entities.content_seq)`),
    bumpContent: db.prepare(`
      INSERT INTO meta_entities (workspace, type, id, record, version, content_seq, seq, parent)
      VALUES (@workspace, 'note', @id, NULL, 0, @seq, @seq, NULL)
      ON CONFLICT (workspace, type, id) DO UPDATE SET content_seq = excluded.content_seq, seq = excluded.content_seq`),
    changesFrom: db.prepare(`SELECT ${FEED_COLUMNS} FROM meta_entities WHERE workspace = ? AND seq > ? ORDER BY seq, type, id LIMIT ?`),
    changesUpTo: db.prepare(`SELECT ${FEED_COLUMNS} FROM meta_entities WHERE workspace = ? AND seq > ? AND seq <= ? ORDER BY seq, type, id`),
    hasAfter: db.prepare('SELECT 1 FROM meta_entities WHERE workspace = ? AND seq > ? LIMIT 1'),
    latest: db.prepare('SELECT max(seq) AS seq FROM meta_entities WHERE workspace = ?'),
    dueForPurge: db.prepare('SELECT workspace, id FROM meta_entities WHERE deleted_at IS NOT NULL AND deleted_at <= ? ORDER BY deleted_at LIMIT ?'),
    setDeletedAt: db.prepare("UPDATE meta_entities SET deleted_at = @dueAt WHERE workspace = @workspace AND type = 'note' AND id = @id AND deleted_at IS NOT @dueAt"),
    getPurge: db.prepare('SELECT note_sv, history_sv FROM meta_purges WHERE workspace = ? AND note_id = ?'),
    putPurge: db.prepare('INSERT INTO meta_purges (workspace, note_id, purged_at, note_sv, history_sv) VALUES (?, ?, ?, ?, ?)'),
    purgeDone: db.prepare('UPDATE meta_purges SET rooms_done = 1 WHERE workspace = ? AND note_id = ?'),
    deletePurge: db.prepare('DELETE FROM meta_purges WHERE workspace = ? AND note_id = ?'),
    unfinishedPurges: db.prepare('SELECT workspace, note_id FROM meta_purges WHERE rooms_done = 0'),
    getState: db.prepare('SELECT value FROM meta_state WHERE key = ?'),
    putState: db.prepare('INSERT INTO meta_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    setState: db.prepare('INSERT INTO meta_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)'),
    touchReadiness: db.prepare('INSERT INTO meta_readiness (only, at) VALUES (1, unixepoch()) ON CONFLICT (only) DO UPDATE SET at = excluded.at'),
  }
}
