// What the renderer relies on in y-indexeddb, pinned to the installed version. The app stores
// every note through stock `IndexeddbPersistence` and touches nothing private: it merges the
// store with the exported `storeState` (idb-compaction.ts), reads and writes its ack in the
// `custom` store through `get`/`set` (doc-registry.ts), and watches the public `db` connection for
// failed writes (local-save.ts). If an upgrade fails the version check below, re-check each test
// here against the new y-indexeddb source before changing the pinned version.

import 'fake-indexeddb/auto'
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { IndexeddbPersistence } from 'y-indexeddb'
import { noteRoom } from '../../protocol/rooms'
import { DocHandle, persistenceName } from '../../renderer/sync/doc-registry'
import { UPDATES_STORE, compactStoredUpdates, storedUpdates } from '../../renderer/sync/idb-compaction'

const PINNED_VERSION = '9.0.12'
const root = new URL('../../', import.meta.url)

let n = 0
const newRoom = (): string => noteRoom(`00000000-0000-4000-9000-${String(++n).padStart(12, '0')}`)
const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function write(doc: Y.Doc, text: string): void {
  const paragraph = new Y.XmlElement('paragraph')
  paragraph.insert(0, [new Y.XmlText(text)])
  const fragment = doc.getXmlFragment('default')
  fragment.insert(fragment.length, [paragraph])
}

const textOf = (doc: Y.Doc): string => doc.getXmlFragment('default').toString()

/** A stock y-indexeddb persistence on `room`, loaded; destroyed after the test. */
async function stock(room: string): Promise<{ doc: Y.Doc; persistence: IndexeddbPersistence }> {
  const doc = new Y.Doc()
  const persistence = new IndexeddbPersistence(persistenceName(room), doc)
  cleanups.push(async () => {
    await persistence.destroy()
    doc.destroy()
  })
  await persistence.whenSynced
  return { doc, persistence }
}

/** Opens `room` as the app does (no relay); destroyed after the test. */
async function appHandle(room: string): Promise<DocHandle> {
  const handle = new DocHandle(room, Promise.resolve(null), false)
  cleanups.push(() => handle.destroy())
  await handle.whenLoaded
  return handle
}

/** Waits until every readwrite transaction queued so far on `db`'s updates store has finished. */
async function settled(db: IDBDatabase): Promise<void> {
  await storedUpdates(db)
}

function openRaw(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name)
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

describe('the y-indexeddb the renderer stores notes with', () => {
  it(`is version ${PINNED_VERSION} in package-lock.json and node_modules (an upgrade must re-check this file)`, () => {
    const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as { packages: Record<string, { version: string }> }
    const installed = JSON.parse(readFileSync(new URL('node_modules/y-indexeddb/package.json', root), 'utf8')) as { version: string }
    expect(lock.packages['node_modules/y-indexeddb']?.version, 'y-indexeddb changed: re-check every test in y-indexeddb-contract.test.ts, then update PINNED_VERSION').toBe(PINNED_VERSION)
    expect(installed.version).toBe(PINNED_VERSION)
  })

  it('keeps its on-disk format: database skein:<room>, an autoIncrement `updates` store of Uint8Array, a `custom` store', async () => {
    const room = newRoom()
    const { doc, persistence } = await stock(room)
    write(doc, 'on disk')
    await persistence.set('key', 'value')
    await settled(persistence.db!)
    const db = await openRaw(persistenceName(room))
    try {
      expect([...db.objectStoreNames].sort()).toEqual(['custom', UPDATES_STORE])
      const store = db.transaction([UPDATES_STORE], 'readonly').objectStore(UPDATES_STORE)
      expect(store.autoIncrement).toBe(true)
      const values = await new Promise<unknown[]>((resolve) => {
        const req = store.getAll()
        req.onsuccess = () => resolve(req.result)
      })
      expect(values.length).toBeGreaterThan(0)
      for (const value of values) expect(value).toBeInstanceOf(Uint8Array)
    } finally {
      db.close()
    }
  })

  it('reads in the app what stock y-indexeddb wrote, and the other way round', async () => {
    const room = newRoom()
    const first = await stock(room)
    write(first.doc, 'written by stock y-indexeddb')
    await settled(first.persistence.db!)
    const handle = await appHandle(room)
    expect(textOf(handle.doc)).toContain('written by stock y-indexeddb')
    write(handle.doc, 'written by the app')
    await settled(handle.persistence.db!)
    const second = await stock(room)
    expect(textOf(second.doc)).toContain('written by the app')
  })

  it('merges the store into one entry with storeState, keeping the content and its own bookkeeping', async () => {
    const room = newRoom()
    const other = await stock(room) // another window, writing while the app has the note open
    const handle = await appHandle(room)
    for (let i = 0; i < 40; i++) write(other.doc, `line ${i}`)
    await settled(other.persistence.db!)
    expect(await compactStoredUpdates(handle.persistence)).toBe(true)
    expect((await storedUpdates(handle.persistence.db!)).entries).toBe(1)
    expect(textOf(handle.doc)).toContain('line 39')
    // The persistence goes on writing after the merge, and a later load reads both.
    write(handle.doc, 'after the merge')
    await settled(handle.persistence.db!)
    const later = await stock(room)
    expect(textOf(later.doc)).toContain('line 0')
    expect(textOf(later.doc)).toContain('after the merge')
  })

  it('writes each update in a readwrite transaction of the public `db` connection (local-save watches it)', async () => {
    const { doc, persistence } = await stock(newRoom())
    const db = persistence.db!
    const modes: IDBTransactionMode[] = []
    const transaction = db.transaction.bind(db)
    db.transaction = ((stores: string | string[], mode?: IDBTransactionMode, options?: IDBTransactionOptions) => {
      modes.push(mode ?? 'readonly')
      return transaction(stores, mode, options)
    }) as IDBDatabase['transaction']
    write(doc, 'watched')
    expect(modes).toEqual(['readwrite'])
  })

  it('keeps the app’s values in the `custom` store through get and set', async () => {
    const room = newRoom()
    const first = await stock(room)
    await first.persistence.set('skein:test', new Uint8Array([1, 2, 3]).buffer)
    const second = await stock(room)
    expect(new Uint8Array((await second.persistence.get('skein:test')) as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]))
  })
})
