import { checkBlobKey, type BlobInfo, type BlobStorage, type StoredBlob } from '../blobs/storage.js'
import { migratedOrClosed, openPool, transaction, type Pool, type PoolClient } from './database.js'

/** serialization_failure, deadlock_detected: the transaction did nothing and may simply run again. */
const RETRYABLE = new Set(['40001', '40P01'])
const ATTEMPTS = 5

interface InfoRow {
  hash: string
  // bigint: pg returns it as a string.
  size: string
  type: string
}

const infoOf = (row: InfoRow): BlobInfo => ({ hash: row.hash, size: Number(row.size), type: row.type })

/**
 * Attachments in PostgreSQL (migration 0003), shared by every relay of a service.
 *
 * A blob row and its references must never disagree, with relays storing and purging at once. The
 * rule: a reference is inserted only while its blob row is locked FOR SHARE, and `dropNote` locks
 * the rows it may delete FOR UPDATE (in hash order) before it removes references, then deletes the
 * rows left unreferenced in a later statement, which sees every reference committed before it got
 * the lock. So an upload either lands before a purge (and keeps its blob) or after it (and stores
 * the blob again); never a reference to a deleted blob, nor a stored answer for bytes about to go.
 *
 * PostgreSQL does not overwrite deleted rows: a purged attachment's bytes stay in the table's
 * TOAST pages until VACUUM reuses that space, like purged document entries.
 */
export class PostgresBlobStorage implements BlobStorage {
  private readonly pool: Pool
  private readonly ownsPool: boolean
  private closed = false

  /** With a URL the storage opens (and `close` ends) its own pool; a pool given is the caller's. */
  constructor(source: string | Pool) {
    this.ownsPool = typeof source === 'string'
    this.pool = typeof source === 'string' ? openPool(source) : source
  }

  static async open(source: string | Pool, options: { migrate?: boolean } = {}): Promise<PostgresBlobStorage> {
    const storage = new PostgresBlobStorage(source)
    return migratedOrClosed(storage, storage.pool, options.migrate ?? true)
  }

  async has(workspace: string, hash: string): Promise<BlobInfo | null> {
    checkBlobKey('PostgresBlobStorage.has', workspace, hash)
    this.assertOpen()
    const { rows } = await this.pool.query<InfoRow>('SELECT hash, size, type FROM blobs WHERE workspace = $1 AND hash = $2', [workspace, hash])
    return rows[0] ? infoOf(rows[0]) : null
  }

  async get(workspace: string, hash: string): Promise<StoredBlob | null> {
    checkBlobKey('PostgresBlobStorage.get', workspace, hash)
    this.assertOpen()
    const { rows } = await this.pool.query<InfoRow & { data: Buffer }>('SELECT hash, size, type, data FROM blobs WHERE workspace = $1 AND hash = $2', [workspace, hash])
    const row = rows[0]
    return row ? { ...infoOf(row), bytes: new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength) } : null
  }

  async put(workspace: string, hash: string, bytes: Uint8Array, type: string, noteId: string): Promise<{ created: boolean; blob: BlobInfo }> {
    checkBlobKey('PostgresBlobStorage.put', workspace, hash, noteId)
    return this.write(async (tx) => {
      // Twice at most: the blob can vanish between the two statements only by a purge that
      // committed meanwhile, and then the insert's row is ours.
      for (let attempt = 0; attempt < 3; attempt++) {
        const found = await tx.query<InfoRow>('SELECT hash, size, type FROM blobs WHERE workspace = $1 AND hash = $2 FOR SHARE', [workspace, hash])
        let created = false
        let row = found.rows[0]
        if (!row) {
          const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
          const inserted = await tx.query<InfoRow>(
            'INSERT INTO blobs (workspace, hash, size, type, data) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (workspace, hash) DO NOTHING RETURNING hash, size, type',
            [workspace, hash, bytes.byteLength, type, data],
          )
          row = inserted.rows[0]
          created = row !== undefined
        }
        if (!row) continue // another relay stored it meanwhile: lock that row
        await tx.query('INSERT INTO blob_refs (workspace, note_id, hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [workspace, noteId, hash])
        return { created, blob: infoOf(row) }
      }
      throw new Error(`PostgresBlobStorage.put: blob ${hash} kept changing under the upload`)
    })
  }

  async referencesOf(workspace: string, hash: string): Promise<string[]> {
    checkBlobKey('PostgresBlobStorage.referencesOf', workspace, hash)
    this.assertOpen()
    const { rows } = await this.pool.query<{ note_id: string }>('SELECT note_id FROM blob_refs WHERE workspace = $1 AND hash = $2 ORDER BY note_id', [workspace, hash])
    return rows.map((r) => r.note_id)
  }

  async dropNote(workspace: string, noteId: string): Promise<string[]> {
    checkBlobKey('PostgresBlobStorage.dropNote', workspace, null, noteId)
    return this.write(async (tx) => {
      const locked = await tx.query<{ hash: string }>(
        `SELECT b.hash FROM blobs b JOIN blob_refs r ON r.workspace = b.workspace AND r.hash = b.hash
         WHERE r.workspace = $1 AND r.note_id = $2 ORDER BY b.hash FOR UPDATE OF b`,
        [workspace, noteId],
      )
      if (locked.rows.length === 0) return []
      await tx.query('DELETE FROM blob_refs WHERE workspace = $1 AND note_id = $2', [workspace, noteId])
      const { rows } = await tx.query<{ hash: string }>(
        `DELETE FROM blobs b WHERE b.workspace = $1 AND b.hash = ANY($2::text[])
         AND NOT EXISTS (SELECT 1 FROM blob_refs r WHERE r.workspace = b.workspace AND r.hash = b.hash) RETURNING b.hash`,
        [workspace, locked.rows.map((r) => r.hash)],
      )
      return rows.map((r) => r.hash).sort()
    })
  }

  async bytesStored(workspace?: string): Promise<number> {
    this.assertOpen()
    const { rows } =
      workspace === undefined
        ? await this.pool.query<{ n: string | null }>('SELECT SUM(size) AS n FROM blobs')
        : await this.pool.query<{ n: string | null }>('SELECT SUM(size) AS n FROM blobs WHERE workspace = $1', [workspace])
    return Number(rows[0]?.n ?? 0)
  }

  async checkWritable(): Promise<void> {
    this.assertOpen()
    await this.write(async (tx) => {
      await tx.query('SELECT 1 FROM blobs LIMIT 0')
    })
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.ownsPool) await this.pool.end()
  }

  private async write<T>(work: (tx: PoolClient) => Promise<T>): Promise<T> {
    this.assertOpen()
    for (let n = 1; ; n++) {
      try {
        return await transaction(this.pool, async (tx) => {
          await tx.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED')
          return work(tx)
        })
      } catch (error) {
        if (n >= ATTEMPTS || !RETRYABLE.has((error as { code?: unknown }).code as string)) throw error
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * n))
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('PostgresBlobStorage: used after close()')
  }
}
