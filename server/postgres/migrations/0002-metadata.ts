import type { Migration } from './index.js'

/**
 * The relay's metadata (server/postgres/meta-storage.ts), the tables of SqliteMetaStorage.
 *
 * Records and op answers are JSON in `text`, not `jsonb`: jsonb refuses the NUL character, which
 * a note title may hold, and nothing queries inside them. Identifiers and types sort byte-wise
 * (COLLATE "C") so the feed and a folder's children come in the order SQLite gives them,
 * whatever the database's locale. Seqs are `bigint` taken from `meta_workspace_seq` under its
 * row lock, never from a SEQUENCE: sequence values commit out of order, and a feed reader would
 * see a seq before the ones below it.
 */
export const METADATA: Migration = {
  version: 2,
  name: 'metadata',
  sql: `
    CREATE TABLE meta_entities (
      workspace   text COLLATE "C" NOT NULL,
      type        text COLLATE "C" NOT NULL CHECK (type IN ('note', 'folder')),
      id          text COLLATE "C" NOT NULL,
      record      text,
      version     bigint NOT NULL DEFAULT 0,
      content_seq bigint NOT NULL DEFAULT 0,
      seq         bigint NOT NULL,
      parent      text COLLATE "C",
      deleted_at  bigint,
      PRIMARY KEY (workspace, type, id)
    );
    CREATE INDEX meta_entities_by_seq ON meta_entities (workspace, seq);
    CREATE INDEX meta_entities_by_parent ON meta_entities (workspace, parent) WHERE parent IS NOT NULL;
    CREATE INDEX meta_entities_to_purge ON meta_entities (deleted_at) WHERE deleted_at IS NOT NULL;

    CREATE TABLE meta_ops (
      workspace text COLLATE "C" NOT NULL,
      op_id     text COLLATE "C" NOT NULL,
      result    text NOT NULL,
      PRIMARY KEY (workspace, op_id)
    );

    CREATE TABLE meta_workspace_seq (
      workspace text COLLATE "C" PRIMARY KEY,
      seq       bigint NOT NULL
    );

    CREATE TABLE meta_purges (
      workspace  text COLLATE "C" NOT NULL,
      note_id    text COLLATE "C" NOT NULL,
      purged_at  bigint NOT NULL,
      note_sv    bytea NOT NULL,
      history_sv bytea NOT NULL,
      rooms_done boolean NOT NULL DEFAULT false,
      PRIMARY KEY (workspace, note_id)
    );
    CREATE INDEX meta_purges_unfinished ON meta_purges (workspace, note_id) WHERE NOT rooms_done;

    CREATE TABLE meta_state (key text PRIMARY KEY, value bigint NOT NULL);
    CREATE TABLE meta_readiness (only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row), at timestamptz NOT NULL);
  `,
}
