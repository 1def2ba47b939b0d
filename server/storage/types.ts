import type { RoomId } from '../room-id.js'

/**
 * Where the relay keeps documents. Rooms are named by `RoomId` (workspace + room); how an
 * implementation keys them is its own business (SQLite keeps `<workspace>/<room>`, the format of
 * every existing data folder). A room's stored form is a log of Yjs updates, each with a
 * sequence number that only grows; `load` returns them merged into one update. Implementations
 * must make `append` durable before its promise resolves: the relay treats a resolved append as
 * "stored" and acknowledges it.
 */
export interface DocStorage {
  /** The room's full state as one Yjs update, or null if nothing was ever stored. */
  load(room: RoomId): Promise<Uint8Array | null>
  /** Durably appends one update to the room's log; resolves to the entry's sequence number. */
  append(room: RoomId, update: Uint8Array): Promise<number>
  /**
   * Atomically replaces the room's entries up to and including `upTo` with one entry holding
   * `state`, which must contain everything those entries did (compaction). Later entries stay.
   */
  replace(room: RoomId, state: Uint8Array, upTo: number): Promise<void>
  /**
   * Deletes every entry of these rooms in one transaction, so that their content is gone from
   * the storage's files (not merely unreachable) when the promise resolves. A later append to
   * such a room starts a new log, with sequence numbers above any the storage ever gave out.
   */
  purge(rooms: readonly RoomId[]): Promise<void>
  /**
   * The sequence number of the newest entry in any room (0 if there is none). Sequence numbers
   * only grow, across rooms: every append made after this call gets a larger one.
   */
  latestEntry(): Promise<number>
  /** The rooms holding an entry whose sequence number is above `seq`, each once. */
  roomsWithEntriesAfter(seq: number): Promise<RoomId[]>
  /** Number of log entries for the room. */
  entryCount(room: RoomId): Promise<number>
  /** Total stored bytes for the room. */
  byteSize(room: RoomId): Promise<number>
  /** Throws if the storage cannot currently be written (readiness probe). */
  checkWritable(): Promise<void>
  close(): Promise<void>
}
