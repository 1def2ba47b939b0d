import type { Migration } from './index.js'

/**
 * The relay's document storage (`PostgresDocStorage`). A room's log is its snapshot (on the room
 * row) plus the entries after it. Every entry above `snapshot_seq` exists and none at or below it
 * does: the writes that move `snapshot_seq` (compaction, replace, purge) delete in the same
 * transaction, so one consistent read of the row and its entries is the room's whole state.
 */
export const documents: Migration = {
  version: 1,
  name: 'documents',
  sql: `
    CREATE TABLE doc_rooms (
      workspace      text   NOT NULL,
      room           text   NOT NULL,
      -- The last room sequence given out. Only ever raised, under this row's lock, by an append.
      room_seq       bigint NOT NULL DEFAULT 0,
      snapshot       bytea,
      -- The room sequence the snapshot is complete up to; the compare-and-swap key of its writers.
      snapshot_seq   bigint NOT NULL DEFAULT 0,
      -- The global entry number the snapshot stands for (latestEntry, roomsWithEntriesAfter).
      snapshot_entry bigint,
      PRIMARY KEY (workspace, room),
      CHECK (snapshot_seq <= room_seq)
    ) WITH (fillfactor = 70);
    -- Every append rewrites its room's row; the free space and room_seq being in no index keep
    -- those updates HOT (no index writes, the old version reclaimed page by page).

    CREATE INDEX doc_rooms_by_snapshot_entry ON doc_rooms (snapshot_entry) WHERE snapshot_entry IS NOT NULL;

    CREATE TABLE doc_entries (
      entry     bigserial PRIMARY KEY,
      workspace text   NOT NULL,
      room      text   NOT NULL,
      room_seq  bigint NOT NULL,
      data      bytea  NOT NULL,
      UNIQUE (workspace, room, room_seq),
      FOREIGN KEY (workspace, room) REFERENCES doc_rooms (workspace, room)
    );
  `,
}
