// Keeps a note's IndexedDB store from growing when nothing is edited.
//
// y-indexeddb appends an update on every open (the doc's state before loading, one small entry)
// and only merges its store once a single session has written 500 updates, so a note opened and
// closed 1,000 times holds 1,000 entries: storage grows without bound though the note never
// changed. After the stored updates are loaded we therefore replace them with one merged update,
// when they hold more than twice the bytes of that merged update or too many entries.
//
// It happens in ONE readwrite transaction: read every stored update (including any another window
// wrote since we loaded), apply them to the doc, write the doc's full state, delete the rest. A
// write queued meanwhile (the user typing) runs in its own transaction after ours, so nothing is
// lost, and a crash leaves either the old entries or the merged one.

import * as Y from 'yjs'
import type { IndexeddbPersistence } from 'y-indexeddb'

const UPDATES_STORE = 'updates'
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

/**
 * Merges the persisted updates of `persistence` into one entry if they have grown (see
 * `shouldCompact`). Resolves once the transaction has committed; true if it merged.
 */
export async function compactStoredUpdates(persistence: IndexeddbPersistence, doc: Y.Doc): Promise<boolean> {
  const db = persistence.db
  if (!db || persistence._destroyed) return false
  const tx = db.transaction([UPDATES_STORE], 'readwrite')
  const store = tx.objectStore(UPDATES_STORE)
  const done = new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onabort = tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'))
  })
  let compacted = false
  // All in request callbacks, so the transaction stays active throughout.
  const updates = (await request(store.getAll())) as Uint8Array[]
  const bytes = updates.reduce((sum, update) => sum + update.byteLength, 0)
  if (!persistence._destroyed) {
    // Whatever another window stored since we loaded must be in what we write back.
    Y.transact(doc, () => updates.forEach((update) => Y.applyUpdate(doc, update)), persistence, false)
    const merged = Y.encodeStateAsUpdate(doc)
    if (shouldCompact({ entries: updates.length, bytes }, merged.byteLength)) {
      store.clear()
      const key = await request(store.add(merged))
      // Keep y-indexeddb's own bookkeeping (what it has read, how much is stored) true.
      persistence._dbref = Number(key) + 1
      persistence._dbsize = 1
      compacted = true
    }
  }
  await done
  return compacted
}

/** What `persistence`'s store holds now (for tests and benchmarks). */
export async function storedUpdates(db: IDBDatabase): Promise<StoredUpdates> {
  const updates = (await request(db.transaction([UPDATES_STORE], 'readonly').objectStore(UPDATES_STORE).getAll())) as Uint8Array[]
  return { entries: updates.length, bytes: updates.reduce((sum, update) => sum + update.byteLength, 0) }
}
