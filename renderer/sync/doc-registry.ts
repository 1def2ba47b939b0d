// One Y.Doc per room, each persisted in IndexedDB (`skein:<room>`) and, when a relay is known,
// connected to it with a stock y-websocket provider (room = URL path).
//
// Handles are reference counted: React components `retain` while mounted and `release` on
// unmount. A released handle lingers briefly (so StrictMode remounts and the editor's own deferred
// teardown find it intact) and is then destroyed: provider, persistence, doc.

import * as Y from 'yjs'
import { IndexeddbPersistence } from 'y-indexeddb'
import { WebsocketProvider } from 'y-websocket'
import { ConnectionStatusStore } from './connection-status'
import { LocalSaveTracker } from './local-save'

const LINGER_MS = 250

export function persistenceName(room: string): string {
  return `skein:${room}`
}

export class DocHandle {
  readonly doc = new Y.Doc()
  readonly persistence: IndexeddbPersistence
  readonly connection: ConnectionStatusStore
  readonly localSave: LocalSaveTracker
  /** Resolves once the local IndexedDB state has been loaded into `doc`. Never waits on the network. */
  readonly whenLoaded: Promise<void>
  provider: WebsocketProvider | null = null
  destroyed = false
  refs = 0
  discardWhenReleased = false
  private unfollow: (() => void) | null = null

  constructor(
    readonly room: string,
    relayUrl: Promise<string | null>,
    expectRelay: boolean,
  ) {
    this.persistence = new IndexeddbPersistence(persistenceName(room), this.doc)
    this.localSave = new LocalSaveTracker(this.doc, this.persistence)
    this.connection = new ConnectionStatusStore(expectRelay)
    this.whenLoaded = this.persistence.whenSynced.then(() => undefined)
    // Connect only after the local state is in the doc, so the first sync exchange is a diff.
    void Promise.all([relayUrl, this.whenLoaded]).then(([url]) => {
      if (this.destroyed) return
      if (url === null) {
        this.connection.set('offline')
        return
      }
      this.provider = new WebsocketProvider(url, room, this.doc, { connect: false })
      this.unfollow = this.connection.follow(this.provider)
      this.provider.connect()
    })
  }

  /** Tears down the network side and local bindings; `clearLocal` also deletes the IndexedDB data. */
  async destroy(clearLocal = false): Promise<void> {
    if (this.destroyed) return
    this.destroyed = true
    this.unfollow?.()
    this.provider?.destroy()
    this.localSave.destroy()
    if (clearLocal) await this.persistence.clearData()
    else await this.persistence.destroy()
    this.doc.destroy()
  }
}

export class DocRegistry {
  private readonly handles = new Map<string, DocHandle>()
  private readonly relayUrl: Promise<string | null>
  private expectRelay = true

  constructor(relayUrl: Promise<string | null>) {
    this.relayUrl = relayUrl
    void relayUrl.then((url) => {
      this.expectRelay = url !== null
    })
  }

  /** The handle for `room`, opened if needed. Idempotent; pair with `retain`/`release`. */
  get(room: string): DocHandle {
    let handle = this.handles.get(room)
    if (!handle) {
      handle = new DocHandle(room, this.relayUrl, this.expectRelay)
      this.handles.set(room, handle)
      this.scheduleCollect(handle)
    }
    return handle
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
    const name = persistenceName(room)
    const databases = await indexedDB.databases().catch(() => null)
    if (databases && !databases.some((db) => db.name === name)) return undefined
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

  private scheduleCollect(handle: DocHandle): void {
    setTimeout(() => {
      if (handle.refs > 0 || handle.destroyed) return
      if (this.handles.get(handle.room) === handle) this.handles.delete(handle.room)
      void handle.destroy(handle.discardWhenReleased)
    }, LINGER_MS)
  }
}
