import type { Migration } from './index.js'

/**
 * Attachments (server/postgres/blob-storage.ts): one row per blob and workspace, and the notes
 * that reference it. `data` is stored EXTERNAL (out of line, uncompressed): attachments are
 * mostly compressed images, which PostgreSQL would try to compress again for nothing.
 * A reference is only ever inserted while its blob row is locked (see `put` and `dropNote`), and
 * the foreign key keeps a reference from outliving its blob whatever happens.
 */
export const BLOBS: Migration = {
  version: 3,
  name: 'blobs',
  sql: `
    CREATE TABLE blobs (
      workspace text COLLATE "C" NOT NULL,
      hash      text COLLATE "C" NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
      size      bigint NOT NULL,
      type      text   NOT NULL,
      data      bytea  NOT NULL,
      PRIMARY KEY (workspace, hash)
    );
    ALTER TABLE blobs ALTER COLUMN data SET STORAGE EXTERNAL;

    CREATE TABLE blob_refs (
      workspace text COLLATE "C" NOT NULL,
      note_id   text COLLATE "C" NOT NULL,
      hash      text COLLATE "C" NOT NULL,
      PRIMARY KEY (workspace, note_id, hash),
      FOREIGN KEY (workspace, hash) REFERENCES blobs (workspace, hash) ON DELETE CASCADE
    );
    CREATE INDEX blob_refs_by_hash ON blob_refs (workspace, hash);
  `,
}
