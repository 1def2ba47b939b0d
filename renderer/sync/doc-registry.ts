// One Y.Doc per room, each persisted in IndexedDB (`skein:<room>`) and, when a relay is known,
// connected to it with a stock y-websocket provider (room = URL path).
//
// Handles are reference counted: React components `retain` while mounted and `release` on
// unmount. A released handle lingers briefly (so StrictMode remounts and the editor's own deferred
// teardown find it intact) and is then destroyed: provider, persistence, doc.

import * as Y from 'yjs'
import { IndexeddbPersistence } from 'y-indexeddb'
import { WebsocketProvider } from 'y-websocket'
import { Awareness } from 'y-protocols/awareness'
import { coversStateVector, isStoredOnRelay } from '../../protocol/stored-acks'
import { rejoinOnReconnect } from '../presence/rejoin'
import { ConnectionStatusStore, isRefusal, shouldReconnect, type Refusal } from './connection-status'
import { keepAlive } from './heartbeat'
import { compactStoredUpdates } from './idb-compaction'
import { whenIdle } from './idle'
import { LocalSaveTracker } from './local-save'
import { requestStoredAck, trackStoredAcks } from './stored-acks'
import { ValueStore, type ReadableStore } from './store'
import type { RelayEndpoint } from '../platform'

/** What a doc's provider needs of the relay endpoint; null when there is none to talk to. */
type RelaySocket = Pick<RelayEndpoint, 'wsUrl' | 'token'>

/**
 * Whether the relay has durably stored everything this device has of the doc: `stored` only
 * when its acknowledged state vector covers the local one (never inferred from "connected").
 */
export type RelayStoreState = 'unknown' | 'stored' | 'unstored'

/**
 * Told when a doc starts or stops holding content the relay has not acknowledged. The returned
 * promise settles once that is recorded durably (DocHandle.whenMarked waits for it).
 */
export type ContentStateListener = (room: string, unacknowledged: boolean) => Promise<void> | void

/**
 * Key in the note's own y-indexeddb database (its `custom` store) holding the relay's last
 * acknowledged state vector. Kept beside the content, so a load can tell whether the content on
 * disk is covered by an acknowledgement even when the catalog's mark was lost (crash between the
 * two databases' writes).
 */
const ACKED_KEY = 'skein:relay-stored-sv'


const LINGER_MS = 250
/**
 * How long acknowledgements must stay current before a note's "not on the relay" mark is cleared
 * in the catalog. While someone types, each keystroke is acknowledged within milliseconds;
 * recording every one would write the catalog and re-render the app twice per key. The note
 * says it waits a moment longer than it does, never the other way round.
 */
export const ACK_SETTLE_MS = 1_000
/** How long `confirmInSync` waits for the relay to answer. */
const CONFIRM_TIMEOUT_MS = 3_000

export function persistenceName(room: string): string {
  return `skein:${room}`
}

export class DocHandle {
  readonly doc = new Y.Doc()
  private currentPersistence: IndexeddbPersistence
  readonly connection: ConnectionStatusStore
  readonly localSave: LocalSaveTracker
  readonly relayStore = new ValueStore<RelayStoreState>('unknown')
  /**
   * Presence (carets, who's here). Owned here rather than by the provider, which only exists once
   * the relay is known, so the editor can bind to it synchronously; the provider relays it.
   */
  readonly awareness = new Awareness(this.doc)
  /** The doc's IndexedDB persistence (replaced if the browser closes its connection). */
  get persistence(): IndexeddbPersistence {
    return this.currentPersistence
  }

  /** Resolves once the local IndexedDB state has been loaded into `doc`. Never waits on the network. */
  readonly whenLoaded: Promise<void>
  /**
   * Resolves once the stored updates have been merged if they had grown (idb-compaction.ts); true
   * if merged. The check re-reads and re-applies the whole store (~80 ms for a long note), so it
   * waits for the page to be idle after the load, off the path to an editable note.
   */
  readonly whenCompacted: Promise<boolean>
  /** Resolves once the doc has exchanged state with the relay (never, without a relay). */
  readonly whenRelaySynced: Promise<void>
  provider: WebsocketProvider | null = null
  destroyed = false
  refs = 0
  discardWhenReleased = false
  /** The pending collection while unretained (see DocRegistry.scheduleCollect). */
  collectTimer: ReturnType<typeof setTimeout> | null = null
  private storedStateVector: Uint8Array | null = null
  private unacknowledged: boolean | null = null
  private clearTimer: ReturnType<typeof setTimeout> | null = null
  private marking: Promise<void> = Promise.resolve()
  private relaySynced = false
  /** Stored acknowledgements received so far, and who waits for the next one (confirmInSync). */
  private acksHeard = 0
  private readonly ackWaiters = new Set<() => void>()
  private savedAck: Uint8Array | null = null
  private readonly cleanups: (() => void)[] = []

  constructor(
    readonly room: string,
    relay: Promise<RelaySocket | null>,
    expectRelay: boolean,
    private readonly onContentState: ContentStateListener = () => {},
  ) {
    this.currentPersistence = new IndexeddbPersistence(persistenceName(room), this.doc)
    this.localSave = new LocalSaveTracker(this.doc, this.currentPersistence, () => {
      // The browser closed the old connection (I/O error): a new one, bound to the same doc.
      const old = this.currentPersistence
      this.currentPersistence = new IndexeddbPersistence(persistenceName(room), this.doc)
      void old.destroy().catch(() => undefined)
      return this.currentPersistence
    })
    this.connection = new ConnectionStatusStore(expectRelay)
    this.whenLoaded = this.persistence.whenSynced.then(() => undefined)
    // A failed merge only leaves the store as y-indexeddb wrote it.
    this.whenCompacted = this.whenLoaded
      .then(() => whenIdle())
      .then(() => (this.destroyed ? false : compactStoredUpdates(this.persistence)))
      .catch(() => false)
    let relaySynced = (): void => {}
    this.whenRelaySynced = new Promise<void>((resolve) => (relaySynced = resolve)).then(() => {
      this.relaySynced = true
    })
    const onUpdate = (_update: Uint8Array, origin: unknown): void => {
      // A local change is not on the relay until an acknowledgement says so. What was replayed
      // from this device's disk is checked on load instead (checkLoadedAgainstAck).
      if (this.isLocalChange(origin)) this.reportContent(true)
      this.checkStored()
    }
    this.doc.on('update', onUpdate)
    this.cleanups.push(() => this.doc.off('update', onUpdate))
    void this.whenLoaded.then(() => this.checkLoadedAgainstAck())
    // Connect only after the local state is in the doc, so the first sync exchange is a diff.
    void Promise.all([relay, this.whenLoaded]).then(([target]) => {
      if (this.destroyed) return
      if (target === null) {
        this.connection.set('offline')
        return
      }
      const provider = new WebsocketProvider(target.wsUrl, room, this.doc, {
        connect: false,
        awareness: this.awareness,
        params: target.token ? { token: target.token } : {},
        shouldReconnect,
      })
      this.provider = provider
      this.cleanups.push(this.connection.follow(provider))
      this.cleanups.push(this.connection.subscribe(() => this.wakeAckWaiters()))
      this.cleanups.push(rejoinOnReconnect(provider, this.awareness))
      const heartbeat = keepAlive(provider, () => requestStoredAck(provider))
      this.cleanups.push(heartbeat.stop)
      this.cleanups.push(
        trackStoredAcks(provider, (stateVector) => {
          heartbeat.heard()
          this.storedStateVector = stateVector
          this.checkStored()
          this.acksHeard++
          this.wakeAckWaiters()
        }),
      )
      const onSync = (synced: boolean): void => {
        if (synced) relaySynced()
      }
      provider.on('sync', onSync)
      this.cleanups.push(() => provider.off('sync', onSync))
      // Connecting encodes the whole doc at once (y-websocket's sync step 2 to other windows over
      // BroadcastChannel, ~150 ms for a long note): in the next idle moment, once the note is
      // on screen, not between the load and the editor.
      void whenIdle().then(() => {
        if (!this.destroyed) provider.connect()
      })
    })
  }

  /**
   * Whether a change to `doc` with this origin was made on this device (typed, imported,
   * restored, written before the provider exists): anything not positively known to be replayed
   * from its IndexedDB or applied by its provider from a relay message. The one test of "local"
   * for every listener of the doc (relay acknowledgements here, history's idle clock).
   */
  isLocalChange(origin: unknown): boolean {
    const fromRelay = this.provider !== null && origin === this.provider
    return origin !== this.persistence && !fromRelay
  }

  /**
   * What came from disk is on the relay only if the last acknowledgement saved beside it covers
   * it. Content with no such acknowledgement (never confirmed, or confirmed before a later edit
   * whose catalog mark was lost) is marked, so background sync sends it.
   */
  private async checkLoadedAgainstAck(): Promise<void> {
    if (this.destroyed) return
    let saved: unknown
    try {
      saved = await this.persistence.get(ACKED_KEY)
    } catch {
      saved = undefined // unreadable: treat as never acknowledged
    }
    if (this.destroyed) return
    this.savedAck = saved instanceof ArrayBuffer ? new Uint8Array(saved) : null
    const local = Y.encodeStateVector(this.doc)
    if (Y.decodeStateVector(local).size === 0) return // nothing here to send
    if (this.savedAck === null || !coversStateVector(this.savedAck, local)) this.reportContent(true)
  }

  private checkStored(): void {
    if (this.storedStateVector === null) return
    const stored = isStoredOnRelay(this.doc, this.storedStateVector)
    this.relayStore.set(stored ? 'stored' : 'unstored')
    if (!stored) return
    this.saveAck(this.storedStateVector)
    this.reportContent(false)
  }

  private saveAck(stateVector: Uint8Array): void {
    // Called on every update while stored: the same ack again costs nothing.
    if (this.destroyed || stateVector === this.savedAck || (this.savedAck !== null && coversStateVector(this.savedAck, stateVector))) return
    this.savedAck = stateVector
    void this.persistence.set(ACKED_KEY, stateVector.slice().buffer).catch(() => {
      this.savedAck = null // not saved: the next load marks the note again, which is safe
    })
  }

  private reportContent(unacknowledged: boolean): void {
    if (unacknowledged) {
      this.cancelClear()
      return this.record(true)
    }
    if (this.unacknowledged === false || this.clearTimer) return
    this.clearTimer = setTimeout(() => {
      this.clearTimer = null
      this.record(false)
    }, ACK_SETTLE_MS)
  }

  private wakeAckWaiters(): void {
    for (const wake of [...this.ackWaiters]) wake()
  }

  private cancelClear(): void {
    if (this.clearTimer) clearTimeout(this.clearTimer)
    this.clearTimer = null
  }

  private record(unacknowledged: boolean): void {
    if (this.unacknowledged === unacknowledged) return
    this.unacknowledged = unacknowledged
    const recorded = Promise.resolve(this.onContentState(this.room, unacknowledged))
    this.marking = Promise.all([this.marking, recorded.catch(() => undefined)]).then(() => undefined)
  }

  /**
   * Whether this open doc is in step with the relay right now, proven by a round trip begun now:
   * the relay answers on the same socket after every update it relayed before, so once the
   * answer is here, everything the relay held when it answered is in this doc. True only if
   * the doc had synced, the relay has stored all of this doc, and this device saved all of it.
   */
  async confirmInSync(timeoutMs = CONFIRM_TIMEOUT_MS): Promise<boolean> {
    const provider = this.provider
    if (this.destroyed || !provider || !this.relaySynced || this.connection.get() !== 'connected') return false
    const asked = this.acksHeard
    const answered = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => done(false), timeoutMs)
      // Answered; or no answer can come any more on this connection (closed, or the doc is gone).
      const wake = (): void => {
        if (this.acksHeard > asked) done(true)
        else if (this.destroyed || this.connection.get() !== 'connected') done(false)
      }
      const done = (ok: boolean): void => {
        clearTimeout(timer)
        this.ackWaiters.delete(wake)
        resolve(ok)
      }
      this.ackWaiters.add(wake)
    })
    requestStoredAck(provider)
    if (!(await answered)) return false
    return !this.destroyed && this.relayStore.get() === 'stored' && this.localSave.get() === 'saved'
  }

  /** Connects again after a refusal ("Retry now"); the provider does not retry those by itself. */
  reconnect(): void {
    if (!this.destroyed && isRefusal(this.connection.get())) this.provider?.connect()
  }

  /** Resolves once every "unacknowledged" / "acknowledged" report made so far is recorded. */
  whenMarked(): Promise<void> {
    return this.marking
  }

  /** Tears down the network side and local bindings; `clearLocal` also deletes the IndexedDB data. */
  async destroy(clearLocal = false): Promise<void> {
    if (this.destroyed) return
    // An acknowledgement that covered everything is still pending its settle time: record it
    // now, or the note would wait for background sync to check it again.
    if (this.clearTimer) {
      this.cancelClear()
      this.record(false)
    }
    this.destroyed = true
    this.wakeAckWaiters()
    for (const cleanup of this.cleanups.splice(0)) cleanup()
    this.provider?.destroy()
    this.localSave.destroy()
    if (clearLocal) await this.persistence.clearData()
    else await this.persistence.destroy()
    this.doc.destroy()
  }
}

/** Told after every change to an open doc, whatever its origin (typed, loaded from disk, from the relay). */
export type DocUpdateListener = (room: string) => void

export class DocRegistry {
  private readonly handles = new Map<string, DocHandle>()
  private readonly updateListeners = new Set<DocUpdateListener>()
  private expectRelay = true
  private readonly unsavedHandles = new Set<DocHandle>()
  private readonly unsaved = new ValueStore(0)
  private readonly refused = new ValueStore<ReadonlyMap<string, Refusal>>(new Map())
  private readonly failedHandles = new Set<DocHandle>()
  private readonly failed = new ValueStore<ReadonlyMap<string, string>>(new Map())
  /**
   * Open rooms whose last write to IndexedDB failed, with why. Their docs stay open (in memory)
   * and keep retrying until a write succeeds; they count as unsaved.
   */
  readonly failedSaves: ReadableStore<ReadonlyMap<string, string>> = this.failed
  /**
   * Rooms whose last connection the relay refused (and why), open or not: a background sync that
   * was refused is remembered after its handle closes, until a connection to the room succeeds.
   */
  readonly refusals: ReadableStore<ReadonlyMap<string, Refusal>> = this.refused
  /** How many open docs hold edits not yet committed to IndexedDB (for the quit warning). */
  readonly unsavedDocs: ReadableStore<number> = this.unsaved

  /**
   * `mayConnect`: whether a room's doc may talk to the relay, once known (a draft note's may not
   * until it is touched, and never if it is discarded); every room may when absent.
   */
  constructor(
    private readonly relay: Promise<RelaySocket | null>,
    private readonly onContentState?: ContentStateListener,
    private readonly mayConnect?: (room: string) => Promise<boolean>,
  ) {
    void relay.then((target) => {
      this.expectRelay = target !== null
    })
  }

  /**
   * The handle for `room`, opened if needed. Idempotent; pair with `retain`/`release`. An
   * unretained handle stays alive for LINGER_MS after each `get`, so a component that gets it
   * while rendering and retains it in an effect never receives one collected in between.
   */
  get(room: string): DocHandle {
    let handle = this.handles.get(room)
    this.discarded.delete(room) // opened on purpose (e.g. the note came back): it lives again
    if (handle) {
      if (handle.refs === 0) this.scheduleCollect(handle)
    } else {
      const relay = this.mayConnect ? Promise.all([this.relay, this.mayConnect(room)]).then(([target, may]) => (may ? target : null)) : this.relay
      handle = new DocHandle(room, relay, this.expectRelay, this.onContentState)
      this.handles.set(room, handle)
      // Tied to the doc's lifetime: a destroyed Y.Doc drops its listeners.
      handle.doc.on('update', () => {
        for (const listener of this.updateListeners) listener(room)
      })
      const opened = handle
      opened.localSave.editsUnsaved.subscribe(() => this.countUnsaved(opened, opened.localSave.editsUnsaved.get()))
      opened.connection.subscribe(() => this.noteRefusal(room, opened.connection.get()))
      opened.localSave.subscribe(() => this.noteSaveFailure(opened))
      this.scheduleCollect(handle)
    }
    return handle
  }

  private noteRefusal(room: string, status: ReturnType<DocHandle['connection']['get']>): void {
    const current = this.refused.get()
    if (isRefusal(status) && current.get(room) !== status) this.refused.set(new Map(current).set(room, status))
    else if (status === 'connected') this.forgetRefusal(room)
  }

  private forgetRefusal(room: string): void {
    if (!this.refused.get().has(room)) return
    const next = new Map(this.refused.get())
    next.delete(room)
    this.refused.set(next)
  }

  private noteSaveFailure(handle: DocHandle): void {
    const failing = handle.localSave.get() === 'failed' && !handle.destroyed
    if (failing === this.failedHandles.has(handle)) return
    if (failing) this.failedHandles.add(handle)
    else this.failedHandles.delete(handle)
    this.failed.set(new Map([...this.failedHandles].map((h) => [h.room, h.localSave.error.get() ?? ''])))
  }

  /** "Retry now": every open room the relay refused connects again, and failed local writes are tried again. */
  retryNow(): void {
    for (const handle of this.handles.values()) {
      handle.reconnect()
      handle.localSave.retryNow()
    }
  }

  private countUnsaved(handle: DocHandle, unsaved: boolean): void {
    if (unsaved) this.unsavedHandles.add(handle)
    else this.unsavedHandles.delete(handle)
    this.unsaved.set(this.unsavedHandles.size)
  }

  /**
   * The notes among `noteIds` whose room is open here and proven in step with the relay
   * (DocHandle.confirmInSync); rooms not open are never opened for this.
   */
  async confirmInSync(rooms: readonly string[]): Promise<ReadonlySet<string>> {
    const open = rooms.map((room) => this.handles.get(room)).filter((h): h is DocHandle => h !== undefined && !h.destroyed)
    const results = await Promise.all(open.map(async (handle) => [handle.room, await handle.confirmInSync()] as const))
    return new Set(results.filter(([, ok]) => ok).map(([room]) => room))
  }

  /** Subscribes to changes in every doc opened here (the editor's, background sync's). */
  onDocUpdate(listener: DocUpdateListener): () => void {
    this.updateListeners.add(listener)
    return () => {
      this.updateListeners.delete(listener)
    }
  }

  retain(handle: DocHandle): void {
    handle.refs++
  }

  release(handle: DocHandle): void {
    handle.refs = Math.max(0, handle.refs - 1)
    if (handle.refs === 0) this.scheduleCollect(handle)
  }

  /**
   * Deletes the room's local data (IndexedDB) once nothing uses it any more. Whether or not the
   * room is open right now, this goes through `IndexeddbPersistence.clearData()`.
   */
  discard(room: string): void {
    // Until the room is opened again, reading it must not recreate the database being deleted.
    this.discarded.add(room)
    this.names = null
    this.forgetRefusal(room)
    const handle = this.handles.get(room)
    if (handle) {
      handle.discardWhenReleased = true
      if (handle.refs === 0) this.scheduleCollect(handle)
      return
    }
    // Not open: a throwaway persistence just to delete its data (no provider, nothing synced).
    void new IndexeddbPersistence(persistenceName(room), new Y.Doc()).clearData()
  }

  /**
   * Runs `inspect` on the room's content as stored on this device: the open document if the room
   * is open, else a throwaway copy loaded from IndexedDB (no network). Resolves to undefined when
   * this device has no copy of the room at all.
   */
  async withLocalContent<T>(room: string, inspect: (doc: Y.Doc) => T): Promise<T | undefined> {
    const open = this.handles.get(room)
    if (open && !open.destroyed) {
      await open.whenLoaded
      return open.destroyed ? undefined : inspect(open.doc)
    }
    if (this.discarded.has(room)) return undefined
    const name = persistenceName(room)
    let databases = await this.databaseNames()
    if (databases && !databases.has(name)) databases = await this.databaseNames(true) // maybe created since
    if (databases && !databases.has(name)) return undefined
    const doc = new Y.Doc()
    const persistence = new IndexeddbPersistence(name, doc)
    try {
      await persistence.whenSynced
      return inspect(doc)
    } finally {
      await persistence.destroy()
      doc.destroy()
    }
  }

  private names: { at: number; names: Promise<Set<string> | null> } | null = null
  /** Rooms whose local data was deleted here and that nobody has opened since. */
  private readonly discarded = new Set<string>()

  /**
   * The IndexedDB database names, listed at most once a second: a bulk read (export, search
   * build) asks for thousands of notes in a row, and listing every database each time is O(n²).
   * A name missing from the cached list is looked up afresh (`fresh`), so a new note is never missed.
   */
  private databaseNames(fresh = false): Promise<Set<string> | null> {
    const now = Date.now()
    if (fresh || !this.names || now - this.names.at > 1_000) {
      this.names = { at: now, names: indexedDB.databases().then((list) => new Set(list.map((db) => db.name ?? '')), () => null) }
    }
    return this.names.names
  }

  private scheduleCollect(handle: DocHandle): void {
    if (handle.collectTimer) clearTimeout(handle.collectTimer)
    handle.collectTimer = setTimeout(() => {
      handle.collectTimer = null
      if (handle.refs > 0 || handle.destroyed) return
      // Its last write failed: the doc in memory is the only copy of those edits. Keep it open
      // (and retrying) until they are on disk.
      if (handle.localSave.get() === 'failed' && !handle.discardWhenReleased) return this.scheduleCollect(handle)
      if (this.handles.get(handle.room) === handle) this.handles.delete(handle.room)
      void handle.destroy(handle.discardWhenReleased)
    }, LINGER_MS)
  }
}
