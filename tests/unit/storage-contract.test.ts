import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import * as Y from 'yjs'
import { MemoryStorage } from '../../server/storage/memory'
import { SqliteStorage } from '../../server/storage/sqlite'
import { isSharedDocStorage, type DocStorage } from '../../server/storage/types'
import type { RoomId } from '../../server/room-id'
import { tempDir } from '../helpers/relay'
import { startPostgres, type PostgresServer } from '../helpers/servers'
import { PostgresDocStorage } from '../../server/postgres/doc-storage'
import { openPool } from '../../server/postgres/database'
import pg from 'pg'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'

function textUpdate(doc: Y.Doc, text: string): Uint8Array {
  const before = Y.encodeStateVector(doc)
  doc.getText('t').insert(doc.getText('t').length, text)
  return Y.encodeStateAsUpdate(doc, before)
}

/** A room of workspace `w`. */
const r = (room: string): RoomId => ({ workspace: 'w', room })

function textOf(state: Uint8Array | null): string {
  const doc = new Y.Doc()
  if (state) Y.applyUpdate(doc, state)
  return doc.getText('t').toString()
}

/** One PostgreSQL server for the file; each test gets its own database on it. */
let postgres: PostgresServer | undefined
beforeAll(async () => {
  postgres = await startPostgres()
})
afterAll(async () => {
  await postgres?.stop()
})

/** Closed when the test ends, passed or not (closing again is a no-op): PostgreSQL is stopped with the file. */
async function freshPostgres(): Promise<PostgresDocStorage> {
  const storage = await PostgresDocStorage.open(await postgres!.createDatabase())
  onTestFinished(() => storage.close())
  return storage
}

const implementations: [string, () => Promise<DocStorage>][] = [
  ['MemoryStorage', async () => new MemoryStorage()],
  ['SqliteStorage', async () => new SqliteStorage(tempDir())],
  ['PostgresDocStorage', freshPostgres],
]

describe.each(implementations)('%s (DocStorage contract)', (_name, create) => {
  it('returns null for a room that was never written', async () => {
    const storage = await create()
    expect(await storage.load(r('never'))).toBeNull()
    expect(await storage.entryCount(r('never'))).toBe(0)
    await storage.close()
  })

  it('loads every appended update merged, per room', async () => {
    const storage = await create()
    const doc = new Y.Doc()
    await storage.append(r('a'), textUpdate(doc, 'one '))
    await storage.append(r('a'), textUpdate(doc, 'two'))
    await storage.append(r('b'), textUpdate(new Y.Doc(), 'other'))
    expect(textOf(await storage.load(r('a')))).toBe('one two')
    expect(textOf(await storage.load(r('b')))).toBe('other')
    expect(await storage.entryCount(r('a'))).toBe(2)
    await storage.close()
  })

  it('replaces entries up to a sequence number with a snapshot, keeping later entries and other rooms', async () => {
    const storage = await create()
    const doc = new Y.Doc()
    let upTo = 0
    for (let i = 0; i < 20; i++) upTo = await storage.append(r('a'), textUpdate(doc, `${i} `))
    await storage.append(r('b'), textUpdate(new Y.Doc(), 'other room'))
    const snapshot = Y.encodeStateAsUpdate(doc)
    const later = await storage.append(r('a'), textUpdate(doc, 'after'))
    expect(later).toBeGreaterThan(upTo)
    await storage.replace(r('a'), snapshot, upTo)
    expect(await storage.entryCount(r('a'))).toBe(2)
    expect(textOf(await storage.load(r('a')))).toBe(doc.getText('t').toString())
    expect(textOf(await storage.load(r('b')))).toBe('other room')
    await storage.append(r('a'), textUpdate(doc, '!'))
    expect(textOf(await storage.load(r('a')))).toMatch(/after!$/)
    await storage.close()
  })

  it('gives every append a larger sequence number than the one before', async () => {
    const storage = await create()
    const seqs = await Promise.all([1, 2, 3].map((i) => storage.append(r(`r${i}`), textUpdate(new Y.Doc(), 'x'))))
    const next = await storage.append(r('r1'), textUpdate(new Y.Doc(), 'y'))
    expect(new Set(seqs).size).toBe(3)
    expect(next).toBeGreaterThan(Math.max(...seqs))
    await storage.close()
  })

  it('purges rooms: every entry of theirs is gone, other rooms stay, later appends start a new log above every old number', async () => {
    const storage = await create()
    const doc = new Y.Doc()
    let last = 0
    for (let i = 0; i < 5; i++) last = await storage.append(r('gone'), textUpdate(doc, `${i} `))
    await storage.replace(r('gone'), Y.encodeStateAsUpdate(doc), last)
    await storage.append(r('gone/history'), textUpdate(new Y.Doc(), 'versions'))
    await storage.append(r('kept'), textUpdate(new Y.Doc(), 'kept'))
    const newest = await storage.latestEntry()
    await storage.purge([r('gone'), r('gone/history'), r('never-written')])
    expect(await storage.load(r('gone'))).toBeNull()
    expect(await storage.load(r('gone/history'))).toBeNull()
    expect(await storage.entryCount(r('gone'))).toBe(0)
    expect(await storage.byteSize(r('gone'))).toBe(0)
    expect(textOf(await storage.load(r('kept')))).toBe('kept')
    const again = await storage.append(r('gone'), textUpdate(new Y.Doc(), 'fresh'))
    expect(again).toBeGreaterThan(newest)
    expect(textOf(await storage.load(r('gone')))).toBe('fresh')
    await storage.close()
  })

  it('reports its newest entry and the rooms written after a given entry', async () => {
    const storage = await create()
    expect(await storage.latestEntry()).toBe(0)
    expect(await storage.roomsWithEntriesAfter(0)).toEqual([])
    const doc = new Y.Doc()
    const a1 = await storage.append(r('a'), textUpdate(doc, 'a1'))
    const b1 = await storage.append(r('b'), textUpdate(new Y.Doc(), 'b1'))
    expect(await storage.latestEntry()).toBe(b1)
    const a2 = await storage.append(r('a'), textUpdate(doc, 'a2'))
    const c1 = await storage.append(r('c'), textUpdate(new Y.Doc(), 'c1'))
    expect(await storage.latestEntry()).toBe(c1)
    expect((await storage.roomsWithEntriesAfter(0)).map((id) => id.room).sort()).toEqual(['a', 'b', 'c'])
    expect((await storage.roomsWithEntriesAfter(b1)).map((id) => id.room).sort()).toEqual(['a', 'c'])
    expect(await storage.roomsWithEntriesAfter(c1)).toEqual([])
    // A compaction rewrites entries under a number already given out: nothing new after it.
    await storage.replace(r('a'), Y.encodeStateAsUpdate(doc), a2)
    expect((await storage.roomsWithEntriesAfter(b1)).map((id) => id.room).sort()).toEqual(['a', 'c'])
    expect(await storage.roomsWithEntriesAfter(c1)).toEqual([])
    expect(await storage.latestEntry()).toBe(c1)
    expect(a1).toBeLessThan(b1)
    await storage.close()
  })

  it('reports its byte size and that it is writable', async () => {
    const storage = await create()
    await storage.append(r('a'), textUpdate(new Y.Doc(), 'abc'))
    expect(await storage.byteSize(r('a'))).toBeGreaterThan(0)
    await expect(storage.checkWritable()).resolves.toBeUndefined()
    await storage.close()
  })
})

describe('SqliteStorage', () => {
  it('keeps data in its file across reopening', async () => {
    const dir = tempDir()
    const first = new SqliteStorage(dir)
    await first.append(r('a'), textUpdate(new Y.Doc(), 'persisted'))
    await first.close()
    const second = new SqliteStorage(dir)
    expect(textOf(await second.load(r('a')))).toBe('persisted')
    await second.close()
  })

  it('keys rooms as <workspace>/<room> on disk, so existing data folders keep working', async () => {
    const dir = tempDir()
    const storage = new SqliteStorage(dir)
    await storage.append({ workspace: 'acme', room: 'note/n1' }, textUpdate(new Y.Doc(), 'new'))
    await storage.close()
    const db = new Database(join(dir, 'skein.sqlite'))
    expect(db.prepare('SELECT DISTINCT room FROM updates').all()).toEqual([{ room: 'acme/note/n1' }])
    // A row as an earlier version wrote it.
    db.prepare('INSERT INTO updates (room, data) VALUES (?, ?)').run('default/history/h1', Buffer.from(textUpdate(new Y.Doc(), 'old')))
    db.close()
    const reopened = new SqliteStorage(dir)
    expect(textOf(await reopened.load({ workspace: 'default', room: 'history/h1' }))).toBe('old')
    expect(await reopened.roomsWithEntriesAfter(0)).toEqual([{ workspace: 'acme', room: 'note/n1' }, { workspace: 'default', room: 'history/h1' }])
    await reopened.close()
  })

  it('uses WAL journaling', async () => {
    const storage = new SqliteStorage(tempDir())
    // @ts-expect-error reaching into the private handle to check the pragma actually took
    expect(storage.db.pragma('journal_mode', { simple: true })).toBe('wal')
    await storage.close()
  })
})

/** Every file SQLite keeps for a database, as raw bytes. */
function rawFiles(dir: string, name: string): Buffer {
  return Buffer.concat([name, `${name}-wal`].map((f) => join(dir, f)).filter(existsSync).map((f) => readFileSync(f)))
}

describe('SqliteStorage purge', () => {
  it('leaves no byte of a purged room in the database or WAL file, including entries a compaction had deleted before', async () => {
    const dir = tempDir()
    const storage = new SqliteStorage(dir)
    const marker = `purge-marker-${randomUUID()}`
    const doc = new Y.Doc()
    let last = await storage.append(r('secret'), textUpdate(doc, marker))
    // Big entries spill into overflow pages; a compaction deletes them and leaves them free.
    for (let i = 0; i < 20; i++) last = await storage.append(r('secret'), textUpdate(doc, `${marker}:${i}:${'x'.repeat(3000)}`))
    await storage.replace(r('secret'), Y.encodeStateAsUpdate(doc), last)
    for (let i = 0; i < 20; i++) await storage.append(r('other'), textUpdate(new Y.Doc(), `other ${i} ${'y'.repeat(3000)}`))
    expect(rawFiles(dir, 'skein.sqlite').includes(marker)).toBe(true)

    await storage.purge([r('secret')])
    expect(rawFiles(dir, 'skein.sqlite').includes(marker)).toBe(false)
    expect(await storage.entryCount(r('other'))).toBe(20)
    await storage.close()
    expect(rawFiles(dir, 'skein.sqlite').includes(marker)).toBe(false)
  })
})

describe('SqliteStorage write path', () => {
  it('commits appends from many rooms in one turn together, and each resolves only after its commit', async () => {
    const dir = tempDir()
    const storage = new SqliteStorage(dir)
    const doc = new Y.Doc()
    const appends = Array.from({ length: 50 }, (_, i) => storage.append(r(`room-${i}`), textUpdate(doc, `${i}`)))
    await Promise.all(appends)
    const reader = new SqliteStorage(dir)
    for (let i = 0; i < 50; i++) expect(await reader.entryCount(r(`room-${i}`))).toBe(1)
    await reader.close()
    await storage.close()
  })

  it('keeps the WAL bounded by checkpointing from a worker while the main connection never does', async () => {
    const dir = tempDir()
    const storage = new SqliteStorage(dir)
    // @ts-expect-error reaching into the private handle to check the main connection's setting
    expect(storage.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0)
    const chunk = new Uint8Array(200 * 1024)
    for (let i = 0; i < 30; i++) {
      await storage.append(r('big'), chunk)
      await new Promise((r) => setTimeout(r, 100))
    }
    const wal = statSync(join(dir, 'skein.sqlite-wal')).size
    // Without background checkpoints the WAL would hold all 6 MB; the file keeps its high-water size after a reset.
    expect(wal).toBeLessThan(30 * chunk.byteLength * 0.9)
    await storage.close()
    const walPath = join(dir, 'skein.sqlite-wal')
    expect(existsSync(walPath) ? statSync(walPath).size : 0).toBe(0)
  })
})

/** An update of its own Y.Doc setting key `key`: independent of every other, so a merged state shows exactly which entries it holds. */
function keyUpdate(key: string): Uint8Array {
  const doc = new Y.Doc()
  doc.getMap('m').set(key, true)
  return Y.encodeStateAsUpdate(doc)
}

function keysOf(...states: (Uint8Array | null)[]): string[] {
  const doc = new Y.Doc()
  for (const state of states) if (state) Y.applyUpdate(doc, state)
  return [...doc.getMap('m').keys()].sort()
}

const range = (n: number, from = 1): number[] => Array.from({ length: n }, (_, i) => from + i)

/** A raw connection for the test, ended when the test ends. */
async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  onTestFinished(() => client.end())
  return client
}

/** Two relays' storages on one fresh database, each with its own pool, and a raw connection; all closed when the test ends. */
async function twoRelays(): Promise<{ url: string; a: PostgresDocStorage; b: PostgresDocStorage; sql: pg.Client }> {
  const url = await postgres!.createDatabase()
  const [a, b] = [await PostgresDocStorage.open(url), await PostgresDocStorage.open(url)]
  onTestFinished(async () => void (await Promise.all([a.close(), b.close()])))
  return { url, a, b, sql: await connect(url) }
}

/**
 * Locks a room's row from a connection of its own, so that a writer of that room stops at its
 * UPDATE (after its read) until `release`: the way to hold two writers between read and write.
 */
async function holdRoomRow(url: string, room: RoomId): Promise<{ release(): Promise<void> }> {
  const client = await connect(url)
  await client.query('BEGIN')
  await client.query('SELECT 1 FROM doc_rooms WHERE workspace = $1 AND room = $2 FOR UPDATE', [room.workspace, room.room])
  return {
    async release() {
      await client.query('COMMIT')
    },
  }
}

/** Waits until `n` sessions of the database wait for a lock. */
async function lockWaiters(sql: pg.Client, n: number): Promise<void> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 20))) {
    const { rows } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)
    if (rows[0]!.n >= n) return
  }
  throw new Error(`fewer than ${n} sessions came to wait for a lock within 10 s`)
}

function settled<T>(promise: Promise<T>): { readonly done: boolean; promise: Promise<T> } {
  const state = { done: false, promise }
  void promise.then(
    () => (state.done = true),
    () => (state.done = true),
  )
  return state
}

describe('PostgresDocStorage (SharedDocStorage)', () => {
  it('is a shared storage', async () => {
    const storage = await freshPostgres()
    expect(storage.shared).toBe(true)
    expect(isSharedDocStorage(storage)).toBe(true)
    expect(isSharedDocStorage(new MemoryStorage())).toBe(false)
    await storage.close()
  })

  it('gives each room contiguous sequences in commit order under concurrent appends from two relays', async () => {
    const { a, b } = await twoRelays()
    const rooms = [r('x'), r('y')]
    const results = await Promise.all(
      range(200).map((i) => (i % 2 === 0 ? a : b).appendInRoom(rooms[i % 3 === 0 ? 0 : 1]!, keyUpdate(`k${i}`)).then((result) => ({ ...result, room: i % 3 === 0 ? 0 : 1 }))),
    )
    expect(new Set(results.map((x) => x.entry)).size).toBe(200)
    for (const room of [0, 1]) {
      const mine = results.filter((x) => x.room === room).sort((p, q) => p.roomSeq - q.roomSeq)
      expect(mine.map((x) => x.roomSeq)).toEqual(range(mine.length))
      // Entry numbers are taken under the row lock too, so within a room they follow the sequence.
      expect(mine.map((x) => x.entry)).toEqual([...mine.map((x) => x.entry)].sort((p, q) => p - q))
      const loaded = await b.loadWithSeq(rooms[room]!)
      expect(loaded.roomSeq).toBe(mine.length)
      expect(keysOf(loaded.state)).toHaveLength(mine.length)
    }
  })

  it('group-commits appends made together: many rooms, few transactions, each resolved after its commit', async () => {
    const { a, sql } = await twoRelays()
    const results = await Promise.all(range(60).map((i) => a.appendInRoom(r(`group-${i}`), keyUpdate(`g${i}`))))
    expect(results.every((x) => x.roomSeq === 1)).toBe(true)
    // xmin is the inserting transaction: 60 rooms written in one turn took a handful, not 60.
    const { rows } = await sql.query<{ n: string }>('SELECT count(DISTINCT xmin::text) AS n FROM doc_entries')
    expect(Number(rows[0]!.n)).toBeLessThanOrEqual(3)
    const stored = await a.load(r('group-59'))
    expect(keysOf(stored)).toEqual(['g59'])
  })

  it('loads what came after a room sequence, and the snapshot too once a compaction covered it', async () => {
    const storage = await freshPostgres()
    const room = r('since')
    expect(await storage.loadSince(room, 0)).toEqual({ update: null, roomSeq: 0 })
    for (const i of range(5)) await storage.append(room, keyUpdate(`k${i}`))
    let since = await storage.loadSince(room, 3)
    expect(since.roomSeq).toBe(5)
    expect(keysOf(since.update)).toEqual(['k4', 'k5'])
    expect(await storage.loadSince(room, 5)).toEqual({ update: null, roomSeq: 5 })

    expect(await storage.compactRoom(room)).toBe('compacted')
    since = await storage.loadSince(room, 3)
    expect(since.roomSeq).toBe(5)
    expect(keysOf(since.update)).toEqual(['k1', 'k2', 'k3', 'k4', 'k5'])
    expect(await storage.loadSince(room, 5)).toEqual({ update: null, roomSeq: 5 })
    await storage.appendInRoom(room, keyUpdate('k6'))
    await storage.appendInRoom(room, keyUpdate('k7'))
    since = await storage.loadSince(room, 6)
    expect(since).toMatchObject({ roomSeq: 7 })
    expect(keysOf(since.update)).toEqual(['k7'])
    await storage.close()
  })

  it('reads state and room sequence consistently while another relay appends and compacts', async () => {
    const { a, b } = await twoRelays()
    const room = r('busy')
    let writing = true
    const writer = (async () => {
      for (let i = 1; i <= 150; i++) {
        await a.append(room, keyUpdate(`k${i}`))
        if (i % 25 === 0) await a.compactRoom(room)
      }
      writing = false
    })()
    const reads: { keys: number; roomSeq: number }[] = []
    while (writing) {
      const { state, roomSeq } = await b.loadWithSeq(room)
      reads.push({ keys: keysOf(state).length, roomSeq })
    }
    await writer
    expect(reads.length).toBeGreaterThan(5)
    // Every entry adds one key: a state with a different count than its sequence was read at two moments.
    expect(reads.filter((read) => read.keys !== read.roomSeq)).toEqual([])
  })

  it('compacts a room from storage: skipped below the threshold, busy while another relay compacts it', async () => {
    const relays = await twoRelays()
    const { a, b, sql } = relays
    const room = r('c')
    expect(await a.compactRoom(room)).toBe('skipped')
    for (const i of range(3)) await a.append(room, keyUpdate(`k${i}`))
    expect(await a.compactRoom(room, 4)).toBe('skipped')
    expect(await a.roomsToCompact(3, 10)).toEqual([room])
    expect(await a.roomsToCompact(4, 10)).toEqual([])

    const row = await holdRoomRow(relays.url, room)
    const first = settled(a.compactRoom(room, 3))
    await lockWaiters(sql, 1)
    // The first holds the room's compaction lock while it waits: the second gives up at once.
    const second = b.compactRoom(room, 1)
    expect(await Promise.race([second, new Promise((resolve) => setTimeout(resolve, 3_000, 'still waiting'))])).toBe('busy')
    expect(first.done).toBe(false)
    await row.release()
    expect(await first.promise).toBe('compacted')

    expect(await a.entryCount(room)).toBe(1)
    expect(keysOf(await b.load(room))).toEqual(['k1', 'k2', 'k3'])
    expect(await b.roomsToCompact(1, 10)).toEqual([])
    expect(await b.compactRoom(room)).toBe('skipped')
    await b.append(room, keyUpdate('k4'))
    expect(await b.compactRoom(room)).toBe('compacted')
    expect(await a.loadWithSeq(room)).toMatchObject({ roomSeq: 4 })
    expect(keysOf((await a.loadWithSeq(room)).state)).toEqual(['k1', 'k2', 'k3', 'k4'])
  })

  it('loses nothing when two relays compact a room at once while both append to it', async () => {
    const { a, b } = await twoRelays()
    const room = r('race')
    let appending = true
    const outcomes: string[] = []
    const appends = Promise.all(
      [a, b].map(async (storage, s) => {
        for (let i = 0; i < 60; i++) await storage.append(room, keyUpdate(`${s}-${i}`))
      }),
    ).then(() => (appending = false))
    const compactions = [a, b].map(async (storage) => {
      while (appending) outcomes.push(await storage.compactRoom(room))
    })
    await Promise.all([appends, ...compactions])
    expect(outcomes).toContain('compacted')
    const expected = [0, 1].flatMap((s) => range(60, 0).map((i) => `${s}-${i}`)).sort()
    const { state, roomSeq } = await a.loadWithSeq(room)
    expect(roomSeq).toBe(120)
    expect(keysOf(state)).toEqual(expected)
    expect(await b.compactRoom(room)).not.toBe('busy')
    expect(keysOf(await b.load(room))).toEqual(expected)
  })

  it('keeps a replace from overwriting a snapshot a concurrent compaction wrote (compare-and-swap)', async () => {
    const relays = await twoRelays()
    const { a, b, sql } = relays
    const room = r('cas')
    const entries: number[] = []
    for (const i of range(10)) entries.push(await a.append(room, keyUpdate(`k${i}`)))
    const stale = Y.mergeUpdates(range(5).map((i) => keyUpdate(`k${i}`)))

    const row = await holdRoomRow(relays.url, room)
    const compaction = a.compactRoom(room)
    await lockWaiters(sql, 1)
    // Both have read all ten entries; the compaction writes first, then the replace finds its
    // read outdated instead of putting a snapshot of five over the deleted ten.
    const replace = b.replace(room, stale, entries[4]!)
    await lockWaiters(sql, 2)
    await row.release()
    expect(await compaction).toBe('compacted')
    await replace
    expect(keysOf(await a.load(room))).toEqual(range(10).map((i) => `k${i}`).sort())
  })

  it('makes latestEntry wait for an append that took a lower entry number but has not committed', async () => {
    const { url, a, b, sql } = await twoRelays()
    await a.append(r('slow'), keyUpdate('first'))
    // An uncommitted row under the room sequence the next append takes stops that append after it
    // drew its entry number, until this transaction ends.
    await sql.query('BEGIN')
    await sql.query(`INSERT INTO doc_entries (workspace, room, room_seq, data) VALUES ('w', 'slow', 2, '\\x00')`)
    const order: string[] = []
    const slow = a.append(r('slow'), keyUpdate('second')).then((entry) => (order.push('slow append'), entry))
    const waiter = await connect(url)
    await lockWaiters(waiter, 1)
    const fast = await b.append(r('fast'), keyUpdate('third'))
    const latest = settled(b.latestEntry().then((entry) => (order.push('latestEntry'), entry)))
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(latest.done).toBe(false)
    await sql.query('ROLLBACK')
    const slowEntry = await slow
    expect(slowEntry).toBeLessThan(fast)
    expect(await latest.promise).toBe(fast)
    expect(order).toEqual(['slow append', 'latestEntry'])
    expect((await b.roomsWithEntriesAfter(0)).map((id) => id.room)).toEqual(['fast', 'slow'])
  })

  it('purges a room without rewinding its sequence, and the rows are deleted', async () => {
    const relays = await twoRelays()
    const { a, b, sql } = relays
    const room = r('purged')
    for (const i of range(3)) await a.append(room, keyUpdate(`secret${i}`))
    await a.compactRoom(room)
    await a.append(room, keyUpdate('secret4'))
    await b.purge([room])
    expect(await b.loadWithSeq(room)).toEqual({ state: null, roomSeq: 4 })
    expect(await a.compactRoom(room)).toBe('skipped')
    const { rows } = await sql.query(`SELECT (SELECT count(*) FROM doc_entries)::int AS entries, (SELECT count(*) FROM doc_rooms WHERE snapshot IS NOT NULL)::int AS snapshots`)
    expect(rows[0]).toEqual({ entries: 0, snapshots: 0 })
    expect(await a.appendInRoom(room, keyUpdate('fresh'))).toMatchObject({ roomSeq: 5 })
    expect(keysOf((await b.loadSince(room, 0)).update)).toEqual(['fresh'])
    expect(keysOf((await b.loadSince(room, 4)).update)).toEqual(['fresh'])
  })

  it('leaves a pool it was given open, and reports a read-only database as not writable', async () => {
    const url = await postgres!.createDatabase()
    const pool = openPool(url)
    onTestFinished(async () => void (pool.ended || (await pool.end())))
    const storage = await PostgresDocStorage.open(pool)
    await storage.close()
    await expect(storage.load(r('a'))).rejects.toThrow(/used after close/)
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
    await pool.query(`ALTER DATABASE ${new URL(url).pathname.slice(1)} SET default_transaction_read_only = on`)
    await pool.end()
    const readOnly = new PostgresDocStorage(url)
    onTestFinished(() => readOnly.close())
    await expect(readOnly.checkWritable()).rejects.toThrow(/not writable: transactions are read-only/)
  })
})
