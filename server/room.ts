import * as Y from 'yjs'
import * as awarenessProtocol from 'y-protocols/awareness'
import type { Logger } from 'pino'
import { encodeAwarenessUpdate, encodeSyncUpdate } from '../protocol/encode.js'
import type { DocStorage } from './storage/types.js'

/** The room's side of a connection: what the room needs to fan frames out to a peer. */
export interface Peer {
  readonly id: string
  send(frame: Uint8Array): void
}

export interface RoomOptions {
  /** Merge the room's stored log into one entry once it holds this many entries. */
  compactAfter: number
}

/** Marks the transaction that replays stored state, so it is not persisted again. */
const LOAD_ORIGIN = Symbol('skein:load')
const RETRY_MIN_MS = 250
const RETRY_MAX_MS = 30_000

/**
 * One shared document with its presence and connected peers. Every update a peer sends is
 * fanned out at once and queued for storage; the queue is written in batches and survives
 * storage failures by retrying, so nothing received is dropped while the relay runs.
 */
export class Room {
  readonly doc = new Y.Doc()
  readonly awareness = new awarenessProtocol.Awareness(this.doc)
  /** Each peer with the awareness client ids it introduced (removed when it leaves). */
  private readonly peers = new Map<Peer, Set<number>>()
  private pending: Uint8Array[] = []
  private writing: Promise<void> | null = null
  private retry: Promise<void> | null = null
  private retryDelay = RETRY_MIN_MS
  private entriesSinceCompaction: number
  private destroyed = false

  private constructor(
    readonly name: string,
    private readonly storage: DocStorage,
    private readonly log: Logger,
    private readonly options: RoomOptions,
    storedEntries: number,
  ) {
    this.entriesSinceCompaction = storedEntries
    this.awareness.setLocalState(null)
    this.doc.on('update', this.onDocUpdate)
    this.awareness.on('update', this.onAwarenessUpdate)
  }

  static async load(name: string, storage: DocStorage, log: Logger, options: RoomOptions): Promise<Room> {
    const [state, entries] = await Promise.all([storage.load(name), storage.entryCount(name)])
    const room = new Room(name, storage, log.child({ room: name }), options, entries)
    if (state) Y.applyUpdate(room.doc, state, LOAD_ORIGIN)
    return room
  }

  get peerCount(): number {
    return this.peers.size
  }

  addPeer(peer: Peer): void {
    this.assertLive()
    this.peers.set(peer, new Set())
  }

  removePeer(peer: Peer): void {
    const introduced = this.peers.get(peer)
    if (!introduced) return
    this.peers.delete(peer)
    if (introduced.size > 0) awarenessProtocol.removeAwarenessStates(this.awareness, [...introduced], peer)
  }

  /** Resolves once every update received so far is stored. */
  async flush(): Promise<void> {
    while (this.pending.length > 0 || this.writing || this.retry) {
      if (!this.writing && !this.retry) this.writing = this.write()
      await (this.writing ?? this.retry)
    }
  }

  /** Flushes, then releases the document. Storage failures keep retrying until they succeed. */
  async destroy(): Promise<void> {
    await this.flush()
    this.destroyed = true
    this.doc.off('update', this.onDocUpdate)
    this.awareness.off('update', this.onAwarenessUpdate)
    this.awareness.destroy()
    this.doc.destroy()
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === LOAD_ORIGIN) return
    this.pending.push(update)
    if (!this.writing && !this.retry) this.writing = this.write()
    const frame = encodeSyncUpdate(update)
    for (const peer of this.peers.keys()) if (peer !== origin) peer.send(frame)
  }

  private readonly onAwarenessUpdate = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    const introduced = this.peers.get(origin as Peer)
    if (introduced) {
      for (const id of added) introduced.add(id)
      for (const id of removed) introduced.delete(id)
    }
    const frame = encodeAwarenessUpdate(this.awareness, [...added, ...updated, ...removed])
    for (const peer of this.peers.keys()) peer.send(frame)
  }

  /** Writes the whole queue as one merged entry; a failure puts it back and schedules a retry. */
  private async write(): Promise<void> {
    // Yield once so updates arriving in the same tick share one storage write.
    await Promise.resolve()
    const batch = this.pending
    this.pending = []
    if (batch.length === 0) {
      this.writing = null
      return
    }
    try {
      await this.storage.append(this.name, batch.length === 1 ? batch[0]! : Y.mergeUpdates(batch))
      this.retryDelay = RETRY_MIN_MS
      this.entriesSinceCompaction += 1
      if (this.entriesSinceCompaction >= this.options.compactAfter) await this.compact()
    } catch (err) {
      this.pending = batch.concat(this.pending)
      this.log.error({ err, updates: batch.length, retryInMs: this.retryDelay }, 'storage write failed; keeping updates in memory')
      this.scheduleRetry()
    } finally {
      this.writing = null
    }
    if (this.pending.length > 0 && !this.retry) this.writing = this.write()
  }

  private scheduleRetry(): void {
    const delay = this.retryDelay
    this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS)
    this.retry = new Promise((resolve) => {
      setTimeout(() => {
        this.retry = null
        if (!this.writing) this.writing = this.write()
        resolve()
      }, delay)
    })
  }

  private async compact(): Promise<void> {
    try {
      await this.storage.compact(this.name)
      this.entriesSinceCompaction = 1
    } catch (err) {
      // The log is still complete; compaction is only an optimisation and is retried next time.
      this.log.warn({ err }, 'compaction failed')
    }
  }

  private assertLive(): void {
    if (this.destroyed) throw new Error(`Room ${this.name}: used after destroy()`)
  }
}
