// Tracks "saved on this device": whether every local update of a doc has been committed to
// IndexedDB. y-indexeddb writes each update in its own readwrite transaction and fires no event
// when it commits. A readonly transaction over the same store, opened afterwards, is scheduled
// by IndexedDB only once the earlier readwrite transactions on that store have finished, so its
// `complete` event tells us those writes are over.
//
// Over is not the same as saved: a write can fail (disk full, quota exceeded) and y-indexeddb
// does not say so. A failed transaction's `abort` event bubbles to its database, so every write
// to the doc's database is watched there. After a failure the doc is `failed` until a write of
// its whole state succeeds: the data stays in memory (the registry keeps the doc open), the
// whole state is written again with backoff, and the edit counts as unsaved for the quit warning.
// After an I/O error Chromium closes the database connection under the page; the retry then
// opens a new persistence (`reopen`), whose first load writes the doc's whole state.

import * as Y from 'yjs'
import type { IndexeddbPersistence } from 'y-indexeddb'
import { ValueStore } from './store'

export type LocalSaveState = 'saving' | 'saved' | 'failed'

const UPDATES_STORE = 'updates'
const RETRY_MIN_MS = 1_000
const RETRY_MAX_MS = 30_000

/** Why a write failed, as a writer reads it. */
export function describeSaveError(error: Pick<DOMException, 'name' | 'message'> | null): string {
  if (error?.name === 'QuotaExceededError') return 'this device is out of storage space'
  // Chromium reports a full disk as an I/O error of the write (DataError or UnknownError).
  if (error && /IOError|disk|space/i.test(error.message)) return 'the disk is full or cannot be written'
  return error ? `the device storage refused the write (${error.name})` : 'the device storage refused the write'
}

export class LocalSaveTracker extends ValueStore<LocalSaveState> {
  /**
   * True while an edit made in this window is not yet committed to IndexedDB (unlike the state,
   * not set by the initial load: loading writes nothing the disk lacks).
   */
  readonly editsUnsaved = new ValueStore(false)
  /** Why the last write failed (null while nothing has failed since the last good write). */
  readonly error = new ValueStore<string | null>(null)
  private pending = 0
  private pendingEdits = 0
  private failure: string | null = null
  private retryTimer: ReturnType<typeof setTimeout> | null = null
  private retryDelay = RETRY_MIN_MS
  private retrying: IDBTransaction | null = null
  private destroyed = false
  private readonly dispose: () => void

  private watched: IDBDatabase | null = null
  private closed = false

  constructor(
    private readonly doc: Y.Doc,
    private persistence: IndexeddbPersistence,
    /** Replaces a persistence whose connection the browser closed; returns the new one. */
    private readonly reopen: () => IndexeddbPersistence = () => persistence,
  ) {
    super('saving') // nothing is known to be on disk until the persistence has loaded
    let loaded = false
    const barrier = (edit: boolean): void => {
      const db = this.persistence.db
      if (!db) return
      this.watch(db)
      this.pending++
      if (this.failure === null) this.set('saving')
      if (edit) this.editsUnsaved.set(++this.pendingEdits > 0 || this.failure !== null)
      const settle = (): void => {
        if (edit) this.pendingEdits--
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
      if (!loaded || origin === this.persistence) return
      barrier(true)
    }
    // Registered after y-indexeddb's own `update` listener, so its write is queued first.
    doc.on('update', onUpdate)
    void persistence.whenSynced.then(() => {
      loaded = true
      barrier(false) // covers the full-state write y-indexeddb does when it loads
    })
    this.dispose = () => {
      doc.off('update', onUpdate)
      this.unwatch()
    }
  }

  private watch(db: IDBDatabase): void {
    if (db === this.watched) return
    this.unwatch()
    db.addEventListener('abort', this.onAbort)
    db.addEventListener('close', this.onClose)
    this.watched = db
  }

  private unwatch(): void {
    this.watched?.removeEventListener('abort', this.onAbort)
    this.watched?.removeEventListener('close', this.onClose)
    this.watched = null
  }

  /** The browser closed the connection (after an I/O error, or the database was deleted elsewhere). */
  private readonly onClose = (): void => {
    if (this.destroyed) return
    this.closed = true
    this.unwatch()
    this.fail({ name: 'InvalidStateError', message: 'IOError: the storage connection was closed' })
  }

  /** A new persistence, after the old one's connection was closed: its load writes the whole state. */
  private replacePersistence(): void {
    this.closed = false
    this.persistence = this.reopen()
    const next = this.persistence
    void next.whenSynced.then(() => {
      if (this.destroyed || next !== this.persistence || this.closed) return
      if (next.db) this.watch(next.db)
      this.recovered()
    })
    // Its first write may fail too (or it may not even open): the retry looks again.
    this.scheduleRetry()
  }

  /** A write of the whole state succeeded: nothing is only in memory any more. */
  private recovered(): void {
    this.failure = null
    this.retryDelay = RETRY_MIN_MS
    this.error.set(null)
    this.editsUnsaved.set(this.pendingEdits > 0)
    this.set(this.pending === 0 ? 'saved' : 'saving')
  }

  /** A readwrite transaction on the doc's database failed: its data is not on disk. */
  private readonly onAbort = (event: Event): void => {
    const tx = event.target as IDBTransaction | null
    if (!tx || tx === this.retrying || tx.mode !== 'readwrite' || this.destroyed) return
    this.fail(tx.error)
  }

  private fail(error: Pick<DOMException, 'name' | 'message'> | null): void {
    this.failure = describeSaveError(error)
    this.error.set(this.failure)
    this.set('failed')
    this.editsUnsaved.set(true)
    this.scheduleRetry()
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.destroyed) return
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      this.writeWholeState()
    }, this.retryDelay)
    this.retryDelay = Math.min(RETRY_MAX_MS, this.retryDelay * 2)
  }

  /**
   * Writes the doc's whole state as one update in y-indexeddb's store (the form y-indexeddb itself
   * writes when it merges): whatever the failed writes held is in it.
   */
  private writeWholeState(): void {
    if (this.destroyed || this.failure === null) return
    const db = this.persistence.db
    // Closed by the browser, or a reopened one that could not even open (disk still full).
    if (this.closed || !db) return this.replacePersistence()
    let tx: IDBTransaction
    try {
      tx = db.transaction([UPDATES_STORE], 'readwrite')
      tx.objectStore(UPDATES_STORE).add(Y.encodeStateAsUpdate(this.doc))
    } catch (err) {
      // Closed under us without a `close` event reaching us yet: reopen on the next try.
      if (err instanceof DOMException && err.name === 'InvalidStateError') this.closed = true
      this.fail(err instanceof DOMException ? err : null)
      return
    }
    this.retrying = tx
    tx.oncomplete = () => {
      this.retrying = null
      this.recovered()
    }
    tx.onabort = () => {
      this.retrying = null
      this.fail(tx.error)
    }
  }

  /** Try a failed write again now (e.g. after the user freed space). */
  retryNow(): void {
    if (this.failure === null) return
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.retryTimer = null
    this.retryDelay = RETRY_MIN_MS
    this.writeWholeState()
  }

  private settle(): void {
    this.pending = Math.max(0, this.pending - 1)
    this.editsUnsaved.set(this.pendingEdits > 0 || this.failure !== null)
    if (this.failure !== null) this.set('failed')
    else if (this.pending === 0) this.set('saved')
  }

  destroy(): void {
    this.destroyed = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.dispose()
  }
}
