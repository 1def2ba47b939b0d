import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { MemoryStorage } from '../../server/storage/memory'
import { SqliteStorage } from '../../server/storage/sqlite'
import type { DocStorage } from '../../server/storage/types'
import type { RoomId } from '../../server/room-id'
import { tempDir } from '../helpers/relay'
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

const implementations: [string, () => DocStorage][] = [
  ['MemoryStorage', () => new MemoryStorage()],
  ['SqliteStorage', () => new SqliteStorage(tempDir())],
]

describe.each(implementations)('%s (DocStorage contract)', (_name, create) => {
  it('returns null for a room that was never written', async () => {
    const storage = create()
    expect(await storage.load(r('never'))).toBeNull()
    expect(await storage.entryCount(r('never'))).toBe(0)
    await storage.close()
  })

  it('loads every appended update merged, per room', async () => {
    const storage = create()
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
    const storage = create()
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
    const storage = create()
    const seqs = await Promise.all([1, 2, 3].map((i) => storage.append(r(`r${i}`), textUpdate(new Y.Doc(), 'x'))))
    const next = await storage.append(r('r1'), textUpdate(new Y.Doc(), 'y'))
    expect(new Set(seqs).size).toBe(3)
    expect(next).toBeGreaterThan(Math.max(...seqs))
    await storage.close()
  })

  it('purges rooms: every entry of theirs is gone, other rooms stay, later appends start a new log above every old number', async () => {
    const storage = create()
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
    const storage = create()
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
    const storage = create()
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
