import type { Logger } from 'pino'
import { roomLabel, type RoomId } from './room-id.js'
import { Room, type RoomOptions } from './room.js'
import type { DocStorage } from './storage/types.js'

export interface RoomRegistryOptions extends Omit<RoomOptions, 'requestCompaction'> {
  /** How long a room with no peers stays in memory, so quick reconnects don't reload it. */
  unloadAfterMs: number
  /**
   * With relays sharing storage: a room's announcements are subscribed (`hold`) before it loads
   * and dropped (`release`) after it unloads.
   */
  subscriptions?: { hold(room: RoomId): Promise<void>; release(room: RoomId): void }
}

/**
 * Loads rooms on first use, shares one Room per RoomId (its maps are keyed by the room's label), and unloads rooms nobody is connected to.
 * An unload flushes before it forgets the room, and a room being unloaded is not loaded again
 * until that flush is done, so a reload always sees every stored update.
 */
export class RoomRegistry {
  private readonly rooms = new Map<string, Promise<Room>>()
  private readonly unloading = new Map<string, Promise<void>>()
  /** Rooms kept out of memory by `withRoomsClosed` until its work is done. */
  private readonly blocked = new Map<string, Promise<void>>()
  private readonly unloadTimers = new Map<string, NodeJS.Timeout>()
  /** Rooms whose load finished, for synchronous inspection (metrics). */
  private readonly loaded = new Map<string, Room>()
  private readonly compactionQueue = new Set<Room>()
  private compacting = false
  private readonly roomOptions: RoomOptions

  constructor(
    private readonly storage: DocStorage,
    private readonly log: Logger,
    private readonly options: RoomRegistryOptions,
  ) {
    this.roomOptions = { ...options, requestCompaction: (room) => this.requestCompaction(room) }
  }

  /**
   * Runs compactions one per event-loop turn, so many rooms reaching their threshold together
   * cost a little latency each instead of one long stall.
   */
  private requestCompaction(room: Room): void {
    this.compactionQueue.add(room)
    if (!this.compacting) this.drainCompactions()
  }

  private drainCompactions(): void {
    this.compacting = true
    setImmediate(() => {
      const next = this.compactionQueue.values().next()
      if (next.done) {
        this.compacting = false
        return
      }
      this.compactionQueue.delete(next.value)
      void next.value.compact().finally(() => this.drainCompactions())
    })
  }

  get loadedCount(): number {
    return this.rooms.size
  }

  /** Hibernates every loaded room whose document has been idle long enough; returns how many. */
  hibernateIdle(now = performance.now()): number {
    let n = 0
    for (const room of this.loaded.values()) if (room.hibernateIfIdle(now)) n++
    return n
  }

  /** Drops presence of other relays' clients that went stale (their relay died); returns how many. */
  expireRemotePresence(now = Date.now()): number {
    let n = 0
    for (const room of this.loaded.values()) n += room.expireRemotePresence(now)
    return n
  }

  get hibernatingCount(): number {
    let n = 0
    for (const room of this.loaded.values()) if (room.hibernating) n++
    return n
  }

  /** Updates received but not yet stored, across loaded rooms. */
  get pendingUpdates(): number {
    let n = 0
    for (const room of this.loaded.values()) n += room.pendingCount
    return n
  }

  /** The loaded room, for inspection; undefined while it is not in memory. */
  async peek(id: RoomId): Promise<Room | undefined> {
    return this.rooms.get(roomLabel(id))
  }

  /** Every room whose load has finished. */
  loadedRooms(): IterableIterator<Room> {
    return this.loaded.values()
  }

  /** The room if its load has finished, without waiting or loading. */
  loadedRoom(id: RoomId): Room | undefined {
    return this.loaded.get(roomLabel(id))
  }

  async acquire(id: RoomId): Promise<Room> {
    const name = roomLabel(id)
    this.cancelUnload(name)
    let room = this.rooms.get(name)
    if (!room) {
      const load = (async () => {
        for (let wait = this.blocked.get(name) ?? this.unloading.get(name); wait; wait = this.blocked.get(name) ?? this.unloading.get(name)) await wait
        const subscriptions = this.options.subscriptions
        await subscriptions?.hold(id)
        let room: Room
        try {
          room = await Room.load(id, this.storage, this.log, this.roomOptions)
        } catch (err) {
          subscriptions?.release(id)
          throw err
        }
        this.loaded.set(name, room)
        this.options.hooks.onRoomLoaded({ room: name })
        // Updates announced while the load read storage were dropped (the room was not loaded yet).
        if (subscriptions) void room.catchUp()
        return room
      })()
      room = load
      this.rooms.set(name, room)
      load.catch(() => {
        if (this.rooms.get(name) === load) this.rooms.delete(name)
      })
    }
    return room
  }

  /** Call when a peer left: unloads the room after the grace period if it is still empty. */
  release(room: Room): void {
    // A room already unloaded (purged under its peers) is not the one loaded under its name now.
    if (this.loaded.get(room.name) !== room) return
    if (room.peerCount > 0 || this.unloadTimers.has(room.name)) return
    const timer = setTimeout(() => {
      this.unloadTimers.delete(room.name)
      if (room.peerCount === 0 && this.loaded.get(room.name) === room) void this.unload(room)
    }, this.options.unloadAfterMs)
    this.unloadTimers.set(room.name, timer)
  }

  /** Flushes and unloads every room. */
  async closeAll(): Promise<void> {
    for (const timer of this.unloadTimers.values()) clearTimeout(timer)
    this.unloadTimers.clear()
    const rooms = await Promise.allSettled(this.rooms.values())
    await Promise.all(rooms.map((r) => (r.status === 'fulfilled' ? this.unload(r.value) : undefined)))
    await Promise.all(this.unloading.values())
  }

  private cancelUnload(name: string): void {
    const timer = this.unloadTimers.get(name)
    if (timer) {
      clearTimeout(timer)
      this.unloadTimers.delete(name)
    }
  }

  /**
   * Runs `work` while the named rooms are out of memory and stay out: each loaded room is told to
   * `evict` (close its peers), flushed and unloaded first; a room asked for meanwhile loads only
   * once `work` is done, from what storage holds then.
   */
  async withRoomsClosed<T>(ids: readonly RoomId[], evict: (room: Room) => void, work: () => Promise<T>): Promise<T> {
    const names = [...new Set(ids.map(roomLabel))]
    let open!: () => void
    const gate = new Promise<void>((resolve) => (open = resolve))
    const previous: Promise<Room>[] = []
    for (const name of names) {
      this.cancelUnload(name)
      const room = this.rooms.get(name)
      // From here on a new `acquire` starts a load that waits for the gate.
      this.rooms.delete(name)
      if (room) previous.push(room)
      this.blocked.set(name, gate)
    }
    try {
      await Promise.all(
        previous.map(async (loading) => {
          const room = await loading.catch(() => null)
          if (!room) return
          evict(room)
          await this.unload(room)
        }),
      )
      await Promise.all(names.map((name) => this.unloading.get(name)))
      return await work()
    } finally {
      for (const name of names) if (this.blocked.get(name) === gate) this.blocked.delete(name)
      open()
    }
  }

  private async unload(room: Room): Promise<void> {
    this.compactionQueue.delete(room)
    if (this.loaded.get(room.name) === room) {
      // Only the maps' entries for this room: `withRoomsClosed` may have a new load under its name.
      if (!this.blocked.has(room.name)) this.rooms.delete(room.name)
      this.loaded.delete(room.name)
    }
    const done = room
      .destroy()
      .then(() => this.options.hooks.onRoomUnloaded({ room: room.name }))
      .finally(() => this.options.subscriptions?.release(room.id))
      .catch((err: unknown) => this.log.error({ err, room: room.name }, 'room unload failed'))
      .finally(() => {
        if (this.unloading.get(room.name) === done) this.unloading.delete(room.name)
      })
    this.unloading.set(room.name, done)
    await done
  }
}
