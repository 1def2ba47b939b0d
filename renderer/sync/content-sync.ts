// Background content sync: while the relay is reachable, every note whose content this device
// has but the relay has not acknowledged, and every note the change feed says changed on the
// relay, is opened (without the editor), synced, and closed again, a few at a time. A note's
// saved versions (its history room) are pushed the same way when they were saved offline.

import { historyRoom, noteRoom } from '../../protocol/rooms'
import type { ContentLedger } from '../catalog/content-ledger'
import type { RelayReach } from '../catalog/sync-worker'
import type { ReadableStore } from './store'
import { ACK_SETTLE_MS, type DocHandle, type DocRegistry } from './doc-registry'

export interface ContentSyncOptions {
  concurrency?: number
  /** Give up on one note after this long; it is tried again later. */
  timeoutMs?: number
  /** Wait this long before trying a note that timed out again. */
  retryAfterMs?: number
  /**
   * Pull a note changed elsewhere at most this often: while someone types in it, the feed reports
   * a change every fraction of a second, and each pull is a new connection to the relay.
   */
  pullIntervalMs?: number
}

export class ContentSync {
  private readonly active = new Set<string>()
  private readonly resting = new Map<string, number>()
  private unsubscribe: (() => void)[] = []
  private readonly concurrency: number
  private readonly timeoutMs: number
  private readonly retryAfterMs: number
  private readonly pullIntervalMs: number
  /** When each note was last pulled (started), for pullIntervalMs. */
  private readonly lastPull = new Map<string, number>()
  /** The next time a resting or waiting note is due, and the timer for it. */
  private wake: { at: number; timer: ReturnType<typeof setTimeout> } | null = null

  constructor(
    private readonly catalog: ContentLedger,
    private readonly registry: DocRegistry,
    private readonly reach: ReadableStore<RelayReach>,
    options: ContentSyncOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 3
    this.timeoutMs = options.timeoutMs ?? 30_000
    this.retryAfterMs = options.retryAfterMs ?? 15_000
    this.pullIntervalMs = options.pullIntervalMs ?? 5_000
  }

  start(): void {
    this.unsubscribe = [this.catalog.subscribe(this.schedule), this.reach.subscribe(this.schedule)]
    this.schedule()
  }

  stop(): void {
    for (const off of this.unsubscribe.splice(0)) off()
    if (this.wake) clearTimeout(this.wake.timer)
    this.wake = null
  }

  /** "Retry now": notes resting after a failed attempt (timed out, refused) are tried again at once. */
  retryNow(): void {
    this.resting.clear()
    this.schedule()
  }

  /** Notes being synced right now (for the Sync details panel). */
  get inProgress(): readonly string[] {
    return [...this.active]
  }

  private readonly schedule = (): void => {
    if (this.reach.get().state !== 'online') return
    const now = Date.now()
    let nextWake = Number.POSITIVE_INFINITY
    for (const id of this.catalog.contentWork()) {
      if (this.active.size >= this.concurrency) return
      if (this.active.has(id)) continue
      const restingUntil = this.resting.get(id) ?? 0
      if (restingUntil > now) {
        nextWake = Math.min(nextWake, restingUntil)
        continue
      }
      // Only pulls wait: what this device holds and the relay lacks goes at once.
      const entity = this.catalog.get('note', id)
      const pullOnly = !entity?.contentDirty && entity?.historyDirty !== true
      const pullAt = (this.lastPull.get(id) ?? 0) + this.pullIntervalMs
      if (pullOnly && pullAt > now) {
        nextWake = Math.min(nextWake, pullAt)
        continue
      }
      this.lastPull.set(id, now)
      this.active.add(id)
      void this.syncNote(id).finally(() => {
        this.active.delete(id)
        this.schedule()
      })
    }
    if (nextWake !== Number.POSITIVE_INFINITY && (!this.wake || nextWake < this.wake.at)) {
      if (this.wake) clearTimeout(this.wake.timer)
      const timer = setTimeout(() => {
        this.wake = null
        this.schedule()
      }, nextWake - now)
      this.wake = { at: nextWake, timer }
    }
  }

  private async syncNote(id: string): Promise<void> {
    const entity = this.catalog.get('note', id)
    const target = entity?.contentSeq ?? 0
    const rooms = [noteRoom(id), ...(entity?.historyDirty ? [historyRoom(id)] : [])]
    const handles = rooms.map((room) => this.registry.get(room))
    for (const handle of handles) this.registry.retain(handle)
    try {
      await withTimeout(Promise.all(handles.map((handle) => this.settled(handle))), this.timeoutMs)
      await this.catalog.markContentSynced(id, target)
      // An open note's "not on the relay" mark clears ACK_SETTLE_MS after its last acknowledgement;
      // until then it is still listed as work, and is let be rather than checked over and over.
      const after = this.catalog.get('note', id)
      if (after?.contentDirty || after?.historyDirty === true) this.rest(id, ACK_SETTLE_MS + 100)
      else this.resting.delete(id)
    } catch {
      this.rest(id, this.retryAfterMs)
    } finally {
      for (const handle of handles) this.registry.release(handle)
    }
  }

  /** Not before `ms` from now; schedule() wakes up for it. */
  private rest(id: string, ms: number): void {
    this.resting.set(id, Date.now() + ms)
  }

  /** Synced with the relay, everything here acknowledged there, and everything received saved here. */
  private async settled(handle: DocHandle): Promise<void> {
    await handle.whenLoaded
    await handle.whenRelaySynced
    await until(handle.relayStore, (state) => state === 'stored')
    await until(handle.localSave, (state) => state === 'saved')
  }
}

function until<T>(store: ReadableStore<T>, done: (value: T) => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (done(store.get())) return resolve()
    const off = store.subscribe(() => {
      if (!done(store.get())) return
      off()
      resolve()
    })
  })
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), ms)
    work.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (err: unknown) => {
        clearTimeout(timer)
        reject(err instanceof Error ? err : new Error(String(err)))
      },
    )
  })
}
