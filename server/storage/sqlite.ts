import Database from 'better-sqlite3'
import * as Y from 'yjs'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { DocStorage } from './types.js'

export const SQLITE_FILE_NAME = 'skein.sqlite'

/**
 * Document storage in one embedded SQLite file. WAL mode lets readers (load, backups) run
 * beside the writer; `synchronous = NORMAL` in WAL mode survives a killed process, which is the
 * failure a relay sees most, without an fsync per update.
 */
export class SqliteStorage implements DocStorage {
  private readonly db: Database.Database
  private readonly stmts: ReturnType<typeof prepare>

  constructor(readonly dataDir: string) {
    mkdirSync(dataDir, { recursive: true })
    this.db = new Database(join(dataDir, SQLITE_FILE_NAME))
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = NORMAL')
    this.db.pragma('busy_timeout = 5000')
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS updates (
        id   INTEGER PRIMARY KEY AUTOINCREMENT,
        room TEXT    NOT NULL,
        data BLOB    NOT NULL
      );
      CREATE INDEX IF NOT EXISTS updates_by_room ON updates (room, id);
    `)
    this.stmts = prepare(this.db)
  }

  async load(room: string): Promise<Uint8Array | null> {
    const rows = this.stmts.select.all(room) as { data: Buffer }[]
    if (rows.length === 0) return null
    const updates = rows.map((r) => new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength))
    return updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates)
  }

  async append(room: string, update: Uint8Array): Promise<void> {
    this.stmts.insert.run(room, update)
  }

  async entryCount(room: string): Promise<number> {
    return (this.stmts.count.get(room) as { n: number }).n
  }

  async byteSize(room: string): Promise<number> {
    return (this.stmts.size.get(room) as { n: number | null }).n ?? 0
  }

  /** Replaces the rows it read with their merge, in one transaction, so a crash keeps one or the other. */
  async compact(room: string): Promise<void> {
    this.db.transaction(() => {
      const rows = this.stmts.selectWithId.all(room) as { id: number; data: Buffer }[]
      if (rows.length < 2) return
      const merged = Y.mergeUpdates(rows.map((r) => new Uint8Array(r.data)))
      const lastId = rows[rows.length - 1]!.id
      this.stmts.deleteUpTo.run(room, lastId)
      this.stmts.insertWithId.run(lastId, room, merged)
    })()
  }

  async checkWritable(): Promise<void> {
    this.db.exec('CREATE TABLE IF NOT EXISTS readiness (v INTEGER); DELETE FROM readiness; INSERT INTO readiness VALUES (1)')
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close()
  }
}

function prepare(db: Database.Database) {
  return {
    select: db.prepare('SELECT data FROM updates WHERE room = ? ORDER BY id'),
    selectWithId: db.prepare('SELECT id, data FROM updates WHERE room = ? ORDER BY id'),
    insert: db.prepare('INSERT INTO updates (room, data) VALUES (?, ?)'),
    insertWithId: db.prepare('INSERT INTO updates (id, room, data) VALUES (?, ?, ?)'),
    deleteUpTo: db.prepare('DELETE FROM updates WHERE room = ? AND id <= ?'),
    count: db.prepare('SELECT COUNT(*) AS n FROM updates WHERE room = ?'),
    size: db.prepare('SELECT SUM(LENGTH(data)) AS n FROM updates WHERE room = ?'),
  }
}
