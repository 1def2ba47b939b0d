// Tracks "saved on this device": whether every local update of a doc has been committed to
// IndexedDB. y-indexeddb writes each update in its own readwrite transaction and fires no event
// when it commits. A readonly transaction over the same store, opened afterwards, is scheduled
// by IndexedDB only once the earlier readwrite transactions on that store have finished, so its
// `complete` event tells us those writes are durable.

import type * as Y from 'yjs'
import type { IndexeddbPersistence } from 'y-indexeddb'
import { ValueStore } from './store'

export type LocalSaveState = 'saving' | 'saved'

const UPDATES_STORE = 'updates'

export class LocalSaveTracker extends ValueStore<LocalSaveState> {
  /**
   * True while an edit made in this window is not yet committed to IndexedDB (unlike the state,
   * not set by the initial load: loading writes nothing the disk lacks).
   */
  readonly editsUnsaved = new ValueStore(false)
  private pending = 0
  private pendingEdits = 0
  private readonly dispose: () => void

  constructor(doc: Y.Doc, persistence: IndexeddbPersistence) {
    super('saving') // nothing is known to be on disk until the persistence has loaded
    let loaded = false
    const barrier = (edit: boolean): void => {
      const db = persistence.db
      if (!db) return
      this.pending++
      this.set('saving')
      if (edit) this.editsUnsaved.set(++this.pendingEdits > 0)
      const settle = (): void => {
        if (edit) this.editsUnsaved.set(--this.pendingEdits > 0)
        this.settle()
      }
      let tx: IDBTransaction
      try {
        tx = db.transaction([UPDATES_STORE], 'readonly')
      } catch {
        // The database is closing (note deleted or closed): nothing more will be written.
        settle()
        return
      }
      tx.oncomplete = settle
      tx.onabort = settle
      tx.onerror = settle
    }
    const onUpdate = (_update: Uint8Array, origin: unknown): void => {
      if (!loaded || origin === persistence) return
      barrier(true)
    }
    // Registered after y-indexeddb's own `update` listener, so its write is queued first.
    doc.on('update', onUpdate)
    void persistence.whenSynced.then(() => {
      loaded = true
      barrier(false) // covers the full-state write y-indexeddb does when it loads
    })
    this.dispose = () => doc.off('update', onUpdate)
  }

  private settle(): void {
    this.pending = Math.max(0, this.pending - 1)
    if (this.pending === 0) this.set('saved')
  }

  destroy(): void {
    this.dispose()
  }
}
