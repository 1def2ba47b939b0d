// Moves metadata between the catalog and the relay: drains the outbox in batches (in order per
// entity, capped exponential backoff with jitter on transient errors, refusals failed at once)
// and long-polls the change feed. It resumes by itself: on `online`, on focus and on wake (a
// timer that fires late means the machine slept), on a timer, and when the feed reconnects.

import { ValueStore } from '../sync/store'
import type { Catalog } from './catalog'

/** What the sync worker needs of the catalog: the outbox's side and the feed's. */
export type SyncedCatalog = Pick<Catalog, 'takeBatch' | 'settle' | 'defer' | 'retry' | 'applyFeed' | 'cursor' | 'get' | 'nextAttemptAt' | 'oldestPendingAge' | 'subscribe'>
import { LIMITS } from '../../protocol/meta/parse'
import { isTransientStatus, opBytes, type OutboxEntry } from './outbox'

const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`
import { TransportError, type MetaTransport } from './transport'

export interface RelayReach {
  /** `refused`: the relay turned the token away; `offline`: it could not be reached. */
  readonly state: 'connecting' | 'online' | 'offline' | 'refused'
  /** When it went offline or refused (this device's clock; for display). */
  readonly since: number | null
  readonly error: string | null
}

export interface SyncWorkerOptions {
  batchSize?: number
  /** Seconds each change-feed request may wait on the relay for news. */
  feedWaitSeconds?: number
  now?: () => number
  /** Where browser events come from; null in Node tests. */
  events?: Pick<Window, 'addEventListener' | 'removeEventListener'> | null
  /** Whether this page is visible (wake/focus detection); defaults to always. */
  visible?: () => boolean
  /**
   * Which of these notes are open here and proven in step with the relay now (their content
   * changes need no pull); by default none.
   */
  contentInStep?: (noteIds: readonly string[]) => Promise<ReadonlySet<string>>
}

const TICK_MS = 10_000
const FEED_RETRY_MIN_MS = 1_000
const FEED_RETRY_MAX_MS = 30_000

export class SyncWorker {
  readonly reach = new ValueStore<RelayReach>({ state: 'connecting', since: null, error: null })
  private running = false
  private draining: Promise<void> | null = null
  private again = false
  private drainTimer: ReturnType<typeof setTimeout> | null = null
  private tick: ReturnType<typeof setInterval> | null = null
  private lastTick = 0
  private feedAbort: AbortController | null = null
  private feedSleep: { timer: ReturnType<typeof setTimeout>; wake: () => void } | null = null
  private feedLoop: Promise<void> | null = null
  private unsubscribe: (() => void) | null = null
  private readonly batchSize: number
  /** Bytes of ops per request: half the relay's body limit, less after a 413. */
  private batchBytes = LIMITS.opsBodyBytes / 2
  private readonly feedWait: number
  private readonly now: () => number
  private readonly events: SyncWorkerOptions['events']
  private readonly contentInStep: NonNullable<SyncWorkerOptions['contentInStep']>

  constructor(
    private readonly catalog: SyncedCatalog,
    private readonly transport: MetaTransport,
    options: SyncWorkerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 50
    // Short long-polls: a poll that has not been answered by its end plus a grace (the transport's
    // deadline) means the path to the relay is dead, so "online" is never older than about 8 s.
    this.feedWait = options.feedWaitSeconds ?? 5
    this.now = options.now ?? Date.now
    this.events = options.events === undefined ? (typeof window === 'undefined' ? null : window) : options.events
    this.contentInStep = options.contentInStep ?? (() => Promise.resolve(new Set()))
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.unsubscribe = this.catalog.subscribe(() => this.kick())
    this.events?.addEventListener('online', this.resume)
    this.events?.addEventListener('offline', this.resume) // find out now, not when the poll times out
    this.events?.addEventListener('focus', this.resume)
    this.events?.addEventListener('visibilitychange', this.resume)
    this.lastTick = this.now()
    this.tick = setInterval(() => {
      // A tick much later than due: the machine slept. Connections may be dead without knowing it.
      const slept = this.now() - this.lastTick > TICK_MS * 3
      this.lastTick = this.now()
      if (slept) this.resume()
      else this.kick()
    }, TICK_MS)
    this.feedLoop = this.runFeed()
    this.kick()
  }

  async stop(): Promise<void> {
    this.running = false
    this.unsubscribe?.()
    this.events?.removeEventListener('online', this.resume)
    this.events?.removeEventListener('offline', this.resume)
    this.events?.removeEventListener('focus', this.resume)
    this.events?.removeEventListener('visibilitychange', this.resume)
    if (this.tick) clearInterval(this.tick)
    if (this.drainTimer) clearTimeout(this.drainTimer)
    this.feedAbort?.abort()
    this.feedSleep?.wake()
    await Promise.all([this.feedLoop, this.draining])
  }

  /** Start over now: retry times are kept, but the feed reconnects and the outbox is looked at. */
  readonly resume = (): void => {
    if (!this.running) return
    this.feedAbort?.abort()
    this.feedSleep?.wake()
    this.kick()
  }

  /** Drain soon; coalesces bursts of calls into one pass. */
  kick(): void {
    if (!this.running) return
    if (this.draining) {
      this.again = true
      return
    }
    this.draining = this.drain().finally(() => {
      this.draining = null
      if (this.again && this.running) {
        this.again = false
        this.kick()
      } else this.scheduleNext()
    })
  }

  /** Sends batches until nothing is due. Public for tests that step the worker by hand. */
  async drain(): Promise<void> {
    for (;;) {
      const batch = await this.catalog.takeBatch(this.batchSize, this.batchBytes)
      if (batch.length === 0) return
      try {
        const { results } = await this.transport.postOps(
          batch.map((e) => e.op),
          this.catalog.oldestPendingAge(),
        )
        await this.catalog.settle(batch, results)
        this.markReachable()
      } catch (err) {
        const status = err instanceof TransportError ? err.status : null
        const message = err instanceof Error ? err.message : String(err)
        if (status === 413) {
          await this.tooLarge(batch)
          continue
        }
        await this.catalog.defer(batch, message, isTransientStatus(status))
        this.markUnreachable(status, message)
        return
      }
    }
  }

  /**
   * The relay refused the body as too large. Several ops: they go again at once in smaller
   * batches (this relay's limit is lower than LIMITS says). One op: it can never be sent, and
   * says why in Sync details; nothing else waits behind it.
   */
  private async tooLarge(batch: readonly OutboxEntry[]): Promise<void> {
    if (batch.length > 1) {
      this.batchBytes = Math.max(1, Math.floor(Math.min(this.batchBytes, batch.reduce((sum, e) => sum + opBytes(e.op), 0)) / 2))
      await this.catalog.defer(batch, 'batch too large for the relay; sending in smaller batches', true)
      await this.catalog.retry(undefined, 'none') // due now, not at their backoff time
      return
    }
    const size = opBytes(batch[0]!.op)
    await this.catalog.defer(batch, `too large to send: ${megabytes(size)} (the relay accepts up to ${megabytes(LIMITS.opsBodyBytes)} per request)`, false)
  }

  /** One change-feed request; public for tests that step the worker by hand. */
  async pull(waitSeconds = 0, signal?: AbortSignal): Promise<boolean> {
    const page = await this.transport.changes(this.catalog.cursor, waitSeconds, signal)
    // Asked after the page arrived, so "in step" covers every content change it reports.
    const changed = page.entries.filter((e) => e.type === 'note' && e.contentSeq > (this.catalog.get('note', e.id)?.contentPulled ?? 0)).map((e) => e.id)
    const inStep = changed.length > 0 ? await this.contentInStep(changed) : undefined
    await this.catalog.applyFeed(page.entries, page.cursor, inStep)
    this.markReachable()
    return page.more
  }

  private async runFeed(): Promise<void> {
    let failures = 0
    while (this.running) {
      this.feedAbort = new AbortController()
      try {
        const more = await this.pull(this.reach.get().state === 'online' ? this.feedWait : 0, this.feedAbort.signal)
        failures = 0
        if (more) continue
      } catch (err) {
        if (!this.running) return
        if (this.feedAbort.signal.aborted) continue // resume(): go again at once
        const status = err instanceof TransportError ? err.status : null
        this.markUnreachable(status, err instanceof Error ? err.message : String(err))
        failures++
        await this.sleep(Math.min(FEED_RETRY_MAX_MS, FEED_RETRY_MIN_MS * 2 ** (failures - 1)) * (0.5 + Math.random() / 2))
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer)
        this.feedSleep = null
        resolve()
      }
      const timer = setTimeout(wake, ms)
      this.feedSleep = { timer, wake }
    })
  }

  private scheduleNext(): void {
    if (!this.running) return
    if (this.drainTimer) clearTimeout(this.drainTimer)
    const at = this.catalog.nextAttemptAt()
    if (at === null) return
    this.drainTimer = setTimeout(() => this.kick(), Math.max(0, Math.min(at - this.now(), TICK_MS)))
  }

  private markReachable(): void {
    const was = this.reach.get()
    if (was.state === 'online') return
    this.reach.set({ state: 'online', since: null, error: null })
    // Reached (at start, or back from offline or refused): whatever waited for the relay goes now,
    // not at its backoff time, and so does what a refusal of the whole request failed (the token
    // may have been fixed since; the relay judges those ops afresh).
    this.catalog.retry(undefined, 'refused').then(
      () => this.kick(),
      () => {}, // local storage closed or failing: the next drain meets the same error and reports it
    )
  }

  private markUnreachable(status: number | null, error: string): void {
    const state = status === 401 || status === 403 ? 'refused' : isTransientStatus(status) ? 'offline' : null
    if (state === null) return // a refusal of particular ops, not of this device
    const was = this.reach.get()
    if (was.state === state && was.error === error) return
    this.reach.set({ state, since: was.state === state ? was.since : this.now(), error })
  }
}
