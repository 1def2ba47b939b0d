import * as Y from 'yjs'
import type { RoomId } from '../room-id.js'
import type { SharedDocStorage } from '../storage/types.js'
import { migratedOrClosed, openPool, transaction, withConnection, type Pool, type PoolClient } from './database.js'

/**
 * Appends hold this advisory lock shared and `latestEntry` holds it exclusively ('skein' + 'ent'
 * as ASCII; one-key advisory locks never collide with the two-key form).
 *
 * Why: entry numbers come from a bigserial, which hands numbers out when an INSERT runs, not when
 * its transaction commits. Two relays' appends can commit in the other order, so for a moment
 * entry 8 is visible and entry 7 is not. A `latestEntry` read then would answer 8, and a recovery
 * cursor set to 8 would never look at 7 once it commits. Taking the lock exclusively waits for
 * every append in flight to commit or roll back and keeps new ones from starting, so the max read
 * after it (a later statement, hence a later snapshot) has no uncommitted number below it. The
 * price: appends pause while `latestEntry` waits, which is as long as the slowest append in flight.
 */
const ENTRY_LOCK_KEY = 0x736b65696e656e74n

/** The seed of the per-room compaction lock keys, so they differ from any other hash of a room name. */
const COMPACTION_LOCK_SEED = 0x636f6d70

/** Group commits of appends under way at once (each on its own pooled connection). */
const MAX_BATCHES_IN_FLIGHT = 2

interface QueuedAppend {
  room: RoomId
  update: Uint8Array
  resolve: (stored: { entry: number; roomSeq: number }) => void
  reject: (error: unknown) => void
}

const roomKey = ({ workspace, room }: RoomId): string => `${workspace}\u0000${room}`

/** Indexes of the batch split so that no room appears twice in one round, in append order. */
function rounds(batch: readonly QueuedAppend[]): number[][] {
  const out: number[][] = []
  const seen = new Map<string, number>()
  batch.forEach(({ room }, i) => {
    const key = roomKey(room)
    const n = seen.get(key) ?? 0
    seen.set(key, n + 1)
    ;(out[n] ??= []).push(i)
  })
  return out
}

/** How often `replace` retries after a concurrent snapshot write moved its compare-and-swap key. */
const REPLACE_ATTEMPTS = 5

export interface OpenOptions {
  /** Bring the schema up to date first (default true). */
  migrate?: boolean
}

interface StoredEntry {
  roomSeq: number
  entry: number
  data: Uint8Array
}

/** One consistent read of a room: its row and every entry after `after`. */
interface RoomRead {
  /** False when the room has no row (nothing was ever appended to it). */
  exists: boolean
  roomSeq: number
  snapshotSeq: number
  snapshotEntry: number
  /** Null when there is none or it covers no more than `after`. */
  snapshot: Uint8Array | null
  entries: StoredEntry[]
}

type Queryable = Pool | PoolClient

/** pg returns bytea as a Buffer, whose `slice` shares memory; callers get a plain Uint8Array view. */
const bytes = (buffer: Buffer): Uint8Array => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
const param = (update: Uint8Array): Buffer => Buffer.from(update.buffer, update.byteOffset, update.byteLength)
const merged = (updates: Uint8Array[]): Uint8Array | null => (updates.length === 0 ? null : updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates))

/**
 * Document storage in PostgreSQL, shared by every relay of a service (see `SharedDocStorage`).
 * Updates are stored as opaque bytes; only compaction (and `replace`) merges them.
 */
export class PostgresDocStorage implements SharedDocStorage {
  readonly shared = true
  private readonly pool: Pool
  private readonly ownsPool: boolean
  private closed = false

  /** With a URL the storage opens (and `close` ends) its own pool; a pool given is the caller's. */
  constructor(source: string | Pool) {
    this.ownsPool = typeof source === 'string'
    this.pool = typeof source === 'string' ? openPool(source) : source
  }

  static async open(source: string | Pool, options: OpenOptions = {}): Promise<PostgresDocStorage> {
    const storage = new PostgresDocStorage(source)
    return migratedOrClosed(storage, storage.pool, options.migrate ?? true)
  }

  async load(room: RoomId): Promise<Uint8Array | null> {
    return (await this.loadWithSeq(room)).state
  }

  async loadWithSeq(room: RoomId): Promise<{ state: Uint8Array | null; roomSeq: number }> {
    const { update, roomSeq } = await this.loadSince(room, 0)
    return { state: update, roomSeq }
  }

  async loadSince(room: RoomId, after: number): Promise<{ update: Uint8Array | null; roomSeq: number }> {
    this.assertOpen()
    const read = await readRoom(this.pool, room, after)
    return { update: merged([...(read.snapshot ? [read.snapshot] : []), ...read.entries.map((e) => e.data)]), roomSeq: read.roomSeq }
  }

  async append(room: RoomId, update: Uint8Array): Promise<number> {
    return (await this.appendInRoom(room, update)).entry
  }

  /**
   * Resolved after COMMIT. Appends are group-committed: those made while a batch is being
   * written go out together in the next one, one transaction for every room in it, as SQLite's
   * storage does per event-loop turn. A transaction per append would hold a pooled connection for
   * four round trips each, and a busy relay would run out of connections.
   *
   * In the transaction, each room's upsert raises its sequence and holds its row lock until
   * commit, so appends to one room, from any relay, take sequences one at a time and commit in
   * that order: a committed sequence never has an uncommitted one below it. Rows are locked in
   * (workspace, room) order, so two relays' batches do not deadlock on each other.
   */
  appendInRoom(room: RoomId, update: Uint8Array): Promise<{ entry: number; roomSeq: number }> {
    this.assertOpen()
    return new Promise((resolve, reject) => {
      this.queue.push({ room, update, resolve, reject })
      this.flushSoon()
    })
  }

  private queue: QueuedAppend[] = []
  private inFlight = 0

  private flushSoon(): void {
    if (this.queue.length === 0 || this.inFlight >= MAX_BATCHES_IN_FLIGHT) return
    this.inFlight++
    // After the current turn, so that every room written this turn joins the batch.
    setImmediate(() => {
      const batch = this.queue
      this.queue = []
      void this.writeBatch(batch).finally(() => {
        this.inFlight--
        this.flushSoon()
      })
    })
  }

  private async writeBatch(batch: QueuedAppend[]): Promise<void> {
    if (batch.length === 0) return
    for (let attempt = 1; ; attempt++) {
      try {
        const results = await transaction(this.pool, async (client) => {
          await client.query(`SELECT pg_advisory_xact_lock_shared(${ENTRY_LOCK_KEY})`)
          const out: { entry: number; roomSeq: number }[] = new Array(batch.length)
          // A statement may raise each room's row once: a room appended twice goes in a later round.
          for (const round of rounds(batch)) {
            const { rows } = await client.query<{ entry: string; room_seq: string; workspace: string; room: string }>(
              `WITH input AS (
                 SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::int[]) AS t(workspace, room, data, ord)
               ), seq AS (
                 INSERT INTO doc_rooms AS r (workspace, room, room_seq)
                 SELECT workspace, room, 1 FROM input ORDER BY workspace, room
                 ON CONFLICT (workspace, room) DO UPDATE SET room_seq = r.room_seq + 1
                 RETURNING workspace, room, room_seq
               )
               INSERT INTO doc_entries (workspace, room, room_seq, data)
               SELECT i.workspace, i.room, s.room_seq, i.data FROM input i JOIN seq s USING (workspace, room) ORDER BY i.ord
               RETURNING entry, room_seq, workspace, room`,
              [round.map((i) => batch[i]!.room.workspace), round.map((i) => batch[i]!.room.room), round.map((i) => param(batch[i]!.update)), round],
            )
            // Rooms are unique within a round.
            const index = new Map(round.map((i) => [roomKey(batch[i]!.room), i]))
            for (const row of rows) out[index.get(roomKey(row))!] = { entry: Number(row.entry), roomSeq: Number(row.room_seq) }
          }
          return out
        })
        batch.forEach((append, i) => append.resolve(results[i]!))
        return
      } catch (error) {
        // Another relay's transaction and ours chose each other as the deadlock victim: rare, and
        // safe to run again (nothing committed).
        if (attempt < 3 && (error as { code?: string }).code === '40P01') continue
        for (const append of batch) append.reject(error)
        return
      }
    }
  }

  /**
   * Stores `state` as the room's snapshot in place of its entries up to `upTo`. The entries it
   * replaces are merged into it, so a relay whose memory lacks another relay's entry loses
   * nothing. When none of those entries is left (a compaction or a purge got there first), it
   * changes nothing: the stored snapshot already holds them, or they were meant to be gone.
   */
  async replace(room: RoomId, state: Uint8Array, upTo: number): Promise<void> {
    this.assertOpen()
    for (let attempt = 0; attempt < REPLACE_ATTEMPTS; attempt++) {
      const outcome = await transaction(this.pool, async (client) => {
        const read = await readRoom(client, room, 0)
        const covered = read.entries.filter((e) => e.entry <= upTo)
        if (covered.length === 0) return 'nothing' as const
        const snapshot = merged([state, ...(read.snapshot ? [read.snapshot] : []), ...covered.map((e) => e.data)])!
        const seq = covered[covered.length - 1]!.roomSeq
        return (await writeSnapshot(client, room, snapshot, read.snapshotSeq, seq, Math.max(read.snapshotEntry, upTo))) ? ('replaced' as const) : ('raced' as const)
      })
      if (outcome !== 'raced') return
    }
    throw new Error(`PostgresDocStorage.replace: the snapshot of ${room.workspace}/${room.room} changed under each of ${REPLACE_ATTEMPTS} attempts`)
  }

  /**
   * The room's snapshot and entries become one snapshot. The session advisory lock makes one
   * relay at a time the room's compactor; it is tied to the connection, so a relay that dies
   * mid-compaction frees it with its session (no expiry to tune). The compare-and-swap on
   * `snapshot_seq` covers what the lock does not: a `replace` or `purge` writing in between.
   */
  async compactRoom(room: RoomId, minEntries = 1): Promise<'compacted' | 'busy' | 'skipped'> {
    this.assertOpen()
    return withConnection(this.pool, async (client, markBroken) => {
      const { rows } = await client.query<{ key: string; locked: boolean }>(
        `SELECT key, pg_try_advisory_lock(key) AS locked FROM (SELECT hashtextextended($1::text || '/' || $2::text, $3::bigint) AS key) k`,
        [room.workspace, room.room, COMPACTION_LOCK_SEED],
      )
      const { key, locked } = rows[0]!
      if (!locked) return 'busy'
      try {
        return await compactLocked(client, room, Math.max(1, minEntries))
      } finally {
        try {
          await client.query('SELECT pg_advisory_unlock($1)', [key])
        } catch {
          markBroken() // the session is gone, and its lock with it; never hand the connection out again
        }
      }
    })
  }

  /** Counted on the room rows (every entry above `snapshot_seq` exists), not by scanning entries. */
  async roomsToCompact(minEntries: number, limit: number): Promise<RoomId[]> {
    this.assertOpen()
    const { rows } = await this.pool.query<{ workspace: string; room: string }>(
      `SELECT workspace, room FROM doc_rooms WHERE room_seq - snapshot_seq >= $1 ORDER BY room_seq - snapshot_seq DESC, workspace, room LIMIT $2`,
      [Math.max(1, minEntries), limit],
    )
    return rows.map(({ workspace, room }) => ({ workspace, room }))
  }

  /**
   * The row locks come first (in a fixed order, so two purges cannot deadlock): an append in
   * flight commits before the entries are deleted, and a later one gets a sequence above the
   * purge's `snapshot_seq`. Moving `snapshot_seq` also fails the compare-and-swap of a compaction
   * that read the purged entries. DELETE leaves dead tuples until (auto)vacuum reuses their space,
   * and the bytes stay in the WAL until it is recycled: gone from every query, not yet from disk.
   */
  async purge(rooms: readonly RoomId[]): Promise<void> {
    this.assertOpen()
    if (rooms.length === 0) return
    const keys = [rooms.map((r) => r.workspace), rooms.map((r) => r.room)]
    const chosen = `(workspace, room) IN (SELECT * FROM unnest($1::text[], $2::text[]))`
    await transaction(this.pool, async (client) => {
      await client.query(`SELECT 1 FROM doc_rooms WHERE ${chosen} ORDER BY workspace, room FOR UPDATE`, keys)
      await client.query(`UPDATE doc_rooms SET snapshot = NULL, snapshot_entry = NULL, snapshot_seq = room_seq WHERE ${chosen}`, keys)
      await client.query(`DELETE FROM doc_entries WHERE ${chosen}`, keys)
    })
  }

  /** Exact: see ENTRY_LOCK_KEY. The read must be a statement after the lock's, for a snapshot taken after it. */
  async latestEntry(): Promise<number> {
    this.assertOpen()
    return transaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(${ENTRY_LOCK_KEY})`)
      const { rows } = await client.query<{ latest: string }>(
        `SELECT greatest((SELECT max(entry) FROM doc_entries), (SELECT max(snapshot_entry) FROM doc_rooms), 0) AS latest`,
      )
      return Number(rows[0]!.latest)
    })
  }

  async roomsWithEntriesAfter(seq: number): Promise<RoomId[]> {
    this.assertOpen()
    const { rows } = await this.pool.query<{ workspace: string; room: string }>(
      `SELECT workspace, room FROM doc_entries WHERE entry > $1
       UNION
       SELECT workspace, room FROM doc_rooms WHERE snapshot_entry > $1
       ORDER BY workspace, room`,
      [seq],
    )
    return rows.map(({ workspace, room }) => ({ workspace, room }))
  }

  /** The snapshot counts as one entry, as the entry `replace` leaves in the SQLite storage does. */
  async entryCount(room: RoomId): Promise<number> {
    this.assertOpen()
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM doc_entries WHERE workspace = $1 AND room = $2)
            + (SELECT count(*) FROM doc_rooms WHERE workspace = $1 AND room = $2 AND snapshot IS NOT NULL) AS n`,
      [room.workspace, room.room],
    )
    return Number(rows[0]!.n)
  }

  async byteSize(room: RoomId): Promise<number> {
    this.assertOpen()
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT coalesce((SELECT sum(octet_length(data)) FROM doc_entries WHERE workspace = $1 AND room = $2), 0)
            + coalesce((SELECT octet_length(snapshot) FROM doc_rooms WHERE workspace = $1 AND room = $2), 0) AS n`,
      [room.workspace, room.room],
    )
    return Number(rows[0]!.n)
  }

  /** A round trip to the server, and a session that may write (not a standby, not read-only by default). */
  async checkWritable(): Promise<void> {
    this.assertOpen()
    const { rows } = await this.pool.query<{ read_only: string; recovery: boolean }>(
      `SELECT current_setting('transaction_read_only') AS read_only, pg_is_in_recovery() AS recovery`,
    )
    const { read_only: readOnly, recovery } = rows[0]!
    if (recovery) throw new Error('PostgreSQL document storage is not writable: the server is a standby (in recovery)')
    if (readOnly === 'on') throw new Error('PostgreSQL document storage is not writable: transactions are read-only (default_transaction_read_only is on)')
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.ownsPool) await this.pool.end()
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('PostgresDocStorage: used after close()')
  }
}

/**
 * One statement, hence one snapshot even in READ COMMITTED: the row and the entries it read agree,
 * and since a room's sequences commit in order, the entries are complete up to `roomSeq`. The
 * snapshot is sent only when it covers more than `after` (the caller may already hold the rest).
 */
async function readRoom(db: Queryable, room: RoomId, after: number): Promise<RoomRead> {
  const { rows } = await db.query<{ kind: number; room_seq: string; seq: string; entry: string | null; data: Buffer | null }>(
    `WITH r AS (SELECT room_seq, snapshot, snapshot_seq, snapshot_entry FROM doc_rooms WHERE workspace = $1 AND room = $2)
     SELECT 0 AS kind, room_seq, snapshot_seq AS seq, snapshot_entry AS entry, CASE WHEN snapshot_seq > $3 THEN snapshot END AS data FROM r
     UNION ALL
     SELECT 1, NULL, room_seq, entry, data FROM doc_entries WHERE workspace = $1 AND room = $2 AND room_seq > $3
     ORDER BY kind, seq`,
    [room.workspace, room.room, after],
  )
  const head = rows[0]
  if (!head || head.kind !== 0) return { exists: false, roomSeq: 0, snapshotSeq: 0, snapshotEntry: 0, snapshot: null, entries: [] }
  return {
    exists: true,
    roomSeq: Number(head.room_seq),
    snapshotSeq: Number(head.seq),
    snapshotEntry: Number(head.entry ?? 0),
    snapshot: head.data ? bytes(head.data) : null,
    entries: rows.slice(1).map((row) => ({ roomSeq: Number(row.seq), entry: Number(row.entry), data: bytes(row.data!) })),
  }
}

/**
 * Writes a snapshot complete up to room sequence `seq` if the stored one is still the one read
 * (`snapshot_seq` = `expectedSeq`), and deletes the entries it covers. The UPDATE takes the row
 * lock and, in READ COMMITTED, re-checks the condition against the newest committed row: a writer
 * that committed since the read makes it match nothing. Entries appended since the read have
 * higher sequences and stay. False if the compare-and-swap failed.
 */
async function writeSnapshot(client: PoolClient, room: RoomId, snapshot: Uint8Array, expectedSeq: number, seq: number, entry: number): Promise<boolean> {
  const { rowCount } = await client.query(
    `UPDATE doc_rooms SET snapshot = $3, snapshot_seq = $4, snapshot_entry = $5 WHERE workspace = $1 AND room = $2 AND snapshot_seq = $6`,
    [room.workspace, room.room, param(snapshot), seq, entry, expectedSeq],
  )
  if (rowCount !== 1) return false
  await client.query(`DELETE FROM doc_entries WHERE workspace = $1 AND room = $2 AND room_seq <= $3`, [room.workspace, room.room, seq])
  return true
}

/** Under the room's compaction lock, on that lock's connection. A lost compare-and-swap is 'busy'. */
async function compactLocked(client: PoolClient, room: RoomId, minEntries: number): Promise<'compacted' | 'busy' | 'skipped'> {
  await client.query('BEGIN')
  try {
    const read = await readRoom(client, room, 0)
    if (read.entries.length < minEntries) {
      await client.query('ROLLBACK')
      return 'skipped'
    }
    const last = read.entries[read.entries.length - 1]!
    const snapshot = merged([...(read.snapshot ? [read.snapshot] : []), ...read.entries.map((e) => e.data)])!
    const written = await writeSnapshot(client, room, snapshot, read.snapshotSeq, last.roomSeq, Math.max(read.snapshotEntry, last.entry))
    await client.query(written ? 'COMMIT' : 'ROLLBACK')
    return written ? 'compacted' : 'busy'
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  }
}
