// Keeps a note's IndexedDB store from growing when nothing is edited.
//
// y-indexeddb appends an update on every open (the doc's state before loading, one small entry)
// and only merges its store once a single session has written 500 updates, so a note opened and
// closed 1,000 times holds 1,000 entries: storage grows without bound though the note never
// changed. After the stored updates are loaded we therefore replace them with one merged update,
// when they hold more than twice the bytes of that merged update or too many entries.
//
// The merge itself is y-indexeddb's own exported `storeState(persistence, true)`: in ONE readwrite
// transaction it reads what was stored since this persistence last read (including any other
// window's writes), applies it to the doc, adds the doc's full state and deletes every older
// entry, keeping the persistence's bookkeeping true. A write queued meanwhile (the user typing)
// runs in its own transaction after that one, so nothing is lost, and a crash leaves either the
// old entries or the merged one. tests/unit/y-indexeddb-contract.test.ts pins that behaviour to
// the installed y-indexeddb version.

import * as Y from 'yjs'
import { storeState, type IndexeddbPersistence } from 'y-indexeddb'

/** y-indexeddb's object store of updates (autoIncrement keys, one Uint8Array update each). */
export const UPDATES_STORE = 'updates'
/** More entries than this are merged even if they are small (each costs a key and a read). */
export const MAX_STORED_UPDATES = 32

export interface StoredUpdates {
  readonly entries: number
  readonly bytes: number
}

/** Whether stored updates of `stored` are worth merging into one of `mergedBytes`. */
export function shouldCompact(stored: StoredUpdates, mergedBytes: number): boolean {
  return stored.entries > 1 && (stored.entries > MAX_STORED_UPDATES || stored.bytes > 2 * mergedBytes)
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'))
  })
}

async function readUpdates(db: IDBDatabase): Promise<Uint8Array[]> {
  return (await request(db.transaction([UPDATES_STORE], 'readonly').objectStore(UPDATES_STORE).getAll())) as Uint8Array[]
}

function measure(updates: readonly Uint8Array[]): StoredUpdates {
  return { entries: updates.length, bytes: updates.reduce((sum, update) => sum + update.byteLength, 0) }
}

/**
 * Merges the persisted updates of `persistence` into one entry if they have grown (see
 * `shouldCompact`). Resolves once the merge has committed; true if the store was merged.
 */
export async function compactStoredUpdates(persistence: IndexeddbPersistence): Promise<boolean> {
  const db = persistence.db
  if (!db) throw new Error('compactStoredUpdates: the persistence has not opened its database yet (await whenSynced)')
  const updates = await readUpdates(db)
  const stored = measure(updates)
  if (stored.entries <= 1) return false
  // What the merged entry will hold: the doc plus whatever another window stored since we loaded.
  const scratch = new Y.Doc()
  try {
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(persistence.doc))
    Y.transact(scratch, () => updates.forEach((update) => Y.applyUpdate(scratch, update)))
    if (!shouldCompact(stored, Y.encodeStateAsUpdate(scratch).byteLength)) return false
  } finally {
    scratch.destroy()
  }
  await storeState(persistence, true)
  // storeState resolves once its writes are queued, not committed. A readonly transaction over
  // the same store is scheduled only after that readwrite one has finished.
  const after = measure(await readUpdates(db))
  return after.entries < stored.entries
}

/** What the store of a database opened by y-indexeddb holds now (for tests and benchmarks). */
export async function storedUpdates(db: IDBDatabase): Promise<StoredUpdates> {
  return measure(await readUpdates(db))
}
