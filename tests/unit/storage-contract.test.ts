import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { MemoryStorage } from '../../server/storage/memory'
import { SqliteStorage } from '../../server/storage/sqlite'
import type { DocStorage } from '../../server/storage/types'
import { tempDir } from '../helpers/relay'

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

  it('compacts a room into one entry without changing its content', async () => {
    const storage = create()
    const doc = new Y.Doc()
    for (let i = 0; i < 20; i++) await storage.append('a', textUpdate(doc, `${i} `))
    const before = textOf(await storage.load('a'))
    await storage.compact('a')
    expect(await storage.entryCount('a')).toBe(1)
    expect(textOf(await storage.load('a'))).toBe(before)
    await storage.append('a', textUpdate(doc, 'after'))
    expect(textOf(await storage.load('a'))).toBe(before + 'after')
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
