import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { checkBlobKey, type BlobInfo, type BlobStorage, type StoredBlob } from './storage.js'

export const BLOBS_FILE_NAME = 'blobs.sqlite'

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS blobs (
    workspace TEXT    NOT NULL,
    hash      TEXT    NOT NULL,
    size      INTEGER NOT NULL,
    type      TEXT    NOT NULL,
    -- Last, so that reading the columns before it (has, HEAD) never touches its overflow pages.
    data      BLOB    NOT NULL,
    UNIQUE (workspace, hash)
  );
  CREATE TABLE IF NOT EXISTS blob_refs (
    workspace TEXT NOT NULL,
    note_id   TEXT NOT NULL,
    hash      TEXT NOT NULL,
    PRIMARY KEY (workspace, note_id, hash)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS blob_refs_by_hash ON blob_refs (workspace, hash);
`

/**
 * Attachments in their own SQLite file (`blobs.sqlite`), beside the documents and metadata. A blob
 * is one row (SQLite keeps a large value in a chain of overflow pages); its references are rows
 * of `blob_refs`. `synchronous = FULL`: a 201 tells the client its upload is stored.
 *
 * Deletes zero what they free (`secure_delete`), and `dropNote` then empties the WAL with a
 * TRUNCATE checkpoint, so a purged attachment is in neither file: the same rule as purged rooms
 * (server/storage/sqlite.ts). Both run on the main thread: a checkpoint per purge batch, and
 * writes that are rare next to document appends (see docs/architecture.md for what they cost).
 */
export class SqliteBlobStorage implements BlobStorage {
  private readonly db: Database.Database
  private readonly stmts: ReturnType<typeof prepare>

  constructor(readonly dataDir: string) {
    mkdirSync(dataDir, { recursive: true })
    this.db = new Database(join(dataDir, BLOBS_FILE_NAME))
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = FULL')
    this.db.pragma('busy_timeout = 5000')
    this.db.pragma('secure_delete = ON')
    this.db.exec(SCHEMA)
    this.stmts = prepare(this.db)
  }

  async has(workspace: string, hash: string): Promise<BlobInfo | null> {
    checkBlobKey('SqliteBlobStorage.has', workspace, hash)
    return (this.stmts.info.get(workspace, hash) as BlobInfo | undefined) ?? null
  }

  async get(workspace: string, hash: string): Promise<StoredBlob | null> {
    checkBlobKey('SqliteBlobStorage.get', workspace, hash)
    const row = this.stmts.get.get(workspace, hash) as (BlobInfo & { data: Buffer }) | undefined
    if (!row) return null
    return { hash: row.hash, size: row.size, type: row.type, bytes: new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength) }
  }

  async put(workspace: string, hash: string, bytes: Uint8Array, type: string, noteId: string): Promise<{ created: boolean; blob: BlobInfo }> {
    checkBlobKey('SqliteBlobStorage.put', workspace, hash, noteId)
    return this.db.transaction(() => {
      const created = this.stmts.insert.run(workspace, hash, bytes.byteLength, type, bytes).changes === 1
      this.stmts.addRef.run(workspace, noteId, hash)
      return { created, blob: this.stmts.info.get(workspace, hash) as BlobInfo }
    })()
  }

  async referencesOf(workspace: string, hash: string): Promise<string[]> {
    checkBlobKey('SqliteBlobStorage.referencesOf', workspace, hash)
    return (this.stmts.refs.all(workspace, hash) as { note_id: string }[]).map((r) => r.note_id)
  }

  async dropNote(workspace: string, noteId: string): Promise<string[]> {
    checkBlobKey('SqliteBlobStorage.dropNote', workspace, null, noteId)
    const deleted = this.db.transaction(() => {
      const hashes = (this.stmts.dropRefs.all(workspace, noteId) as { hash: string }[]).map((r) => r.hash)
      return hashes.filter((hash) => this.stmts.deleteUnreferenced.run(workspace, hash, workspace, hash).changes === 1).sort()
    })()
    if (deleted.length > 0) {
      const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[]
      if (result!.busy !== 0) throw new Error('WAL checkpoint after deleting attachments could not complete (database busy)')
    }
    return deleted
  }

  async bytesStored(workspace?: string): Promise<number> {
    const row = (workspace === undefined ? this.stmts.totalBytes.get() : this.stmts.workspaceBytes.get(workspace)) as { n: number | null }
    return row.n ?? 0
  }

  async checkWritable(): Promise<void> {
    this.db.exec('CREATE TABLE IF NOT EXISTS readiness (v INTEGER); DELETE FROM readiness; INSERT INTO readiness VALUES (1)')
  }

  async close(): Promise<void> {
    if (!this.db.open) return
    this.db.pragma('wal_checkpoint(TRUNCATE)')
    this.db.close()
  }
}

function prepare(db: Database.Database) {
  return {
    info: db.prepare('SELECT hash, size, type FROM blobs WHERE workspace = ? AND hash = ?'),
    get: db.prepare('SELECT hash, size, type, data FROM blobs WHERE workspace = ? AND hash = ?'),
    insert: db.prepare('INSERT INTO blobs (workspace, hash, size, type, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT (workspace, hash) DO NOTHING'),
    addRef: db.prepare('INSERT INTO blob_refs (workspace, note_id, hash) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
    refs: db.prepare('SELECT note_id FROM blob_refs WHERE workspace = ? AND hash = ? ORDER BY note_id'),
    dropRefs: db.prepare('DELETE FROM blob_refs WHERE workspace = ? AND note_id = ? RETURNING hash'),
    deleteUnreferenced: db.prepare('DELETE FROM blobs WHERE workspace = ? AND hash = ? AND NOT EXISTS (SELECT 1 FROM blob_refs WHERE workspace = ? AND hash = ?)'),
    totalBytes: db.prepare('SELECT SUM(size) AS n FROM blobs'),
    workspaceBytes: db.prepare('SELECT SUM(size) AS n FROM blobs WHERE workspace = ?'),
  }
}
