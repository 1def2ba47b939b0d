import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { MemoryStorage } from '../../server/storage/memory'
import { SqliteStorage } from '../../server/storage/sqlite'
import type { DocStorage } from '../../server/storage/types'
import { tempDir } from '../helpers/relay'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'

function textUpdate(doc: Y.Doc, text: string): Uint8Array {
  const before = Y.encodeStateVector(doc)
  doc.getText('t').insert(doc.getText('t').length, text)
  return Y.encodeStateAsUpdate(doc, before)
}

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
    expect(await storage.load('never')).toBeNull()
    expect(await storage.entryCount('never')).toBe(0)
    await storage.close()
  })

  it('loads every appended update merged, per room', async () => {
    const storage = create()
    const doc = new Y.Doc()
    await storage.append('a', textUpdate(doc, 'one '))
    await storage.append('a', textUpdate(doc, 'two'))
    await storage.append('b', textUpdate(new Y.Doc(), 'other'))
    expect(textOf(await storage.load('a'))).toBe('one two')
    expect(textOf(await storage.load('b'))).toBe('other')
    expect(await storage.entryCount('a')).toBe(2)
    await storage.close()
  })

  it('replaces entries up to a sequence number with a snapshot, keeping later entries and other rooms', async () => {
    const storage = create()
    const doc = new Y.Doc()
    let upTo = 0
    for (let i = 0; i < 20; i++) upTo = await storage.append('a', textUpdate(doc, `${i} `))
    await storage.append('b', textUpdate(new Y.Doc(), 'other room'))
    const snapshot = Y.encodeStateAsUpdate(doc)
    const later = await storage.append('a', textUpdate(doc, 'after'))
    expect(later).toBeGreaterThan(upTo)
    await storage.replace('a', snapshot, upTo)
    expect(await storage.entryCount('a')).toBe(2)
    expect(textOf(await storage.load('a'))).toBe(doc.getText('t').toString())
    expect(textOf(await storage.load('b'))).toBe('other room')
    await storage.append('a', textUpdate(doc, '!'))
    expect(textOf(await storage.load('a'))).toMatch(/after!$/)
    await storage.close()
  })

  it('gives every append a larger sequence number than the one before', async () => {
    const storage = create()
    const seqs = await Promise.all([1, 2, 3].map((i) => storage.append(`r${i}`, textUpdate(new Y.Doc(), 'x'))))
    const next = await storage.append('r1', textUpdate(new Y.Doc(), 'y'))
    expect(new Set(seqs).size).toBe(3)
    expect(next).toBeGreaterThan(Math.max(...seqs))
    await storage.close()
  })

  it('reports its byte size and that it is writable', async () => {
    const storage = create()
    await storage.append('a', textUpdate(new Y.Doc(), 'abc'))
    expect(await storage.byteSize('a')).toBeGreaterThan(0)
    await expect(storage.checkWritable()).resolves.toBeUndefined()
    await storage.close()
  })
})

describe('SqliteStorage', () => {
  it('keeps data in its file across reopening', async () => {
    const dir = tempDir()
    const first = new SqliteStorage(dir)
    await first.append('a', textUpdate(new Y.Doc(), 'persisted'))
    await first.close()
    const second = new SqliteStorage(dir)
    expect(textOf(await second.load('a'))).toBe('persisted')
    await second.close()
  })

  it('uses WAL journaling', async () => {
    const storage = new SqliteStorage(tempDir())
    // @ts-expect-error reaching into the private handle to check the pragma actually took
    expect(storage.db.pragma('journal_mode', { simple: true })).toBe('wal')
    await storage.close()
  })
})

describe('SqliteStorage write path', () => {
  it('commits appends from many rooms in one turn together, and each resolves only after its commit', async () => {
    const dir = tempDir()
    const storage = new SqliteStorage(dir)
    const doc = new Y.Doc()
    const appends = Array.from({ length: 50 }, (_, i) => storage.append(`room-${i}`, textUpdate(doc, `${i}`)))
    await Promise.all(appends)
    const reader = new SqliteStorage(dir)
    for (let i = 0; i < 50; i++) expect(await reader.entryCount(`room-${i}`)).toBe(1)
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
      await storage.append('big', chunk)
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
