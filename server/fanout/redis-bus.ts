import { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { BusMessageError, decodeBusMessage, encodeBusMessage, type BusEnvelope, type BusMessage } from './bus-message.js'

/** What the bus reports to metrics. */
export interface BusObserver {
  /** A round trip to Redis (PING) took this long. */
  roundTrip(seconds: number): void
  /** A Redis command or connection failed. */
  error(): void
  /** A message from another relay arrived this long after it was sent. */
  lag(seconds: number): void
}

export interface RedisBusOptions {
  url: string
  /** This relay's id: its own messages come back from Redis and are dropped. */
  relayId: string
  log: Logger
  observer: BusObserver
  onMessage(envelope: BusEnvelope): void
  /**
   * Called each time the subscription is (re)established, after the channels are subscribed
   * again: messages sent while it was down are lost, and whoever relies on them reads storage.
   */
  onResubscribed(): void
}

const PING_INTERVAL_MS = 5_000

/**
 * Relay-to-relay messages over Redis pub/sub: one connection publishes, one subscribes. Redis
 * keeps nothing here; while it is down, publishes fail fast (no offline queue that could grow
 * without bound), the relay keeps storing writes, and on reconnect every channel is subscribed
 * again and `onResubscribed` lets rooms read what they missed from PostgreSQL.
 */
export class RedisBus {
  private readonly pub: Redis
  private readonly sub: Redis
  private readonly channels = new Set<string>()
  private readonly pinger: NodeJS.Timeout
  private closed = false
  private lastError: string | null = null

  constructor(private readonly options: RedisBusOptions) {
    const common = {
      // Fail commands at once while disconnected instead of queueing them.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
      retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 5), 2_000),
      connectTimeout: 3_000,
      // A Redis that stops answering (not refusing) must not hold up a room's load on its
      // subscribe: the room catches up from PostgreSQL once the subscription is back.
      commandTimeout: 2_000,
    }
    this.pub = new Redis(options.url, { ...common, connectionName: `skein-pub-${options.relayId}` })
    // The subscriber's channels are ours to restore, so we know when they are back.
    this.sub = new Redis(options.url, { ...common, autoResubscribe: false, connectionName: `skein-sub-${options.relayId}` })
    for (const [name, client] of [['publisher', this.pub], ['subscriber', this.sub]] as const) {
      client.on('error', (err: Error) => {
        if (this.lastError !== err.message) options.log.warn({ connection: name, err: err.message }, 'redis connection error; fan-out between relays is degraded')
        this.lastError = err.message
        options.observer.error()
      })
    }
    this.sub.on('ready', () => void this.resubscribe())
    this.sub.on('messageBuffer', (_channel: Buffer, payload: Buffer) => this.receive(payload))
    // Failures are counted inside ping(); the interval only measures.
    this.pinger = setInterval(() => this.ping().catch(() => undefined), PING_INTERVAL_MS)
    this.pinger.unref()
  }

  /** Both connections are up. */
  get up(): boolean {
    return this.pub.status === 'ready' && this.sub.status === 'ready'
  }

  get status(): { up: boolean; lastError: string | null } {
    return { up: this.up, lastError: this.up ? null : this.lastError }
  }

  /** Subscribes now if connected; otherwise when the connection comes back. Never waits for Redis to recover. */
  async subscribe(channel: string): Promise<void> {
    if (this.channels.has(channel)) return
    this.channels.add(channel)
    if (this.sub.status !== 'ready') return
    try {
      await this.sub.subscribe(channel)
    } catch (err) {
      this.failed('subscribe', err)
      this.retrySubscribe(channel)
    }
  }

  /**
   * A subscribe that timed out on a connection that stayed up is tried again, and rooms then
   * catch up on what they missed meanwhile (a reconnect does both by itself).
   */
  private retrySubscribe(channel: string): void {
    const retry = setTimeout(() => {
      if (this.closed || !this.channels.has(channel) || this.sub.status !== 'ready') return
      this.sub.subscribe(channel).then(
        () => this.options.onResubscribed(),
        (err: unknown) => {
          this.failed('subscribe', err)
          this.retrySubscribe(channel)
        },
      )
    }, 1_000)
    retry.unref()
  }

  unsubscribe(channel: string): void {
    if (!this.channels.delete(channel) || this.sub.status !== 'ready') return
    this.sub.unsubscribe(channel).catch((err: unknown) => this.failed('unsubscribe', err))
  }

  /** Best effort: a message lost here is found later in storage by whoever needs it. */
  publish(channel: string, message: BusMessage): void {
    if (this.closed || this.pub.status !== 'ready') return
    const bytes = encodeBusMessage({ from: this.options.relayId, sentAt: Date.now(), message })
    this.pub.publish(channel, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).catch((err: unknown) => this.failed('publish', err))
  }

  /** Measures a round trip; rejects when Redis cannot be reached. */
  async ping(): Promise<number> {
    if (this.closed) return 0
    const started = performance.now()
    try {
      await this.pub.ping()
    } catch (err) {
      this.failed('ping', err)
      throw err
    }
    const seconds = (performance.now() - started) / 1000
    this.options.observer.roundTrip(seconds)
    return seconds
  }

  async close(): Promise<void> {
    this.closed = true
    clearInterval(this.pinger)
    this.pub.disconnect()
    this.sub.disconnect()
  }

  private async resubscribe(): Promise<void> {
    try {
      if (this.channels.size > 0) await this.sub.subscribe(...this.channels)
      this.options.log.info({ channels: this.channels.size }, 'redis subscription ready')
      this.lastError = null
      this.options.onResubscribed()
    } catch (err) {
      this.failed('resubscribe', err)
    }
  }

  private receive(payload: Buffer): void {
    let envelope: BusEnvelope
    try {
      envelope = decodeBusMessage(new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength))
    } catch (err) {
      if (!(err instanceof BusMessageError)) throw err
      this.options.log.warn({ err: err.message }, 'dropped a malformed message from redis')
      this.options.observer.error()
      return
    }
    if (envelope.from === this.options.relayId) return
    this.options.observer.lag(Math.max(0, Date.now() - envelope.sentAt) / 1000)
    this.options.onMessage(envelope)
  }

  private failed(what: string, err: unknown): void {
    this.options.observer.error()
    this.options.log.debug({ err: (err as Error).message, what }, 'redis command failed')
  }
}
