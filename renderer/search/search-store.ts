// The search index on disk: its own IndexedDB database (`skein-search`), so starting the app
// loads the index instead of reading every note. One record holds MiniSearch's serialized index;
// one record per note holds the title, text and content version it indexed. A save writes the
// index and only the notes that changed, in one transaction, so the two never disagree.

import type { AsPlainObject } from 'minisearch'
import { request } from '../catalog/idb'
import type { IndexState, IndexedNote } from './search-index'

const DB_NAME = 'skein-search'
const NOTES = 'notes'
const META = 'meta'
const INDEX_KEY = 'index'
/** Bump when the indexed fields or their tokenizing change: an old index is then rebuilt. */
const FORMAT = 1

interface IndexRecord {
  readonly format: number
  readonly index: AsPlainObject
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'))
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'))
  })
}

export class SearchStore {
  private constructor(private readonly db: IDBDatabase) {}

  static async open(factory: IDBFactory = indexedDB, name = DB_NAME): Promise<SearchStore> {
    const open = factory.open(name, 1)
    open.onupgradeneeded = () => {
      open.result.createObjectStore(NOTES, { keyPath: 'id' })
      open.result.createObjectStore(META)
    }
    return new SearchStore(await request(open))
  }

  /** The saved index, or null when there is none (first run) or it was written in an older format. */
  async load(): Promise<IndexState | null> {
    const tx = this.db.transaction([META, NOTES], 'readonly')
    const [record, notes] = await Promise.all([
      request(tx.objectStore(META).get(INDEX_KEY) as IDBRequest<IndexRecord | undefined>),
      request(tx.objectStore(NOTES).getAll() as IDBRequest<IndexedNote[]>),
    ])
    if (!record || record.format !== FORMAT) return null
    return { index: record.index, notes }
  }

  async save(index: AsPlainObject, changed: readonly IndexedNote[], removed: readonly string[]): Promise<void> {
    const tx = this.db.transaction([META, NOTES], 'readwrite')
    const notes = tx.objectStore(NOTES)
    if (changed.length === 0 && removed.length === 0) return done(tx)
    for (const note of changed) notes.put(note)
    for (const id of removed) notes.delete(id)
    tx.objectStore(META).put({ format: FORMAT, index } satisfies IndexRecord, INDEX_KEY)
    await done(tx)
  }

  close(): void {
    this.db.close()
  }
}
