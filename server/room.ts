import * as Y from 'yjs'
import * as awarenessProtocol from 'y-protocols/awareness'
import type { Logger } from 'pino'
import { encodeAwarenessUpdate, encodeStored, encodeSyncUpdate } from '../protocol/encode.js'
import { insertsBeyond } from '../protocol/meta/snapshots.js'
import type { CloseCodeName } from './close-codes.js'
import type { RelayHooks } from './hooks.js'
import { roomLabel, type RoomId } from './room-id.js'
import { PresenceTable, type PresenceChanges } from './presence.js'
import { isSharedDocStorage, type DocStorage, type SharedDocStorage } from './storage/types.js'
import { compactShared } from './storage/shared-compaction.js'

/** The room's side of a connection: what the room needs to fan frames out to a peer. */
export interface Peer {
  readonly id: string
  /** Who is behind the peer: the token's id with auth, the connection itself without. */
  readonly identity: string
  /** performance.now() of the last frame the peer sent. */
  readonly lastSeen: number
  /** Whether the peer asked for stored acknowledgements. */
  readonly wantsStored: boolean
  send(frame: Uint8Array): void
  /**
   * Asked when another connection claims presence this peer holds: a live peer proves itself
   * (a pong); a dead one (half-open socket after sleep) is dropped, which frees its presence.
   */
  probeLiveness(): void
  /** Ends the peer's connection with a named close code. */
  close(code: CloseCodeName, reason: string): void
}

/** A client update, decoded (the connection parses every update in full before applying it). */
export type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>

/** Why a presence update was not applied; the update is dropped, the connection stays. */
export type PresenceRefusal = 'held-by-another' | 'too-many-ids'


export interface RoomOptions {
  /** Replace the room's stored log with a snapshot after about this many writes (±25%, per room). */
  compactAfter: number
  /** Queues the room for `compact()`; the registry runs one compaction at a time. */
  requestCompaction: (room: Room) => void
  /** Release the Y.Doc of a room whose document nobody touched for this long (presence stays). */
  hibernateAfterMs: number
  hooks: Required<RelayHooks>
  /**
   * For the rooms of a note that was deleted forever and purged: what the purged room held, as a
   * state vector of the clocks reached (null for any other room). Asked once, when the room
   * loads; `stopGuarding` ends the guard when the note comes back meanwhile.
   */
  purgedStateOf?: (room: RoomId) => Promise<Uint8Array | null>
  /** Other relays sharing the storage (`--redis`); absent for a relay on its own. */
  fanout?: RoomFanout
}

/**
 * How a room tells the relays it shares its storage with about its changes. Called only with
 * what is already durable (updates after COMMIT), or with presence, which nobody stores.
 */
export interface RoomFanout {
  stored(room: Room, roomSeq: number, update: Uint8Array): void
  presence(room: Room, update: Uint8Array): void
}

/** Marks the transaction that replays stored state, so it is not persisted again. */
const LOAD_ORIGIN = Symbol('skein:load')
/** Marks updates another relay stored (read from shared storage or announced by it): durable already. */
const REMOTE_ORIGIN = Symbol('skein:remote')
/** How long an update announced out of order waits for the ones before it before storage is asked. */
const GAP_GRACE_MS = 30
const EMPTY_STATE_VECTOR = new Uint8Array([0])
const RETRY_MIN_MS = 250
const RETRY_MAX_MS = 30_000
/** Awareness client ids one connection may introduce (a client has one; reloads add a few). */
export const MAX_AWARENESS_IDS_PER_PEER = 16
/** A stock client renews its presence every 15 s; an owner silent for 30 s is gone (y-protocols' timeout). */
export const AWARENESS_STALE_MS = 30_000
/**
 * A room with at most this many peers sends the first update of each event-loop turn at once, as
 * the stock server does, instead of at the end of the turn: it then does not wait for the rest of
 * the turn's reads, and merging saves a small room little (a frame per peer). Further
 * updates in the same turn, and every update of a larger room, still go out merged (see
 * queueOutgoing), which is what keeps a busy room's fan-out bounded.
 */
const SEND_AT_ONCE_MAX_PEERS = 8

/**
 * One shared document with its presence and connected peers. Every update a peer sends is
 * fanned out at once and queued for storage; the queue is written in batches and survives
 * storage failures by retrying, so nothing received is dropped while the relay runs. After each
 * stored batch, peers that asked are told the state vector that is now durable.
 *
 * A room whose document is idle (its peers are connected but not editing) hibernates: the Y.Doc
 * is replaced by its encoded state, a fraction of its memory, and rebuilt on the next use.
 */
export class Room {
  private liveDoc: Y.Doc | null = null
  /** The document's full state while hibernating. */
  private dormantState: Uint8Array | null = null
  private lastDocUse = performance.now()
  readonly presence = new PresenceTable((changes, origin) => this.onPresenceUpdate(changes, origin))
  /** Each peer with the awareness client ids it introduced. */
  private readonly peers = new Map<Peer, Set<number>>()
  private readonly awarenessOwners = new Map<number, Peer>()
  /** Client ids a peer tried to claim while another connection held them (see removePeer). */
  private readonly claimants = new Map<number, Peer>()
  private pending: Uint8Array[] = []
  /** Updates and presence changes received this event-loop turn, fanned out together at its end. */
  private outgoing: { updates: Uint8Array[]; origins: Set<unknown>; presence: Set<number>; localPresence: Set<number> } | null = null
  private writing: Promise<void> | null = null
  private retry: Promise<void> | null = null
  private retryDelay = RETRY_MIN_MS
  private entriesSinceCompaction: number
  /** Jittered so rooms that started together do not all compact at once. */
  private readonly compactThreshold: number
  /** A compaction is queued or running: the count past the threshold asks for no second one. */
  private compactionRequested = false
  /** Sequence number of this room's last stored entry; 0 until the first write since load. */
  private lastStoredSeq = 0
  private destroyed = false
  private _storedStateVector: Uint8Array
  /** Stored bytes plus queued bytes: an upper bound on the document's size, for the size limit. */
  private _approxBytes: number
  /**
   * While the room belongs to a purged note: what the purged room held (state vector). Updates
   * must bring content it never had. Null once the note is back, or for any other room.
   */
  private purgedState: Uint8Array | null
  /** `<workspace>/<room>`, for logs and hook payloads. */
  readonly name: string
  /** Set when several relays share the storage: rooms then follow each other's room sequences. */
  private readonly shared: SharedDocStorage | null
  /** Shared storage: every entry up to this room sequence is in the document. */
  private roomSeq: number
  /** Shared storage: entries announced ahead of a gap (null: our own, already in the document). */
  private readonly early = new Map<number, Uint8Array | null>()
  private catchingUp: Promise<void> | null = null
  /**
   * Our own append is on its way: its room sequence is not known yet, so a gap in what other
   * relays announced may be ours and is not worth a read until it resolves.
   */
  private appending = false
  /** Presence client ids announced by other relays (their clients), for expiry. */
  private readonly remotePresence = new Set<number>()
  private catchUpTimer: NodeJS.Timeout | null = null

  private constructor(
    readonly id: RoomId,
    private readonly storage: DocStorage,
    private readonly log: Logger,
    private readonly options: RoomOptions,
    stored: { state: Uint8Array | null; roomSeq: number; entries: number; bytes: number; purged: Uint8Array | null },
  ) {
    this.name = roomLabel(id)
    this.shared = isSharedDocStorage(storage) ? storage : null
    this.roomSeq = stored.roomSeq
    this.entriesSinceCompaction = stored.entries
    this.compactThreshold = Math.max(2, Math.round(options.compactAfter * (0.75 + Math.random() * 0.5)))
    this._approxBytes = stored.bytes
    this.dormantState = stored.state
    // What is stored is durable, whether or not all of it could be integrated yet.
    this._storedStateVector = stored.state ? Y.encodeStateVectorFromUpdate(stored.state) : EMPTY_STATE_VECTOR
    this.purgedState = stored.purged
  }

  /** The shared document, rebuilt from its encoded state if the room was hibernating. */
  get doc(): Y.Doc {
    if (this.destroyed) throw new Error(`Room ${this.name}: doc used after destroy()`)
    this.lastDocUse = performance.now()
    if (this.liveDoc) return this.liveDoc
    const doc = new Y.Doc()
    if (this.dormantState) Y.applyUpdate(doc, this.dormantState, LOAD_ORIGIN)
    this.dormantState = null
    doc.on('update', this.onDocUpdate)
    this.liveDoc = doc
    return doc
  }

  get hibernating(): boolean {
    return this.liveDoc === null
  }

  /** Releases the Y.Doc if nobody used it for `hibernateAfterMs` and everything is stored. */
  hibernateIfIdle(now: number): boolean {
    const doc = this.liveDoc
    if (!doc || now - this.lastDocUse < this.options.hibernateAfterMs) return false
    if (this.pending.length > 0 || this.writing || this.retry) return false
    this.dormantState = Y.encodeStateAsUpdate(doc)
    doc.off('update', this.onDocUpdate)
    doc.destroy()
    this.liveDoc = null
    // The encoding just made is a snapshot: storing it is the cheapest compaction there is.
    if (this.entriesSinceCompaction > 1) this.options.requestCompaction(this)
    return true
  }

  static async load(id: RoomId, storage: DocStorage, log: Logger, options: RoomOptions): Promise<Room> {
    // Shared storage reads the state with the room sequence it is complete to, in one read: the
    // room then follows the other relays from exactly there.
    const loaded = isSharedDocStorage(storage) ? storage.loadWithSeq(id) : storage.load(id).then((state) => ({ state, roomSeq: 0 }))
    const [{ state, roomSeq }, entries, bytes, purged] = await Promise.all([loaded, storage.entryCount(id), storage.byteSize(id), options.purgedStateOf?.(id) ?? null])
    return new Room(id, storage, log, options, { state, roomSeq, entries, bytes, purged })
  }

  get peerCount(): number {
    return this.peers.size
  }

  get pendingCount(): number {
    return this.pending.length
  }

  get approxBytes(): number {
    return this._approxBytes
  }

  /** The state vector of everything durably stored. */
  get storedStateVector(): Uint8Array {
    return this._storedStateVector
  }

  addPeer(peer: Peer): void {
    if (this.destroyed) throw new Error(`Room ${this.name}: addPeer after destroy()`)
    this.peers.set(peer, new Set())
  }

  removePeer(peer: Peer): void {
    const introduced = this.peers.get(peer)
    if (!introduced) return
    this.peers.delete(peer)
    for (const [id, claimant] of this.claimants) if (claimant === peer) this.claimants.delete(id)
    const owned = [...introduced].filter((id) => this.awarenessOwners.get(id) === peer)
    const removed: number[] = []
    for (const id of owned) {
      // A connection that claimed this id while the leaving one held it (the same device on a new
      // socket) inherits it without a removal: a removal would bump the id's clock past the
      // state the device re-sent, and every peer would ignore that state until its renewal.
      const claimant = this.claimants.get(id)
      this.claimants.delete(id)
      const heir = claimant ? this.peers.get(claimant) : undefined
      if (claimant && heir) {
        this.awarenessOwners.set(id, claimant)
        heir.add(id)
      } else {
        this.awarenessOwners.delete(id)
        removed.push(id)
      }
    }
    if (removed.length > 0) awarenessProtocol.removeAwarenessStates(this.presence.asAwareness(), removed, peer)
  }

  /**
   * Decides whether `peer` may apply an awareness update with these entries. Stock clients echo
   * every presence change they receive, so entries no newer than what the room holds change
   * nothing and are allowed. A real change to a client id held by another connection is refused,
   * unless that connection has the same identity (a reconnect with the same token) or has been
   * silent past the awareness timeout (its socket is dead but not yet closed).
   */
  claimAwareness(peer: Peer, entries: readonly { clientId: number; clock: number; state: unknown }[]): PresenceRefusal | null {
    const introduced = this.peers.get(peer)
    if (!introduced) return 'held-by-another'
    const changes = entries.filter((e) => !this.isEcho(e)).map((e) => e.clientId)
    const now = performance.now()
    const holders = new Set<Peer>()
    for (const id of changes) {
      const owner = this.awarenessOwners.get(id)
      if (owner && owner !== peer && owner.identity !== peer.identity && now - owner.lastSeen < AWARENESS_STALE_MS) holders.add(owner)
    }
    if (holders.size > 0) {
      for (const id of changes) if (this.awarenessOwners.get(id) !== peer) this.claimants.set(id, peer)
      // Most often the same device, back from sleep while its old socket still hangs: the holder
      // must prove it is alive; if it is not, it is dropped and the claim succeeds on retry.
      for (const holder of holders) holder.probeLiveness()
      return 'held-by-another'
    }
    const fresh = changes.filter((id) => !introduced.has(id))
    if (introduced.size + fresh.length > MAX_AWARENESS_IDS_PER_PEER) return 'too-many-ids'
    for (const id of changes) {
      const owner = this.awarenessOwners.get(id)
      if (owner && owner !== peer) this.peers.get(owner)?.delete(id)
      this.awarenessOwners.set(id, peer)
      introduced.add(id)
    }
    return null
  }

  private isEcho({ clientId, clock, state }: { clientId: number; clock: number; state: unknown }): boolean {
    const meta = this.presence.meta.get(clientId)
    if (!meta) return false
    // Same rule as applyAwarenessUpdate: only a newer clock, or a removal at the same clock, changes anything.
    return clock < meta.clock || (clock === meta.clock && !(state === null && this.presence.states.has(clientId)))
  }

  /**
   * Whether a peer's update may be applied. Always, unless the room belongs to a note that was
   * deleted forever and purged: then only an update that inserts content the purged room never
   * had (typed on a device offline past the purge) is taken, and the room stops guarding, since
   * the note comes back with it. A copy of what was purged, from a device that has not heard of
   * the delete, is refused: storing it would undo the purge.
   */
  admitUpdate(update: DecodedUpdate): boolean {
    const purged = this.purgedState
    if (purged === null) return true
    if (update.structs.length === 0 && update.ds.clients.size === 0) return true
    if (insertsBeyond(update.structs, Y.decodeStateVector(purged))) {
      this.purgedState = null
      this.log.info({ room: this.name }, 'content a purged note never had arrived: stored, and the note comes back')
      return true
    }
    return false
  }

  /** The note this room belongs to came back (content in its other room): admit every update. */
  stopGuarding(): void {
    this.purgedState = null
  }

  /** Closes every peer's connection (the room is about to be purged). */
  closePeers(code: CloseCodeName, reason: string): void {
    for (const peer of [...this.peers.keys()]) peer.close(code, reason)
  }

  /** Applies a peer's document update (already validated by the caller). */
  applyClientUpdate(update: Uint8Array, peer: Peer): void {
    Y.applyUpdate(this.doc, update, peer)
  }

  /** Applies a peer's presence update (ownership already checked by `claimAwareness`). */
  applyPresenceUpdate(update: Uint8Array, peer: Peer): void {
    awarenessProtocol.applyAwarenessUpdate(this.presence.asAwareness(), update, peer)
  }

  /** A frame with the given clients' presence (all of them when omitted). */
  encodePresence(clients: readonly number[] = [...this.presence.states.keys()]): Uint8Array {
    return encodeAwarenessUpdate(this.presence.asAwareness(), clients)
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
    if (this.entriesSinceCompaction > 1) await this.compact()
    this.destroyed = true
    if (this.catchUpTimer) clearTimeout(this.catchUpTimer)
    this.catchUpTimer = null
    this.liveDoc?.off('update', this.onDocUpdate)
    this.liveDoc?.destroy()
    this.liveDoc = null
    this.dormantState = null
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === LOAD_ORIGIN) return
    if (origin === REMOTE_ORIGIN) {
      // Stored already (by the relay that received it), and its content change recorded there.
      this._approxBytes += update.byteLength
      const out = this.queueOutgoing()
      out.updates.push(update)
      out.origins.add(origin)
      return
    }
    this.options.hooks.onContentChanged({ room: this.id })
    this.pending.push(update)
    this._approxBytes += update.byteLength
    if (!this.writing && !this.retry) this.writing = this.write()
    if (!this.outgoing && this.peers.size <= SEND_AT_ONCE_MAX_PEERS) {
      const frame = encodeSyncUpdate(update)
      for (const peer of this.peers.keys()) if (peer !== origin) peer.send(frame)
      this.queueOutgoing() // so that later updates this turn wait for its end, merged
      return
    }
    const out = this.queueOutgoing()
    out.updates.push(update)
    out.origins.add(origin)
  }

  /**
   * Everything that arrives in one event-loop turn goes out as one frame per peer: updates
   * merged, presence collapsed to each changed client's latest state. Under load this keeps a
   * busy room from falling behind (a burst after any pause costs one frame per peer, not one per
   * update), and it adds no delay: setImmediate runs right after the turn's socket reads.
   */
  private queueOutgoing(): NonNullable<Room['outgoing']> {
    if (!this.outgoing) {
      this.outgoing = { updates: [], origins: new Set(), presence: new Set(), localPresence: new Set() }
      setImmediate(this.flushOutgoing)
    }
    return this.outgoing
  }

  private readonly flushOutgoing = (): void => {
    const out = this.outgoing
    this.outgoing = null
    if (!out || this.destroyed) return
    if (out.updates.length > 0) {
      const frame = encodeSyncUpdate(out.updates.length === 1 ? out.updates[0]! : Y.mergeUpdates(out.updates))
      // A peer needs no echo of what only it sent; with several senders, everyone gets the merge
      // (applying one's own update again is a no-op in Yjs).
      const [onlyOrigin] = out.origins.size === 1 ? out.origins : [undefined]
      for (const peer of this.peers.keys()) if (peer !== onlyOrigin) peer.send(frame)
      // Another relay's updates are durable: if nothing of ours is waiting, all the document holds is.
      if (out.origins.has(REMOTE_ORIGIN) && this.pending.length === 0 && !this.writing && !this.retry) {
        this._storedStateVector = Y.encodeStateVector(this.doc)
        this.sendStored()
      }
    }
    if (out.presence.size > 0) {
      const frame = this.encodePresence([...out.presence])
      for (const peer of this.peers.keys()) peer.send(frame)
    }
    if (out.localPresence.size > 0 && this.options.fanout) {
      this.options.fanout.presence(this, awarenessProtocol.encodeAwarenessUpdate(this.presence.asAwareness(), [...out.localPresence]))
    }
  }

  private onPresenceUpdate({ added, updated, removed }: PresenceChanges, origin: unknown): void {
    const { presence, localPresence } = this.queueOutgoing()
    const remote = origin === REMOTE_ORIGIN
    if (remote) {
      for (const id of added) this.remotePresence.add(id)
      for (const id of removed) this.remotePresence.delete(id)
    }
    for (const ids of [added, updated, removed]) {
      for (const id of ids) {
        presence.add(id)
        if (!remote) localPresence.add(id)
      }
    }
  }

  /**
   * Drops presence announced by other relays that was not renewed within the awareness timeout: a
   * relay that died never announced its clients leaving. Returns how many were dropped.
   */
  expireRemotePresence(now = Date.now()): number {
    const stale: number[] = []
    for (const id of this.remotePresence) {
      const meta = this.presence.meta.get(id)
      if (this.awarenessOwners.has(id)) this.remotePresence.delete(id) // a client here took it over
      else if (!meta || now - meta.lastUpdated > AWARENESS_STALE_MS) stale.push(id)
    }
    for (const id of stale) this.remotePresence.delete(id)
    const present = stale.filter((id) => this.presence.states.has(id))
    if (present.length > 0) awarenessProtocol.removeAwarenessStates(this.presence.asAwareness(), present, REMOTE_ORIGIN)
    return stale.length
  }

  /** Presence from a client of another relay. */
  applyRemotePresence(update: Uint8Array): void {
    if (this.destroyed) return
    awarenessProtocol.applyAwarenessUpdate(this.presence.asAwareness(), update, REMOTE_ORIGIN)
  }

  /**
   * Another relay stored `update` at `roomSeq`. The next one in sequence is applied at once; one
   * ahead of a gap waits briefly for the missing ones (relays publish in parallel, so order
   * between them is not kept), then the room reads what it missed from storage.
   */
  applyRemoteUpdate(roomSeq: number, update: Uint8Array): void {
    if (this.destroyed || !this.shared || roomSeq <= this.roomSeq) return
    this.early.set(roomSeq, update)
    this.drainEarly()
  }

  /** Our own batch was stored at `roomSeq` (it is in the document already). */
  private storedAt(roomSeq: number): void {
    if (roomSeq <= this.roomSeq) return
    this.early.set(roomSeq, null)
    this.drainEarly()
  }

  private drainEarly(): void {
    for (let next = this.early.get(this.roomSeq + 1); next !== undefined; next = this.early.get(this.roomSeq + 1)) {
      this.early.delete(this.roomSeq + 1)
      this.roomSeq += 1
      if (next) Y.applyUpdate(this.doc, next, REMOTE_ORIGIN)
    }
    if (this.early.size > 0 && !this.catchUpTimer && !this.appending) {
      this.catchUpTimer = setTimeout(() => {
        this.catchUpTimer = null
        if (this.early.size > 0) void this.catchUp()
      }, GAP_GRACE_MS)
    }
  }

  /**
   * Reads from shared storage every entry after the room's sequence and applies it: after a gap,
   * after Redis reconnects (messages were lost meanwhile), and once after load (messages that
   * arrived while the room loaded). A storage failure is retried.
   */
  catchUp(): Promise<void> {
    const shared = this.shared
    if (!shared || this.destroyed) return Promise.resolve()
    this.catchingUp ??= (async () => {
      try {
        const { update, roomSeq } = await shared.loadSince(this.id, this.roomSeq)
        if (this.destroyed) return
        if (update) Y.applyUpdate(this.doc, update, REMOTE_ORIGIN)
        if (roomSeq > this.roomSeq) this.roomSeq = roomSeq
        for (const seq of this.early.keys()) if (seq <= this.roomSeq) this.early.delete(seq)
      } catch (err) {
        this.log.warn({ room: this.name, err }, 'could not read what other relays stored; retrying')
        if (!this.catchUpTimer && !this.destroyed) {
          this.catchUpTimer = setTimeout(() => {
            this.catchUpTimer = null
            void this.catchUp()
          }, RETRY_MIN_MS * 4)
        }
      } finally {
        this.catchingUp = null
      }
      this.drainEarly()
    })()
    return this.catchingUp
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
    // Every update the doc holds is either stored or in this batch, so once the batch is stored
    // the doc's current state vector is durable.
    const stateVector = Y.encodeStateVector(this.liveDoc ?? this.doc)
    const started = performance.now()
    try {
      const merged = batch.length === 1 ? batch[0]! : Y.mergeUpdates(batch)
      let roomSeq = 0
      if (this.shared) {
        this.appending = true
        try {
          ;({ entry: this.lastStoredSeq, roomSeq } = await this.shared.appendInRoom(this.id, merged))
        } finally {
          this.appending = false
          // Gaps that waited for this append are looked at again (a timer that finds them
          // filled by what follows does nothing).
          this.drainEarly()
        }
      } else this.lastStoredSeq = await this.storage.append(this.id, merged)
      this.options.hooks.onPersisted({ room: this.name, updates: batch.length, bytes: merged.byteLength, seconds: (performance.now() - started) / 1000 })
      this.retryDelay = RETRY_MIN_MS
      // With shared storage the document may meanwhile have taken other relays' updates, which
      // are durable too: with nothing of ours queued, everything it holds is stored.
      this._storedStateVector = this.shared && this.pending.length === 0 && this.liveDoc ? Y.encodeStateVector(this.liveDoc) : stateVector
      this.sendStored()
      if (this.shared) {
        // Only after COMMIT, and after our own peers heard it is stored: other relays see
        // nothing that could still be lost.
        this.storedAt(roomSeq)
        this.options.fanout?.stored(this, roomSeq, merged)
      }
      this.entriesSinceCompaction += 1
      // At or past the threshold, not exactly at it: writes made while a compaction ran are not
      // in it, and with steady typing the count can pass the threshold during that time.
      if (this.entriesSinceCompaction >= this.compactThreshold && !this.compactionRequested) {
        this.compactionRequested = true
        this.options.requestCompaction(this)
      }
    } catch (error) {
      this.pending = batch.concat(this.pending)
      this.options.hooks.onStorageError({ room: this.name, error })
      this.log.error({ room: this.name, err: error, updates: batch.length, retryInMs: this.retryDelay }, 'storage write failed; keeping updates in memory')
      this.scheduleRetry()
    } finally {
      this.writing = null
    }
    if (this.pending.length > 0 && !this.retry) this.writing = this.write()
  }

  private sendStored(): void {
    let frame: Uint8Array | null = null
    for (const peer of this.peers.keys()) {
      if (!peer.wantsStored) continue
      frame ??= encodeStored(this._storedStateVector)
      peer.send(frame)
    }
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

  /**
   * Replaces the stored log up to the last stored entry with a snapshot of the document. The
   * document holds everything stored (and perhaps updates still queued, which only makes the
   * snapshot a superset), so no stored update is lost; entries stored meanwhile stay after it.
   */
  async compact(): Promise<void> {
    try {
      await this.compactOnce()
    } finally {
      this.compactionRequested = false
    }
  }

  private async compactOnce(): Promise<void> {
    if (this.destroyed || this.lastStoredSeq === 0 || this.entriesSinceCompaction < 2) return
    const started = performance.now()
    if (this.shared) {
      const counted = this.entriesSinceCompaction
      try {
        const result = await compactShared(this.shared, this.id, 2, this.options.hooks)
        if (result !== 'busy') this.entriesSinceCompaction -= counted - 1
      } catch (err) {
        this.log.warn({ room: this.name, err }, 'compaction failed')
      }
      return
    }
    const upTo = this.lastStoredSeq
    const counted = this.entriesSinceCompaction
    const state = this.liveDoc ? Y.encodeStateAsUpdate(this.liveDoc) : this.dormantState
    if (!state) return
    try {
      await this.storage.replace(this.id, state, upTo)
      this.entriesSinceCompaction -= counted - 1
      this._approxBytes = state.byteLength + this.pending.reduce((n, u) => n + u.byteLength, 0)
      this.options.hooks.onCompaction({ room: this.name, seconds: (performance.now() - started) / 1000 })
    } catch (err) {
      // The log is still complete; compaction is only an optimisation and is tried again later.
      this.log.warn({ room: this.name, err }, 'compaction failed')
    }
  }
}
