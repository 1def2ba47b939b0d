import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { IndexeddbPersistence } from 'y-indexeddb'
import { DocHandle, persistenceName } from '../../renderer/sync/doc-registry'
import { MAX_STORED_UPDATES, compactStoredUpdates, storedUpdates } from '../../renderer/sync/idb-compaction'
import type { StoredUpdates } from '../../renderer/sync/idb-compaction'

const CYCLES = 200
let rooms = 0
const newRoom = (): string => `note:growth-${++rooms}`

function write(doc: Y.Doc, text: string): void {
  const paragraph = new Y.XmlElement('paragraph')
  paragraph.insert(0, [new Y.XmlText(text)])
  const fragment = doc.getXmlFragment('default')
  fragment.insert(fragment.length, [paragraph])
}

/** What IndexedDB holds for `room`, read without opening it through y-indexeddb (which writes). */
async function stored(room: string): Promise<StoredUpdates> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(persistenceName(room))
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
  try {
    return await storedUpdates(db)
  } finally {
    db.close()
  }
}

/** Opens `room` as the app does (no relay), lets `work` run, closes it. */
async function withHandle<T>(room: string, work: (handle: DocHandle) => T | Promise<T>): Promise<T> {
  const handle = new DocHandle(room, Promise.resolve(null), false)
  await handle.whenLoaded
  await handle.whenCompacted
  try {
    return await work(handle)
  } finally {
    await handle.destroy()
  }
}

async function writtenNote(): Promise<{ room: string; encoded: number }> {
  const room = newRoom()
  const encoded = await withHandle(room, async (handle) => {
    write(handle.doc, 'A short note, opened often.')
    await new Promise((resolve) => setTimeout(resolve, 50)) // y-indexeddb writes each update
    return Y.encodeStateAsUpdate(handle.doc).byteLength
  })
  return { room, encoded }
}

describe('local storage of a note opened and closed many times', () => {
  it(`stays within twice the encoded size after ${CYCLES} open/close cycles`, { timeout: 120_000 }, async () => {
    const { room, encoded } = await writtenNote()
    for (let i = 0; i < CYCLES; i++) await withHandle(room, () => undefined)
    const after = await stored(room)
    expect(after.bytes).toBeLessThanOrEqual(2 * encoded)
    expect(after.entries).toBeLessThanOrEqual(MAX_STORED_UPDATES)
    const text = await withHandle(room, (handle) => handle.doc.getXmlFragment('default').toString())
    expect(text).toContain('A short note, opened often.')
  })

  it('grows with plain y-indexeddb (the behaviour being fixed)', { timeout: 120_000 }, async () => {
    const { room, encoded } = await writtenNote()
    for (let i = 0; i < CYCLES; i++) {
      const doc = new Y.Doc()
      const persistence = new IndexeddbPersistence(persistenceName(room), doc)
      await persistence.whenSynced
      await persistence.destroy()
      doc.destroy()
    }
    const after = await stored(room)
    expect(after.entries).toBeGreaterThan(CYCLES)
    expect(after.bytes).toBeGreaterThan(2 * encoded)
  })

  it('keeps what another window stored after this one loaded', async () => {
    const room = newRoom()
    const mine = new DocHandle(room, Promise.resolve(null), false)
    await mine.whenCompacted
    const otherDoc = new Y.Doc()
    const other = new IndexeddbPersistence(persistenceName(room), otherDoc)
    await other.whenSynced
    for (let i = 0; i < 40; i++) write(otherDoc, `from the other window ${i}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(await compactStoredUpdates(mine.persistence)).toBe(true)
    await other.destroy()
    await mine.destroy()
    expect((await stored(room)).entries).toBe(1)
    const text = await withHandle(room, (handle) => handle.doc.getXmlFragment('default').toString())
    expect(text).toContain('from the other window 39')
  })
})
