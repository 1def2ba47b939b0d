import type { Logger } from 'pino'
import { roomLabel, type RoomId } from '../room-id.js'
import type { Room, RoomFanout } from '../room.js'
import type { BusEnvelope } from './bus-message.js'
import { RedisBus, type BusObserver } from './redis-bus.js'

const ROOM_CHANNEL = 'skein:room:'
const FEED_CHANNEL = 'skein:feed'
const AUTH_CHANNEL = 'skein:auth'

/** Where the fan-out finds the rooms this relay holds, and what it does with workspace-wide news. */
export interface FanoutTargets {
  /** The room if it is loaded here (announcements for rooms not in memory are dropped). */
  loadedRoom(room: RoomId): Room | undefined
  /** Every loaded room, to catch up after Redis was away. */
  loadedRooms(): Iterable<Room>
  /** A metadata change committed on another relay. */
  feedChanged(workspace: string): void
  /** Tokens revoked on another relay. */
  revoked(tokenIds: readonly string[]): void
  /** Rooms another relay purged: drop them from memory without storing. */
  purged(rooms: readonly RoomId[]): void
}

/**
 * Connects relays that share one PostgreSQL through Redis pub/sub: a room's stored updates and
 * presence go to the relays holding that room (one channel per room, subscribed while loaded);
 * feed commits, revocations and purges go to every relay. Only what is durable is announced, and
 * every announcement can be lost: rooms follow room sequences and read gaps from storage.
 */
export class Fanout implements RoomFanout {
  private readonly bus: RedisBus
  private targets: FanoutTargets | null = null
  /** Loads of a room under way or done, per room: the channel stays while any holds it. */
  private readonly holds = new Map<string, number>()

  constructor(
    url: string,
    relayId: string,
    private readonly log: Logger,
    observer: BusObserver,
  ) {
    this.bus = new RedisBus({
      url,
      relayId,
      log,
      observer,
      onMessage: (envelope) => this.receive(envelope),
      onResubscribed: () => {
        for (const room of this.targets?.loadedRooms() ?? []) void room.catchUp()
      },
    })
    void this.bus.subscribe(FEED_CHANNEL)
    void this.bus.subscribe(AUTH_CHANNEL)
  }

  attach(targets: FanoutTargets): void {
    this.targets = targets
  }

  get status(): { up: boolean; lastError: string | null } {
    return this.bus.status
  }

  /**
   * Before a room loads: its channel is subscribed first, so every update stored after the load's
   * read is announced to us (the room catches up once after loading for those announced meanwhile).
   */
  async hold(room: RoomId): Promise<void> {
    const channel = ROOM_CHANNEL + roomLabel(room)
    this.holds.set(channel, (this.holds.get(channel) ?? 0) + 1)
    await this.bus.subscribe(channel)
  }

  release(room: RoomId): void {
    const channel = ROOM_CHANNEL + roomLabel(room)
    const n = (this.holds.get(channel) ?? 1) - 1
    if (n > 0) return void this.holds.set(channel, n)
    this.holds.delete(channel)
    this.bus.unsubscribe(channel)
  }

  stored(room: Room, roomSeq: number, update: Uint8Array): void {
    this.bus.publish(ROOM_CHANNEL + room.name, { kind: 'update', room: room.id, roomSeq, update })
  }

  presence(room: Room, update: Uint8Array): void {
    this.bus.publish(ROOM_CHANNEL + room.name, { kind: 'presence', room: room.id, update })
  }

  feedCommitted(workspace: string): void {
    this.bus.publish(FEED_CHANNEL, { kind: 'feed', workspace })
  }

  revoked(tokenIds: readonly string[]): void {
    if (tokenIds.length > 0) this.bus.publish(AUTH_CHANNEL, { kind: 'revoke', tokenIds: [...tokenIds] })
  }

  purged(rooms: readonly RoomId[]): void {
    if (rooms.length > 0) this.bus.publish(FEED_CHANNEL, { kind: 'purge', rooms: [...rooms] })
  }

  ping(): Promise<number> {
    return this.bus.ping()
  }

  close(): Promise<void> {
    return this.bus.close()
  }

  private receive({ message }: BusEnvelope): void {
    try {
      this.deliver(message)
    } catch (err) {
      // A relay of another version, or a bug: one bad message must not stop the subscription.
      this.log.warn({ err, kind: message.kind }, 'could not apply a message from another relay')
    }
  }

  private deliver(message: BusEnvelope['message']): void {
    const targets = this.targets
    if (!targets) return
    switch (message.kind) {
      case 'update':
        targets.loadedRoom(message.room)?.applyRemoteUpdate(message.roomSeq, message.update)
        return
      case 'presence':
        targets.loadedRoom(message.room)?.applyRemotePresence(message.update)
        return
      case 'feed':
        return targets.feedChanged(message.workspace)
      case 'revoke':
        return targets.revoked(message.tokenIds)
      case 'purge':
        return targets.purged(message.rooms)
    }
  }
}
