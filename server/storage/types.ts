/**
 * Where the relay keeps documents. A room's stored form is a log of Yjs updates; `load`
 * returns them merged into one update. Implementations must make `append` durable before its
 * promise resolves: the relay treats a resolved append as "stored".
 */
export interface DocStorage {
  /** The room's full state as one Yjs update, or null if nothing was ever stored. */
  load(room: string): Promise<Uint8Array | null>
  /** Durably appends one update to the room's log. */
  append(room: string, update: Uint8Array): Promise<void>
  /** Number of log entries for the room (compaction heuristics and tests). */
  entryCount(room: string): Promise<number>
  /** Merges the room's log into a single entry. Concurrent appends are never lost. */
  compact(room: string): Promise<void>
  /** Total stored bytes for the room. */
  byteSize(room: string): Promise<number>
  /** Throws if the storage cannot currently be written (readiness probe). */
  checkWritable(): Promise<void>
  close(): Promise<void>
}
