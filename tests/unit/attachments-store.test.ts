// The attachment store and its upload queue on fake-indexeddb, against a relay stand-in that
// keeps what it is sent and answers as the relay's blob endpoints do. Claims are checked against
// what IndexedDB holds (read back by a fresh store, or straight from the database) and what the
// relay stand-in stored.

import { IDBFactory, IDBObjectStore } from 'fake-indexeddb'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Attachments, RECENT_NOTES, sha256Hex, type AttachmentRow } from '../../renderer/attachments/attachments'
import type { BlobTransport, PutAnswer } from '../../renderer/attachments/blob-transport'
import { AttachmentSpaceError, ATTACHMENTS_DB } from '../../renderer/attachments/local-store'
import { uploadVerdict } from '../../renderer/attachments/upload-rules'

/** Keeps blobs like the relay: checks the hash and the size limit; `down` answers nothing. */
class RelayStandIn implements BlobTransport {
  readonly stored = new Map<string, Uint8Array>()
  readonly refs = new Set<string>()
  down = false
  limit = 25 * 1024 * 1024
  puts = 0
  gets = 0
  corrupt = false

  async put(hash: string, noteId: string, bytes: ArrayBuffer): Promise<PutAnswer> {
    this.puts++
    if (this.down) return { status: null, body: null }
    if (bytes.byteLength > this.limit) return { status: 413, body: { error: 'too large', limit: this.limit } }
    if ((await sha256Hex(bytes)) !== hash) return { status: 422, body: { error: 'hash mismatch' } }
    const existed = this.stored.has(hash)
    this.stored.set(hash, new Uint8Array(bytes.slice(0)))
    this.refs.add(`${hash} ${noteId}`)
    return { status: existed ? 200 : 201, body: { hash, size: bytes.byteLength, type: 'application/octet-stream' } }
  }

  get(hash: string): Promise<ArrayBuffer | null> {
    this.gets++
    if (this.down) return Promise.reject(new Error('relay unreachable'))
    const bytes = this.stored.get(hash)
    if (!bytes) return Promise.resolve(null)
    const copy = bytes.slice()
    if (this.corrupt) copy[0] = copy[0]! ^ 0xff
    return Promise.resolve(copy.buffer)
  }
}

const open: Attachments[] = []
afterEach(async () => {
  vi.restoreAllMocks()
  for (const store of open.splice(0)) await store.close()
})

async function openStore(factory: IDBFactory, relay: RelayStandIn | null, estimate = () => Promise.resolve({})): Promise<Attachments> {
  const store = await Attachments.open({ factory, transport: Promise.resolve(relay), estimate })
  open.push(store)
  return store
}

const bytesOf = (text: string): ArrayBuffer => new TextEncoder().encode(text).buffer
const rowOf = (store: Attachments, hash: string): AttachmentRow | undefined => store.rows.get().find((r) => r.hash === hash)

/** Every key of one object store of the attachments database, read straight from IndexedDB. */
function keysIn(factory: IDBFactory, storeName: string): Promise<IDBValidKey[]> {
  return new Promise((resolve, reject) => {
    const req = factory.open(ATTACHMENTS_DB)
    req.onsuccess = () => {
      const db = req.result
      const keys = db.transaction(storeName).objectStore(storeName).getAllKeys()
      keys.onsuccess = () => {
        db.close()
        resolve(keys.result)
      }
      keys.onerror = () => reject(keys.error)
    }
    req.onerror = () => reject(req.error)
  })
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

const H = 'a'.repeat(64)

describe('upload verdicts', () => {
  it('refuses for good what the relay will never take, with words a writer understands, and retries the rest', () => {
    expect(uploadVerdict(413, { error: 'too large', limit: 25 * 1024 * 1024 }, H)).toEqual({ kind: 'refused', reason: 'Too large for the relay (limit 25 MB)' })
    expect(uploadVerdict(413, { error: 'too large', limit: 1_572_864 }, H)).toEqual({ kind: 'refused', reason: 'Too large for the relay (limit 1.5 MB)' })
    expect(uploadVerdict(422, { error: 'hash mismatch' }, H).kind).toBe('refused')
    expect(uploadVerdict(409, { error: 'note deleted' }, H)).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/deleted forever/) })
    expect(uploadVerdict(400, { error: 'bad hash' }, H).kind).toBe('refused')
    expect(uploadVerdict(401, null, H)).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/token/) })
    expect(uploadVerdict(403, null, H)).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/only read/) })
    expect(uploadVerdict(503, { error: 'storage failed' }, H)).toEqual({ kind: 'retry', reason: 'relay answered 503 (storage failed)' })
    expect(uploadVerdict(null, null, H)).toEqual({ kind: 'retry', reason: 'relay unreachable' })
    expect(uploadVerdict(201, { hash: H, size: 1, type: 'image/png' }, H)).toEqual({ kind: 'stored' })
    expect(uploadVerdict(200, { hash: H, size: 1, type: 'image/png' }, H)).toEqual({ kind: 'stored' })
    // A 200 that does not name the hash (a static server's index.html) is not an acknowledgement.
    expect(uploadVerdict(200, null, H)).toEqual({ kind: 'retry', reason: 'the relay sent an unreadable answer' })
    expect(uploadVerdict(201, { hash: 'f'.repeat(64) }, H).kind).toBe('retry')
  })
})

describe('the attachment store', () => {
  it('keeps bytes once per SHA-256 however many notes add them', async () => {
    const factory = new IDBFactory()
    const store = await openStore(factory, null)
    const a = await store.add('note-1', bytesOf('same picture'), 'a.png', 'image/png')
    const b = await store.add('note-2', bytesOf('same picture'), 'b.png', 'image/png')
    expect(a.hash).toBe(b.hash)
    expect(a.hash).toBe(await sha256Hex(bytesOf('same picture')))
    expect(await keysIn(factory, 'bytes')).toEqual([a.hash])
    expect(rowOf(store, a.hash)).toMatchObject({ status: 'waiting', name: 'a.png', size: 12 })
  })

  it('uploads queued files after a restart: relay down, store reopened, relay back', async () => {
    const factory = new IDBFactory()
    const relay = new RelayStandIn()
    relay.down = true
    const first = await openStore(factory, relay)
    first.startUploads()
    const info = await first.add('note-1', bytesOf('holiday photo'), 'photo.jpg', 'image/jpeg')
    await until('a failed attempt', () => rowOf(first, info.hash)?.reason === 'relay unreachable')
    await first.close()
    open.splice(open.indexOf(first), 1)

    relay.down = false
    const second = await openStore(factory, relay)
    expect(rowOf(second, info.hash)?.status).toBe('waiting') // read back from IndexedDB
    second.startUploads()
    await second.retry() // due now rather than at its backoff time
    await until('the upload', () => rowOf(second, info.hash)?.status === 'stored')
    expect(Buffer.from(relay.stored.get(info.hash)!).toString()).toBe('holiday photo')
    expect(relay.refs.has(`${info.hash} note-1`)).toBe(true)
    expect(await keysIn(factory, 'uploads')).toEqual([])
  })

  it('shows a refusal (too large) without losing the bytes, and uploads them on Retry once the relay takes them', async () => {
    const factory = new IDBFactory()
    const relay = new RelayStandIn()
    relay.limit = 4
    const store = await openStore(factory, relay)
    store.startUploads()
    const info = await store.add('note-1', bytesOf('a large diagram'), 'diagram.pdf', 'application/pdf')
    await until('the refusal', () => rowOf(store, info.hash)?.status === 'refused')
    expect(rowOf(store, info.hash)?.reason).toBe('Too large for the relay (limit 1 kB)')
    const putsAfterRefusal = relay.puts
    await new Promise((r) => setTimeout(r, 100))
    expect(relay.puts).toBe(putsAfterRefusal) // refused for good: not retried by itself
    expect(await keysIn(factory, 'bytes')).toEqual([info.hash])
    expect(new TextDecoder().decode(await (await store.blob(info, 'note-1')).arrayBuffer())).toBe('a large diagram')

    relay.limit = 1024
    await store.retry(info.hash)
    await until('the upload', () => rowOf(store, info.hash)?.status === 'stored')
    expect(relay.stored.has(info.hash)).toBe(true)
  })

  it('says there is no space before storing a file that will not fit, and when IndexedDB refuses it', async () => {
    const factory = new IDBFactory()
    const full = await openStore(factory, null, () => Promise.resolve({ usage: 1000, quota: 1010 }))
    await expect(full.add('note-1', bytesOf('more than ten bytes'), 'x.png', 'image/png')).rejects.toThrow(new AttachmentSpaceError())
    expect(await keysIn(factory, 'bytes')).toEqual([])

    const roomy = await openStore(new IDBFactory(), null)
    const originalPut = IDBObjectStore.prototype.put
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'bytes') throw new DOMException('quota exceeded', 'QuotaExceededError')
      return originalPut.apply(this, args)
    })
    const error: unknown = await roomy.add('note-1', bytesOf('photo'), 'x.png', 'image/png').catch((err: unknown) => err)
    expect(error).toBeInstanceOf(AttachmentSpaceError)
    expect((error as Error).message).toBe('Not enough space on this device to keep this file')
    expect(roomy.rows.get()).toEqual([])
  })

  it('downloads what another device added once, checks it against its hash, and serves it offline afterwards', async () => {
    const relay = new RelayStandIn()
    const data = bytesOf('from device A')
    const hash = await sha256Hex(data)
    relay.stored.set(hash, new Uint8Array(data))
    const factory = new IDBFactory()
    const store = await openStore(factory, relay)
    const info = { hash, name: 'a.txt', type: 'text/plain', size: data.byteLength }

    relay.corrupt = true
    await expect(store.blob(info, 'note-1')).rejects.toThrow(/different bytes/)
    expect(await keysIn(factory, 'bytes')).toEqual([])
    relay.corrupt = false

    expect(await store.prefetch('note-1', [info])).toBe(1)
    relay.down = true
    const gets = relay.gets
    const again = await openStore(factory, relay)
    expect(new TextDecoder().decode(await (await again.blob(info, 'note-1')).arrayBuffer())).toBe('from device A')
    expect(relay.gets).toBe(gets)
    expect(rowOf(again, hash)?.status).toBe('stored')
  })

  it('drops an attachment when the last local note referring to it is deleted forever', async () => {
    const factory = new IDBFactory()
    const store = await openStore(factory, null)
    const shared = await store.add('note-1', bytesOf('shared'), 's.png', 'image/png')
    await store.add('note-2', bytesOf('shared'), 's.png', 'image/png')
    const own = await store.add('note-1', bytesOf('own'), 'o.png', 'image/png')

    await store.noteDeleted('note-1')
    expect(await keysIn(factory, 'bytes')).toEqual([shared.hash])
    expect(rowOf(store, own.hash)).toBeUndefined()
    await store.noteDeleted('note-2')
    expect(await keysIn(factory, 'bytes')).toEqual([])
    expect(await keysIn(factory, 'uploads')).toEqual([])
  })

  it('remembers the last 20 opened notes, newest first', async () => {
    const factory = new IDBFactory()
    const store = await openStore(factory, null)
    for (let i = 0; i < RECENT_NOTES + 5; i++) await store.noteOpened(`note-${i}`, [])
    await store.noteOpened('note-10', [])
    const reopened = await openStore(factory, null)
    expect(reopened.recentNotes()).toHaveLength(RECENT_NOTES)
    expect(reopened.recentNotes().slice(0, 2)).toEqual(['note-10', `note-${RECENT_NOTES + 4}`])
  })
})
