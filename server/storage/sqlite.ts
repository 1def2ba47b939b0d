import Database from 'better-sqlite3'
import * as Y from 'yjs'
import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { DocStorage } from './types.js'

export const SQLITE_FILE_NAME = 'skein.sqlite'
const CHECKPOINT_INTERVAL_MS = 1000

interface QueuedAppend {
  room: string
  update: Uint8Array
  resolve: (seq: number) => void
  reject: (err: unknown) => void
}

/**
 * Checkpoints the WAL from a worker thread with its own connection. A checkpoint is the only
 * step that fsyncs in WAL mode with `synchronous = NORMAL`; on the main thread it would stall
 * every room for as long as the disk takes. PASSIVE checkpoints never block the writer.
 */
const CHECKPOINTER = `
const { workerData, parentPort } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.file)
db.pragma('busy_timeout = 5000')
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)') } catch (err) { parentPort.postMessage(String(err && err.message || err)) }
}, workerData.intervalMs)
parentPort.on('message', () => { clearInterval(timer); db.close(); process.exit(0) })
`

/**
 * Document storage in one embedded SQLite file. WAL mode lets readers (load, backups) run
 * beside the writer; `synchronous = NORMAL` in WAL mode survives a killed process, which is the
 * failure a relay sees most, without an fsync per commit. Appends from every room that arrive in
 * one event-loop turn are committed in one transaction (group commit).
 */
export class SqliteStorage implements DocStorage {
  private readonly db: Database.Database
  private readonly stmts: ReturnType<typeof prepare>
  private queue: QueuedAppend[] = []
  private flushScheduled = false
  private checkpointer: Worker | null = null

  constructor(
    readonly dataDir: string,
    private readonly onBackgroundError: (message: string) => void = () => undefined,
  ) {
    mkdirSync(dataDir, { recursive: true })
    const file = join(dataDir, SQLITE_FILE_NAME)
    this.db = new Database(file)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = NORMAL')
    this.db.pragma('busy_timeout = 5000')
    this.startCheckpointer(file)
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

  append(room: string, update: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ room, update, resolve, reject })
      if (!this.flushScheduled) {
        this.flushScheduled = true
        setImmediate(this.flushQueue)
      }
    })
  }

  /** Commits every queued append in one transaction; if it fails, every append in it fails. */
  private readonly flushQueue = (): void => {
    this.flushScheduled = false
    const batch = this.queue
    this.queue = []
    let seqs: number[]
    try {
      seqs = this.db.transaction(() => batch.map(({ room, update }) => Number(this.stmts.insert.run(room, update).lastInsertRowid)))()
    } catch (err) {
      for (const entry of batch) entry.reject(err)
      return
    }
    batch.forEach((entry, i) => entry.resolve(seqs[i]!))
  }

  private startCheckpointer(file: string): void {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3')
    const worker = new Worker(CHECKPOINTER, { eval: true, workerData: { file, driver, intervalMs: CHECKPOINT_INTERVAL_MS } })
    // The main connection checkpoints only if the worker is gone, so the WAL never grows unbounded.
    this.db.pragma('wal_autocheckpoint = 0')
    worker.unref()
    worker.on('message', (message: string) => this.onBackgroundError(`WAL checkpoint failed: ${message}`))
    worker.on('error', (err) => this.onBackgroundError(`WAL checkpointer failed: ${err.message}`))
    worker.on('exit', () => {
      if (this.checkpointer === worker && this.db.open) {
        this.checkpointer = null
        this.db.pragma('wal_autocheckpoint = 1000')
      }
    })
    this.checkpointer = worker
  }

  async entryCount(room: string): Promise<number> {
    return (this.stmts.count.get(room) as { n: number }).n
  }

  async byteSize(room: string): Promise<number> {
    return (this.stmts.size.get(room) as { n: number | null }).n ?? 0
  }

  /** One transaction: a crash keeps either the old entries or the snapshot, never neither. */
  async replace(room: string, state: Uint8Array, upTo: number): Promise<void> {
    // Appends still queued for this turn belong after `upTo`; commit them first so ids stay ordered.
    if (this.queue.length > 0) this.flushQueue()
    this.db.transaction(() => {
      this.stmts.deleteUpTo.run(room, upTo)
      this.stmts.insertWithId.run(upTo, room, state)
    })()
  }

  async checkWritable(): Promise<void> {
    this.db.exec('CREATE TABLE IF NOT EXISTS readiness (v INTEGER); DELETE FROM readiness; INSERT INTO readiness VALUES (1)')
  }

  async close(): Promise<void> {
    if (this.queue.length > 0) this.flushQueue()
    const worker = this.checkpointer
    this.checkpointer = null
    if (worker) {
      const exited = new Promise((resolve) => worker.once('exit', resolve))
      // Unreferenced while running so it never keeps the process alive; waiting for it must.
      worker.ref()
      worker.postMessage('stop')
      await exited
    }
    if (this.db.open) {
      this.db.pragma('wal_checkpoint(TRUNCATE)')
      this.db.close()
    }
  }
}

function prepare(db: Database.Database) {
  return {
    select: db.prepare('SELECT data FROM updates WHERE room = ? ORDER BY id'),
    insert: db.prepare('INSERT INTO updates (room, data) VALUES (?, ?)'),
    insertWithId: db.prepare('INSERT INTO updates (id, room, data) VALUES (?, ?, ?)'),
    deleteUpTo: db.prepare('DELETE FROM updates WHERE room = ? AND id <= ?'),
    count: db.prepare('SELECT COUNT(*) AS n FROM updates WHERE room = ?'),
    size: db.prepare('SELECT SUM(LENGTH(data)) AS n FROM updates WHERE room = ?'),
  }
}
