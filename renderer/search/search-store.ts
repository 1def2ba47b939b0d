// The search index on disk: its own IndexedDB database (`skein-search`), so starting the app
// loads the index instead of reading every note. One record per note holds the title, text and
// content version it indexed, written as notes change (cheap). One record holds a snapshot of
// MiniSearch's serialized index, written rarely (serializing thousands of notes takes a while);
// at load, the notes that changed since the snapshot are re-added from their records.

import { request } from '../catalog/idb'
import type { IndexSnapshot, IndexState, IndexedNote } from './search-index'

const DB_NAME = 'skein-search'
const NOTES = 'notes'
const META = 'meta'
const SNAPSHOT_KEY = 'snapshot'
/** Bump when the indexed fields or their tokenizing change: the snapshot is then ignored and rebuilt. */
const FORMAT = 1

interface SnapshotRecord extends IndexSnapshot {
  readonly format: number
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

  /** The saved notes and index snapshot (null snapshot: first run, or written in an older format). */
  async load(): Promise<IndexState> {
    const tx = this.db.transaction([META, NOTES], 'readonly')
    const [record, notes] = await Promise.all([
      request(tx.objectStore(META).get(SNAPSHOT_KEY) as IDBRequest<SnapshotRecord | undefined>),
      request(tx.objectStore(NOTES).getAll() as IDBRequest<IndexedNote[]>),
    ])
    const snapshot = record?.format === FORMAT ? { index: record.index, stamps: record.stamps } : null
    return { snapshot, notes }
  }

  async saveNotes(changed: readonly IndexedNote[], removed: readonly string[]): Promise<void> {
    if (changed.length === 0 && removed.length === 0) return
    const tx = this.db.transaction(NOTES, 'readwrite')
    const notes = tx.objectStore(NOTES)
    for (const note of changed) notes.put(note)
    for (const id of removed) notes.delete(id)
    await done(tx)
  }

  async saveSnapshot(snapshot: IndexSnapshot): Promise<void> {
    const tx = this.db.transaction(META, 'readwrite')
    tx.objectStore(META).put({ format: FORMAT, ...snapshot } satisfies SnapshotRecord, SNAPSHOT_KEY)
    await done(tx)
  }

  close(): void {
    this.db.close()
  }
}
