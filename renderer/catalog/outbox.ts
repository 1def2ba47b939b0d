// The outbox's pure rules: what a user action's op looks like locally, how an entity's shown state
// is computed from the last server record plus its pending ops, what each answer from the relay
// does to an entry, and when a failed send is tried again. No I/O here; catalog.ts persists.

import { fieldKeyOf, specOf } from '../../protocol/meta/op-specs'
import { applyOptimistic } from '../../protocol/meta/rules'
import type { EntryState, LocalEntity, OutboxEntry } from '../../protocol/meta/records'
import { entityTypeOf, type EntityRecord, type EntityType, type MetaOp, type OpResult } from '../../protocol/meta/types'

export { fieldKeyOf }

// The stored shapes of outbox entries and entities (and their upgrades) are in records.ts.
export type { EntryState, LocalEntity, OutboxEntry, SyncState } from '../../protocol/meta/records'

export const entityKey = (type: EntityType, id: string): string => `${type}:${id}`

export function keyOfOp(op: MetaOp): string {
  return entityKey(entityTypeOf(op.kind), op.entity)
}

const LIVE: readonly EntryState[] = ['pending', 'inflight']
export const isLive = (entry: OutboxEntry): boolean => LIVE.includes(entry.state)

/** Waiting to be sent: live and not held back as a draft's create (nothing to sync yet). */
export const isWaiting = (entry: OutboxEntry): boolean => isLive(entry) && entry.held !== true

/** Ops the user still sees applied: not yet answered, or failed without a verdict from the relay. */
export const isShown = (entry: OutboxEntry): boolean => isLive(entry) || (entry.state === 'failed' && !entry.rejected)

/** The view: the server record with this device's not-yet-settled ops replayed on top. */
/**
 * The local view: the relay's record with our unsent intent applied on top. Each op is previewed
 * at the moment it was recorded, not at projection time, so a view re-projected later (say after
 * a sibling is deleted) keeps its dates, and offline notes keep their order.
 */
export function project(base: EntityRecord | null, entries: readonly OutboxEntry[]): EntityRecord | null {
  let view: EntityRecord | undefined = base ?? undefined
  for (const entry of entries) if (isShown(entry)) view = applyOptimistic(view, entry.op, entry.createdAt)
  return view ?? null
}

function hasOpenConflict(record: EntityRecord | null): boolean {
  return record !== null && Object.values(record.conflicts).some((c) => c !== undefined)
}

/** Sync state, retry count and last error of an entity, from its outbox entries and record. */
export function entitySync(base: EntityRecord | null, entries: readonly OutboxEntry[]): Pick<LocalEntity, 'sync' | 'attempts' | 'lastError'> {
  const attempts = entries.reduce((max, e) => Math.max(max, e.attempts), 0)
  const failed = entries.find((e) => e.state === 'failed')
  const errored = entries.find((e) => e.lastError !== null)
  const lastError = failed?.lastError ?? errored?.lastError ?? null
  if (hasOpenConflict(base) || entries.some((e) => e.state === 'conflicted')) return { sync: 'conflicted', attempts, lastError }
  if (failed) return { sync: 'failed', attempts, lastError }
  if (entries.some(isLive)) return { sync: 'pending', attempts, lastError }
  return { sync: 'synced', attempts: 0, lastError: null }
}

/**
 * After `applied` (an op of ours) landed at `seq`, a later op of ours on the same field was
 * written from the same knowledge and must not conflict with our own change: it now builds on
 * `seq`. This is safe only for the same field (another field's landing says nothing about this
 * one), and only because `applied` was applied: anyone else's change to the field in between
 * would have made it a conflict instead.
 */
export function rebaseAfter(applied: MetaOp, seq: number, later: MetaOp): MetaOp {
  if (applied.entity !== later.entity || later.baseVersion >= seq) return later
  const spec = specOf(applied.kind)
  if (spec.entityType !== specOf(later.kind).entityType) return later
  const created = spec.initial !== undefined
  const field = fieldKeyOf(applied)
  return created || (field !== null && field === fieldKeyOf(later)) ? { ...later, baseVersion: seq } : later
}

export type Outcome =
  | { readonly kind: 'done'; readonly record: EntityRecord | null; readonly seq: number | null }
  | { readonly kind: 'conflicted'; readonly record: EntityRecord | null; readonly reason: string }
  | { readonly kind: 'failed'; readonly record: EntityRecord | null; readonly reason: string }

/** What an answer from the relay means for the entry. A repeat counts as its original answer. */
export function outcomeOf(result: OpResult): Outcome {
  const status = result.status === 'duplicate' ? (result.original?.status ?? 'applied') : result.status
  const reason = result.reason ?? result.original?.reason ?? ''
  const seq = result.status === 'duplicate' ? (result.original?.seq ?? null) : result.seq
  if (status === 'applied') return { kind: 'done', record: result.record, seq }
  if (status === 'conflict') return { kind: 'conflicted', record: result.record, reason: reason || 'changed elsewhere at the same time' }
  return { kind: 'failed', record: result.record, reason: reason || 'refused by the relay' }
}

export const RETRY_BASE_MS = 1_000
export const RETRY_CAP_MS = 5 * 60_000

/** Capped exponential backoff with full jitter in its upper half: spreads retries after an outage. */
export function retryDelay(attempts: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1))
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}

/** How a failed request is treated: transient errors retry, a refusal fails the entries at once. */
export function isTransientStatus(status: number | null): boolean {
  // null: no answer at all (offline, relay down, connection cut).
  return status === null || status === 408 || status === 425 || status === 429 || status >= 500
}

/**
 * The next batch to send: the first live entry of each entity, in local order. Only the head:
 * the next op on an entity is rebased on the head's answer (see rebaseAfter) before it goes, and
 * an entity whose head waits for its retry time holds back everything after it.
 */
export function nextBatch(entries: readonly OutboxEntry[], now: number, max: number, maxBytes = Number.POSITIVE_INFINITY): OutboxEntry[] {
  const held = new Set<string>()
  const batch: OutboxEntry[] = []
  let bytes = 0
  for (const entry of [...entries].sort((a, b) => a.seq - b.seq)) {
    if (!isLive(entry)) continue
    const key = keyOfOp(entry.op)
    if (held.has(key)) continue
    held.add(key)
    if (entry.state === 'inflight' || entry.held === true || entry.nextAttemptAt > now) continue
    // The first op always goes, whatever its size: the relay's answer (413) is what says it is too large.
    const size = opBytes(entry.op)
    if (batch.length > 0 && bytes + size > maxBytes) break
    bytes += size
    batch.push(entry)
    if (batch.length >= max) break
  }
  return batch
}

/** An op's size in a request body (its JSON as UTF-8, plus a separator). */
export function opBytes(op: MetaOp): number {
  return new TextEncoder().encode(JSON.stringify(op)).length + 1
}
