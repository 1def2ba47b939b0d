// Where the relay keeps metadata: the contract every implementation (SQLite by default, memory
// for embedders and tests, a networked database later) fulfils. tests/unit/meta-storage-contract
// runs one suite against each.
//
// Every method is async, so an implementation may talk to a database whose transactions are.
// The rules stay pure and synchronous: a method that changes records takes a `decide` function,
// which the implementation calls inside its transaction, after it has locked the workspace's
// sequence, on the records as they stand then. Whatever content a rule needs is read by the
// caller before (held in memory for the length of the call), never inside `decide`.

import type { Decision, RuleContext } from '../../protocol/meta/rules.js'
import { entityTypeOf, type ChangesResponse, type EntityRecord, type EntityType, type MetaOp, type NoteRecord, type OpResult } from '../../protocol/meta/types.js'
import type { NoteRef } from '../room-id.js'

/** The records an op's rules may read, as the transaction sees them. */
export type RecordReader = Pick<RuleContext, 'get' | 'childrenOf' | 'foldersIn'>

/** Decides one op (pure, synchronous). `seq` is the seq its writes take. */
export type DecideOp = (op: MetaOp, records: RecordReader, seq: number) => Decision

/**
 * An op's first answer, as every implementation keeps it in its op log: what a repeat of the op
 * is answered with, and where to find its entity then.
 */
export interface StoredAnswer {
  status: Exclude<OpResult['status'], 'duplicate'>
  seq: number | null
  reason?: string
  type: EntityType
  entity: string
}

/** The answer to keep for `op`, decided as `decision`; `seq` is null when it wrote nothing. */
export function firstAnswer(op: MetaOp, decision: Decision, seq: number | null): StoredAnswer {
  return { status: decision.status, seq, type: entityTypeOf(op.kind), entity: op.entity, ...(decision.reason !== undefined ? { reason: decision.reason } : {}) }
}

/** What the op's sender is told the first time. */
export function answerOf(op: MetaOp, first: StoredAnswer, record: EntityRecord | null): OpResult {
  return { opId: op.opId, status: first.status, seq: first.seq, record, ...(first.reason !== undefined ? { reason: first.reason } : {}) }
}

/** What a repeat of the op is told: its first answer as `original`, and the entity as it is now. */
export function duplicateOf(op: MetaOp, first: StoredAnswer, record: EntityRecord | null): OpResult {
  const original = { status: first.status, seq: first.seq, ...(first.reason !== undefined ? { reason: first.reason } : {}) }
  return { opId: op.opId, status: 'duplicate', seq: first.seq, record, original }
}

/** What a purged note's rooms held when they were purged, as state vectors (clocks, no content). */
export interface PurgedState {
  note: Uint8Array
  history: Uint8Array
}

/** A note as a content change or a purge sees it. */
export interface NoteState {
  /** Null when content arrived before the note's create op. */
  record: NoteRecord | null
  /** Set while the note is purged (or its purge is under way). */
  purged: PurgedState | null
}

/**
 * A content change's effect: the note gets a new seq in the feed, `record` (if any) is written
 * at it, and `endPurge` forgets the note's purge (late content brought it back). Null: nothing
 * changes and no seq is taken.
 */
export type ContentDecision = { record: NoteRecord | null; endPurge: boolean } | null

export interface ContentChange {
  note: NoteRef
  decide: (note: NoteState, seq: number) => ContentDecision
}

/**
 * The first step of a purge. 'skip': not due (the storage then fixes its own bookkeeping of when
 * the note became due). 'restored': the note comes back at the seq (its content is fed too).
 * 'purge': the tombstone is written at the seq and the purge noted with `purged`.
 */
export type PurgeDecision = { kind: 'skip' } | { kind: 'restored'; record: NoteRecord } | { kind: 'purge'; tombstone: NoteRecord; purged: PurgedState }

export interface MetaStorage {
  /**
   * Applies a request's ops in order, as one transaction: each op id is looked up first (a
   * repeat is answered 'duplicate' with its first answer as `original` and the entity's current
   * record), else decided at the workspace's next seq and written with its answer. A seq is taken
   * only by an op that writes, so a workspace's seqs have no gaps. Calls on one workspace are
   * serialised; the promise resolves only once the transaction is durable.
   */
  applyOps(workspace: string, ops: readonly MetaOp[], decide: DecideOp): Promise<OpResult[]>
  /**
   * Records content changes, all in one transaction (any workspaces): per change, in order, its
   * decision at its workspace's next seq. Resolves to each change's seq (null: nothing changed).
   */
  recordContentChanges(changes: readonly ContentChange[]): Promise<(number | null)[]>
  /** The workspace's entities changed after `since`, oldest first; a page never splits one seq. */
  changes(workspace: string, since: number, limit: number): Promise<ChangesResponse>
  /** The highest seq of any change in the workspace (0 if none). */
  latestSeq(workspace: string): Promise<number>

  /** Notes deleted forever at or before `cutoff` (ms, from their record) and not purged, oldest first. */
  notesToPurge(cutoff: number, limit: number): Promise<NoteRef[]>
  /** The first step of a purge, as one transaction on the note's workspace. */
  beginPurge(note: NoteRef, decide: (note: NoteState, seq: number) => PurgeDecision): Promise<PurgeDecision['kind']>
  /** The rooms of these purged notes are gone from the document storage. */
  roomsPurged(notes: readonly NoteRef[]): Promise<void>
  /** Purges begun whose rooms may still be stored. */
  unfinishedPurges(): Promise<NoteRef[]>
  /** What a purged note's rooms held; null when the note is not purged. */
  purgedState(note: NoteRef): Promise<PurgedState | null>
  /** Called after a batch of purges: drop old copies of rewritten records from logs (SQLite: the WAL). */
  afterPurge(): Promise<void>

  /**
   * The newest document-storage entry id whose content change is known to be recorded, or null
   * before the first start that kept one.
   */
  contentCursor(): Promise<number | null>
  /** Moves the content cursor forward (never back), or with `exact` to `entry` even if lower. */
  setContentCursor(entry: number, options?: { exact?: boolean }): Promise<void>

  /** Throws when the storage cannot be written (readiness probe). */
  checkWritable(): Promise<void>
  close(): Promise<void>
}
