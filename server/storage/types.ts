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

/**
 * A document storage several relays share (PostgreSQL). Besides the `DocStorage` contract, each
 * entry also gets its room's next *room sequence*: 1, 2, 3… per room, with no gaps, taken in
 * commit order. Relays tell each other about new entries by room sequence, so one that hears of
 * n + 2 after n knows it missed n + 1 and reads it here. Nothing else is shared between relays.
 */
export interface SharedDocStorage extends DocStorage {
  readonly shared: true
  /** Like `append`; also resolves to the entry's room sequence. */
  appendInRoom(room: RoomId, update: Uint8Array): Promise<{ entry: number; roomSeq: number }>
  /** The room's full state and the room sequence it is complete up to, in one consistent read. */
  loadWithSeq(room: RoomId): Promise<{ state: Uint8Array | null; roomSeq: number }>
  /**
   * Everything stored for the room after room sequence `after`, merged (null if nothing is), and
   * the room sequence that is complete up to. Once a compaction covered `after`, the result is
   * the snapshot plus later entries: a superset, which Yjs applies as a no-op where it overlaps.
   */
  loadSince(room: RoomId, after: number): Promise<{ update: Uint8Array | null; roomSeq: number }>
  /**
   * Compacts the room from what storage holds (never from a relay's memory, which may lack
   * another relay's entries): its snapshot and entries become one snapshot. Only one relay
   * compacts a room at a time: 'busy' when another holds the room's lock, 'skipped' when the
   * room has fewer than `minEntries` entries.
   */
  compactRoom(room: RoomId, minEntries?: number): Promise<'compacted' | 'busy' | 'skipped'>
  /** Rooms with at least `minEntries` entries since their snapshot, most entries first. */
  roomsToCompact(minEntries: number, limit: number): Promise<RoomId[]>
}

export function isSharedDocStorage(storage: DocStorage): storage is SharedDocStorage {
  return (storage as Partial<SharedDocStorage>).shared === true
}
