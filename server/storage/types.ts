/**
 * Where the relay keeps documents. A room's stored form is a log of Yjs updates, each with a
 * sequence number that only grows; `load` returns them merged into one update. Implementations
 * must make `append` durable before its promise resolves: the relay treats a resolved append as
 * "stored" and acknowledges it.
 */
export interface DocStorage {
  /** The room's full state as one Yjs update, or null if nothing was ever stored. */
  load(room: string): Promise<Uint8Array | null>
  /** Durably appends one update to the room's log; resolves to the entry's sequence number. */
  append(room: string, update: Uint8Array): Promise<number>
  /**
   * Atomically replaces the room's entries up to and including `upTo` with one entry holding
   * `state`, which must contain everything those entries did (compaction). Later entries stay.
   */
  replace(room: string, state: Uint8Array, upTo: number): Promise<void>
  /** Number of log entries for the room. */
  entryCount(room: string): Promise<number>
  /** Total stored bytes for the room. */
  byteSize(room: string): Promise<number>
  /** Throws if the storage cannot currently be written (readiness probe). */
  checkWritable(): Promise<void>
  close(): Promise<void>
}
