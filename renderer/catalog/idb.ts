// The catalog's IndexedDB database: entities, outbox and a few settings, behind promise helpers.
// Writes that carry user intent use strict durability: the transaction completes only once the
// data is flushed to disk, so "saved" is never said of something a power cut could take back.

import { migrateLocalEntity, migrateOutboxEntry, storedLocalEntity, storedOutboxEntry } from '../../protocol/meta/records'
import type { LocalEntity, OutboxEntry } from './outbox'

export const CATALOG_DB = 'skein-catalog'
const VERSION = 1
export const STORES = { entities: 'entities', outbox: 'outbox', meta: 'meta' } as const

export class CatalogStorageError extends Error {
  override readonly name = 'CatalogStorageError'
}

export function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error ?? new CatalogStorageError('IndexedDB request failed'))
  })
}

export function openCatalogDb(factory: IDBFactory, name = CATALOG_DB): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    let req: IDBOpenDBRequest
    try {
      req = factory.open(name, VERSION)
    } catch (err) {
      reject(new CatalogStorageError(`cannot open local storage: ${(err as Error).message}`))
      return
    }
    req.onupgradeneeded = () => {
      const db = req.result
      if (!db.objectStoreNames.contains(STORES.entities)) db.createObjectStore(STORES.entities, { keyPath: 'key' })
      if (!db.objectStoreNames.contains(STORES.outbox)) db.createObjectStore(STORES.outbox, { keyPath: 'seq' })
      if (!db.objectStoreNames.contains(STORES.meta)) db.createObjectStore(STORES.meta)
    }
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(new CatalogStorageError(`cannot open local storage: ${req.error?.message ?? 'unknown error'}`))
    req.onblocked = () => reject(new CatalogStorageError('local storage is held by an older version of Skein in another window; close it and reload'))
  })
}

export interface LoadedCatalog {
  entities: LocalEntity[]
  outbox: OutboxEntry[]
  meta: Map<string, unknown>
}

/** Everything, or (`keys`) only those entities plus the outbox and settings, in one snapshot. */
export async function loadAll(db: IDBDatabase, keys?: readonly string[]): Promise<LoadedCatalog> {
  const tx = db.transaction([STORES.entities, STORES.outbox, STORES.meta], 'readonly')
  const store = tx.objectStore(STORES.entities)
  const readEntities = keys
    ? Promise.all(keys.map((key) => request(store.get(key) as IDBRequest<unknown>))).then((found) => found.filter((e) => e !== undefined))
    : request(store.getAll() as IDBRequest<unknown[]>)
  const [entities, outbox, metaKeys, metaValues] = await Promise.all([
    readEntities,
    request(tx.objectStore(STORES.outbox).getAll() as IDBRequest<unknown[]>),
    request(tx.objectStore(STORES.meta).getAllKeys()),
    request(tx.objectStore(STORES.meta).getAll()),
  ])
  try {
    // Rows are read only through their migrations: an older row is upgraded, a newer one refused.
    return { entities: entities.map(migrateLocalEntity), outbox: outbox.map(migrateOutboxEntry), meta: new Map(metaKeys.map((k, i) => [String(k), metaValues[i]])) }
  } catch (err) {
    throw new CatalogStorageError(`cannot read local storage: ${(err as Error).message}`, { cause: err })
  }
}

export interface CatalogWrite {
  readonly entities?: readonly LocalEntity[]
  /** Keys of entities to delete (a discarded draft). */
  readonly entitiesDelete?: readonly string[]
  readonly outboxPut?: readonly OutboxEntry[]
  readonly outboxDelete?: readonly number[]
  readonly meta?: Readonly<Record<string, unknown>>
}

/** Writes everything in one transaction: all of it lands, or (on a crash or error) none of it. */
export function writeAll(db: IDBDatabase, write: CatalogWrite, durability: 'strict' | 'relaxed'): Promise<void> {
  return new Promise((resolve, reject) => {
    let tx: IDBTransaction
    try {
      tx = db.transaction([STORES.entities, STORES.outbox, STORES.meta], 'readwrite', { durability })
    } catch (err) {
      reject(new CatalogStorageError(`cannot write local storage: ${(err as Error).message}`))
      return
    }
    tx.oncomplete = () => resolve()
    tx.onabort = () => reject(new CatalogStorageError(`local storage write failed: ${tx.error?.message ?? 'aborted'}`))
    tx.onerror = (event) => event.preventDefault() // reported once, by onabort
    const entities = tx.objectStore(STORES.entities)
    const outbox = tx.objectStore(STORES.outbox)
    const meta = tx.objectStore(STORES.meta)
    try {
      for (const entity of write.entities ?? []) entities.put(storedLocalEntity(entity))
      for (const key of write.entitiesDelete ?? []) entities.delete(key)
      for (const entry of write.outboxPut ?? []) outbox.put(storedOutboxEntry(entry))
      for (const seq of write.outboxDelete ?? []) outbox.delete(seq)
      for (const [key, value] of Object.entries(write.meta ?? {})) meta.put(value, key)
    } catch (err) {
      // A request that could not even be placed (DataCloneError, an inactive transaction): the
      // ones placed before it must not commit without it.
      try {
        tx.abort()
      } catch {
        // already aborted
      }
      reject(new CatalogStorageError(`local storage write failed: ${(err as Error).message}`))
    }
  })
}
