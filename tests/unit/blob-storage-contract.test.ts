import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { MemoryBlobStorage } from '../../server/blobs/memory'
import { BLOBS_FILE_NAME, SqliteBlobStorage } from '../../server/blobs/sqlite'
import { BlobStorageError, type BlobStorage } from '../../server/blobs/storage'
import { PostgresBlobStorage } from '../../server/postgres/blob-storage'
import { tempDir } from '../helpers/relay'
import { startPostgres, type PostgresServer } from '../helpers/servers'

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')
const blob = (text: string) => {
  const bytes = Buffer.from(text)
  return { bytes, hash: sha(bytes) }
}

let postgres: PostgresServer | undefined
beforeAll(async () => {
  postgres = await startPostgres()
})
afterAll(async () => {
  await postgres?.stop()
})

interface Opened {
  storage: BlobStorage
  /** The storage's own files or rows, for checks against ground truth; null for memory. */
  holds: ((marker: Buffer) => Promise<boolean>) | null
}

const implementations: [string, () => Promise<Opened>][] = [
  ['MemoryBlobStorage', async () => ({ storage: new MemoryBlobStorage(), holds: null })],
  [
    'SqliteBlobStorage',
    async () => {
      const dir = tempDir()
      const storage = new SqliteBlobStorage(dir)
      onTestFinished(() => storage.close())
      const files = [BLOBS_FILE_NAME, `${BLOBS_FILE_NAME}-wal`].map((n) => join(dir, n))
      return { storage, holds: async (marker) => files.filter(existsSync).some((f) => readFileSync(f).includes(marker)) }
    },
  ],
  [
    'PostgresBlobStorage',
    async () => {
      const url = await postgres!.createDatabase()
      const storage = await PostgresBlobStorage.open(url)
      onTestFinished(() => storage.close())
      return {
        storage,
        holds: async (marker) => {
          const client = new pg.Client({ connectionString: url })
          await client.connect()
          try {
            const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM blobs WHERE position($1::bytea in data) > 0', [marker])
            return Number(rows[0]!.n) > 0
          } finally {
            await client.end()
          }
        },
      }
    },
  ],
]

describe.each(implementations)('%s (BlobStorage contract)', (_name, open) => {
  it('stores a blob once, answers has and get, and counts every note that references it', async () => {
    const { storage } = await open()
    const { bytes, hash } = blob('hello attachment')
    expect(await storage.has('w', hash)).toBeNull()
    expect(await storage.get('w', hash)).toBeNull()
    expect(await storage.put('w', hash, bytes, 'text/plain; charset=utf-8', 'n1')).toEqual({ created: true, blob: { hash, size: bytes.byteLength, type: 'text/plain; charset=utf-8' } })
    // A repeat, and a second note: no new bytes; the type first stored stays.
    expect(await storage.put('w', hash, bytes, 'application/octet-stream', 'n1')).toMatchObject({ created: false, blob: { type: 'text/plain; charset=utf-8' } })
    expect(await storage.put('w', hash, bytes, 'text/plain; charset=utf-8', 'n2')).toMatchObject({ created: false })
    expect(await storage.has('w', hash)).toEqual({ hash, size: bytes.byteLength, type: 'text/plain; charset=utf-8' })
    const got = await storage.get('w', hash)
    expect(Buffer.from(got!.bytes).equals(bytes)).toBe(true)
    expect(await storage.referencesOf('w', hash)).toEqual(['n1', 'n2'])
    expect(await storage.bytesStored('w')).toBe(bytes.byteLength)
  })

  it('keeps workspaces apart: the same bytes in two workspaces are two blobs', async () => {
    const { storage } = await open()
    const { bytes, hash } = blob('shared content')
    await storage.put('a', hash, bytes, 'text/plain; charset=utf-8', 'n1')
    expect(await storage.has('b', hash)).toBeNull()
    expect(await storage.get('b', hash)).toBeNull()
    expect(await storage.put('b', hash, bytes, 'text/plain; charset=utf-8', 'n1')).toMatchObject({ created: true })
    await storage.dropNote('a', 'n1')
    expect(await storage.has('a', hash)).toBeNull()
    expect(await storage.has('b', hash)).not.toBeNull()
    expect(await storage.bytesStored()).toBe(bytes.byteLength)
  })

  it('stores an empty blob and binary bytes exactly', async () => {
    const { storage } = await open()
    const empty = new Uint8Array(0)
    await storage.put('w', sha(empty), empty, 'application/octet-stream', 'n1')
    expect((await storage.get('w', sha(empty)))!.bytes.byteLength).toBe(0)
    const binary = randomBytes(300_000)
    await storage.put('w', sha(binary), binary, 'application/octet-stream', 'n1')
    expect(Buffer.from((await storage.get('w', sha(binary)))!.bytes).equals(binary)).toBe(true)
    expect(await storage.bytesStored('w')).toBe(300_000)
  })

  it("deletes a note's references, and the blobs left without one, gone from the storage's files", async () => {
    const { storage, holds } = await open()
    const marker = Buffer.from(`secret-${randomBytes(8).toString('hex')}`)
    const only = Buffer.concat([marker, randomBytes(20_000)]) // spans overflow pages
    const shared = blob('referenced by two notes')
    await storage.put('w', sha(only), only, 'application/octet-stream', 'gone')
    await storage.put('w', shared.hash, shared.bytes, 'text/plain; charset=utf-8', 'gone')
    await storage.put('w', shared.hash, shared.bytes, 'text/plain; charset=utf-8', 'kept')
    if (holds) expect(await holds(marker)).toBe(true)

    expect(await storage.dropNote('w', 'gone')).toEqual([sha(only)])
    expect(await storage.has('w', sha(only))).toBeNull()
    expect(await storage.referencesOf('w', shared.hash)).toEqual(['kept'])
    expect(await storage.bytesStored('w')).toBe(shared.bytes.byteLength)
    if (holds) expect(await holds(marker)).toBe(false)
    expect(await storage.dropNote('w', 'gone')).toEqual([])
    expect(await storage.dropNote('w', 'kept')).toEqual([shared.hash])
    expect(await storage.bytesStored()).toBe(0)
  })

  it('stores a blob again after its last reference went', async () => {
    const { storage } = await open()
    const { bytes, hash } = blob('back again')
    await storage.put('w', hash, bytes, 'text/plain; charset=utf-8', 'n1')
    await storage.dropNote('w', 'n1')
    expect(await storage.put('w', hash, bytes, 'text/plain; charset=utf-8', 'n2')).toMatchObject({ created: true })
    expect(await storage.referencesOf('w', hash)).toEqual(['n2'])
  })

  it('keeps every reference when uploads and a purge of the same blob race', async () => {
    const { storage } = await open()
    const { bytes, hash } = blob('raced')
    for (let round = 0; round < 20; round++) {
      await storage.put('w', hash, bytes, 'text/plain; charset=utf-8', `purged${round}`)
      const notes = Array.from({ length: 6 }, (_, i) => `r${round}n${i}`)
      await Promise.all([storage.dropNote('w', `purged${round}`), ...notes.map((note) => storage.put('w', hash, bytes, 'text/plain; charset=utf-8', note))])
      // Whatever the order, every upload that resolved is referenced and its blob is there.
      expect(await storage.has('w', hash), `round ${round}`).not.toBeNull()
      expect(await storage.referencesOf('w', hash)).toEqual(expect.arrayContaining(notes))
      for (const note of notes) await storage.dropNote('w', note)
      expect(await storage.has('w', hash)).toBeNull()
    }
  })

  it('refuses a malformed hash, workspace or note id with a precise error', async () => {
    const { storage } = await open()
    const { bytes, hash } = blob('x')
    await expect(storage.put('w', hash.toUpperCase(), bytes, 't', 'n1')).rejects.toThrow(BlobStorageError)
    await expect(storage.put('w', hash, bytes, 't', 'bad id!')).rejects.toThrow(/invalid note id/)
    await expect(storage.has('', hash)).rejects.toThrow(/invalid workspace/)
    await expect(storage.get('w', 'abc')).rejects.toThrow(/not a SHA-256 hex hash/)
  })
})
