import Database from 'better-sqlite3'
import * as Y from 'yjs'
import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { RoomId } from '../room-id.js'
import type { DocStorage } from './types.js'

export const SQLITE_FILE_NAME = 'skein.sqlite'
const CHECKPOINT_INTERVAL_MS = 1000

/**
 * The `room` column: `<workspace>/<room>`, as every data folder has it. The one place a RoomId
 * becomes a string key and back (workspace names never hold a slash; room names may).
 */
function keyOf({ workspace, room }: RoomId): string {
  if (workspace.length === 0 || workspace.includes('/')) throw new Error(`SqliteStorage: invalid workspace name ${JSON.stringify(workspace)}`)
  return `${workspace}/${room}`
}

function roomIdOf(key: string): RoomId | null {
  const slash = key.indexOf('/')
  return slash > 0 && slash < key.length - 1 ? { workspace: key.slice(0, slash), room: key.slice(slash + 1) } : null
}

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
 *
 * On request (after a purge) it runs a TRUNCATE checkpoint: every page is copied into the
 * database file and the WAL is cut to zero bytes, so no old copy of a purged page is left in it.
 */
const CHECKPOINTER = `
const { workerData, parentPort } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.file)
db.pragma('busy_timeout = 5000')
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)') } catch (err) { parentPort.postMessage({ error: String(err && err.message || err) }) }
}, workerData.intervalMs)
parentPort.on('message', (message) => {
  if (message === 'stop') { clearInterval(timer); db.close(); process.exit(0) }
  try {
    // Copy what it can first without blocking the writer; TRUNCATE, which does, then has little left.
    db.pragma('wal_checkpoint(PASSIVE)')
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)')
    parentPort.postMessage({ truncated: message.truncate, busy: result.busy })
  } catch (err) {
    parentPort.postMessage({ truncated: message.truncate, error: String(err && err.message || err) })
  }
})
`

type CheckpointerMessage = { error: string; truncated?: undefined } | { truncated: number; busy?: number; error?: string }

/**
 * Document storage in one embedded SQLite file. WAL mode lets readers (load, backups) run
 * beside the writer; `synchronous = NORMAL` in WAL mode survives a killed process, which is the
 * failure a relay sees most, without an fsync per commit. Appends from every room that arrive
 * before the next turn starts are committed in one transaction (group commit).
 */
export class SqliteStorage implements DocStorage {
  private readonly db: Database.Database
  private readonly stmts: ReturnType<typeof prepare>
  private queue: QueuedAppend[] = []
  /** The group commit of the queued appends, due at the start of the next event-loop turn. */
  private flushTimer: ReturnType<typeof setTimeout> | null = null
  private checkpointer: Worker | null = null
  /** TRUNCATE checkpoints asked of the worker, by request number. */
  private readonly truncations = new Map<number, { resolve: () => void; reject: (err: Error) => void }>()
  private nextTruncation = 0

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
    // Deleted content is overwritten with zeros (compaction's old entries, purged rooms), so a
    // purged note does not live on in free pages. Appends delete nothing and cost the same.
    this.db.pragma('secure_delete = ON')
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

  async load(room: RoomId): Promise<Uint8Array | null> {
    const rows = this.stmts.select.all(keyOf(room)) as { data: Buffer }[]
    if (rows.length === 0) return null
    const updates = rows.map((r) => new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength))
    return updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates)
  }

  append(room: RoomId, update: Uint8Array): Promise<number> {
    const key = keyOf(room)
    return new Promise((resolve, reject) => {
      this.queue.push({ room: key, update, resolve, reject })
      // A timer, not setImmediate: timers run at the start of a turn, before its socket reads, so
      // the commit never sits between the reads of a turn and the rooms' fan-out of what was read
      // (which runs in setImmediate, see Room). It also gathers every append of at least 1 ms,
      // often several turns under load, into one transaction: fewer commits, fewer WAL pages.
      this.flushTimer ??= setTimeout(this.flushQueue, 0)
    })
  }

  /** Commits every queued append in one transaction; if it fails, every append in it fails. */
  private readonly flushQueue = (): void => {
    if (this.flushTimer) clearTimeout(this.flushTimer)
    this.flushTimer = null
    const batch = this.queue
    this.queue = []
    if (batch.length === 0) return
    let seqs: number[]
    try {
      seqs = this.db.transaction(() => batch.map(({ room, update }) => Number(this.stmts.insert.run(room, update).lastInsertRowid)))()
    } catch (err) {
      for (const entry of batch) entry.reject(err)
      return
    }
    batch.forEach((entry, i) => entry.resolve(seqs[i]!))
  }

  /**
   * One transaction deletes the rooms' entries (zeroed, `secure_delete`); a TRUNCATE checkpoint
   * then copies the zeroed pages into the database file and empties the WAL, which may still hold
   * older copies of those pages. Resolves once neither file holds the rooms' content.
   */
  async purge(rooms: readonly RoomId[]): Promise<void> {
    const keys = rooms.map(keyOf)
    if (this.queue.length > 0) this.flushQueue()
    this.db.transaction(() => {
      for (const key of keys) this.stmts.deleteRoom.run(key)
    })()
    await this.truncateWal()
  }

  async latestEntry(): Promise<number> {
    return (this.stmts.latest.get() as { id: number | null }).id ?? 0
  }

  /** Rooms written before workspaces existed (no `<workspace>/` prefix) are not any workspace's. */
  async roomsWithEntriesAfter(seq: number): Promise<RoomId[]> {
    return (this.stmts.roomsAfter.all(seq) as { room: string }[]).map((r) => roomIdOf(r.room)).filter((id): id is RoomId => id !== null)
  }

  /** A TRUNCATE checkpoint, in the worker (the fsync stays off the main thread) while it runs. */
  private async truncateWal(): Promise<void> {
    const worker = this.checkpointer
    if (!worker) {
      const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[]
      if (result!.busy !== 0) throw new Error('WAL checkpoint after a purge could not complete (database busy)')
      return
    }
    const id = this.nextTruncation++
    // Unreferenced while idle so it never keeps the process alive; a purge waiting on it must.
    worker.ref()
    try {
      await new Promise<void>((resolve, reject) => {
        this.truncations.set(id, { resolve, reject })
        worker.postMessage({ truncate: id })
      })
    } finally {
      if (this.truncations.size === 0 && this.checkpointer === worker) worker.unref()
    }
  }

  private onCheckpointerMessage(message: CheckpointerMessage): void {
    if (message.truncated === undefined) return this.onBackgroundError(`WAL checkpoint failed: ${message.error}`)
    const waiting = this.truncations.get(message.truncated)
    this.truncations.delete(message.truncated)
    if (!waiting) return
    if (message.error !== undefined) waiting.reject(new Error(`WAL checkpoint after a purge failed: ${message.error}`))
    else if (message.busy !== 0) waiting.reject(new Error('WAL checkpoint after a purge could not complete (database busy)'))
    else waiting.resolve()
  }

  private startCheckpointer(file: string): void {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3')
    const worker = new Worker(CHECKPOINTER, { eval: true, workerData: { file, driver, intervalMs: CHECKPOINT_INTERVAL_MS } })
    // The main connection checkpoints only if the worker is gone, so the WAL never grows unbounded.
    this.db.pragma('wal_autocheckpoint = 0')
    worker.unref()
    worker.on('message', (message: CheckpointerMessage) => this.onCheckpointerMessage(message))
    worker.on('error', (err) => this.onBackgroundError(`WAL checkpointer failed: ${err.message}`))
    worker.on('exit', () => {
      if (this.checkpointer === worker && this.db.open) {
        this.checkpointer = null
        this.db.pragma('wal_autocheckpoint = 1000')
      }
      for (const waiting of this.truncations.values()) waiting.reject(new Error('WAL checkpointer exited during a purge'))
      this.truncations.clear()
    })
    this.checkpointer = worker
  }

  async entryCount(room: RoomId): Promise<number> {
    return (this.stmts.count.get(keyOf(room)) as { n: number }).n
  }

  async byteSize(room: RoomId): Promise<number> {
    return (this.stmts.size.get(keyOf(room)) as { n: number | null }).n ?? 0
  }

  /** One transaction: a crash keeps either the old entries or the snapshot, never neither. */
  async replace(room: RoomId, state: Uint8Array, upTo: number): Promise<void> {
    const key = keyOf(room)
    // Appends still queued for this turn belong after `upTo`; commit them first so ids stay ordered.
    if (this.queue.length > 0) this.flushQueue()
    this.db.transaction(() => {
      this.stmts.deleteUpTo.run(key, upTo)
      this.stmts.insertWithId.run(upTo, key, state)
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
    deleteRoom: db.prepare('DELETE FROM updates WHERE room = ?'),
    latest: db.prepare('SELECT max(id) AS id FROM updates'),
    roomsAfter: db.prepare('SELECT DISTINCT room FROM updates WHERE id > ?'),
    count: db.prepare('SELECT COUNT(*) AS n FROM updates WHERE room = ?'),
    size: db.prepare('SELECT SUM(LENGTH(data)) AS n FROM updates WHERE room = ?'),
  }
}
