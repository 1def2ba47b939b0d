// Attachments end to end: the real relay on a free port, real SQLite files or a real PostgreSQL,
// plain HTTP clients. Every claim about what is stored is checked in the storage's own files or rows.
import Database from 'better-sqlite3'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { BLOBS_PATH, blobPath } from '../../protocol/http-api'
import { encodeContentSnapshot } from '../../protocol/meta/snapshots'
import { AuthTable } from '../../server/auth'
import { BLOBS_FILE_NAME } from '../../server/blobs/sqlite'
import { PostgresBlobStorage } from '../../server/postgres/blob-storage'
import { PostgresDocStorage } from '../../server/postgres/doc-storage'
import { PostgresMetaStorage } from '../../server/postgres/meta-storage'
import type { RelayOptions } from '../../server/relay'
import { allChanges, metricValue, op, rawRequest, sendOps } from '../helpers/meta'
import { startTestRelay, tempDir, waitFor } from '../helpers/relay'
import { startPostgres, type PostgresServer } from '../helpers/servers'

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')
const fixture = (name: string): Buffer => readFileSync(join(__dirname, '../fixtures/attachments', name))

const TOKENS = { a: 'token-of-workspace-a-0001', aReadOnly: 'token-a-read-only-000001', b: 'token-of-workspace-b-0001' }
const AUTH = AuthTable.parse(
  JSON.stringify({
    tokens: [
      { token: TOKENS.a, workspace: 'wa', access: 'read-write' },
      { token: TOKENS.aReadOnly, workspace: 'wa', access: 'read-only' },
      { token: TOKENS.b, workspace: 'wb', access: 'read-write' },
    ],
  }),
)

/** What the relay's attachment storage holds, read beside it (never through the relay). */
interface GroundTruth {
  blobs(): Promise<{ workspace: string; hash: string; size: number }[]>
  refs(): Promise<{ workspace: string; note: string; hash: string }[]>
  /** Whether these bytes are anywhere in the storage (files for SQLite, rows for PostgreSQL). */
  holds(marker: Buffer): Promise<boolean>
}

interface Backend {
  start(options?: Partial<RelayOptions>): Promise<{ url: string; truth: GroundTruth }>
}

let postgres: PostgresServer | undefined
beforeAll(async () => {
  postgres = await startPostgres()
}, 60_000)
afterAll(async () => {
  await postgres?.stop()
})

const sqlite: Backend = {
  async start(options = {}) {
    const dataDir = tempDir()
    const relay = await startTestRelay({ dataDir, auth: AUTH, ...options })
    const read = <T>(sql: string): T[] => {
      const db = new Database(join(dataDir, BLOBS_FILE_NAME), { readonly: true, fileMustExist: true })
      try {
        return db.prepare(sql).all() as T[]
      } finally {
        db.close()
      }
    }
    return {
      url: relay.url,
      truth: {
        blobs: async () => read('SELECT workspace, hash, size FROM blobs ORDER BY workspace, hash'),
        refs: async () => read('SELECT workspace, note_id AS note, hash FROM blob_refs ORDER BY workspace, note_id, hash'),
        holds: async (marker) =>
          [BLOBS_FILE_NAME, `${BLOBS_FILE_NAME}-wal`]
            .map((n) => join(dataDir, n))
            .filter(existsSync)
            .some((f) => readFileSync(f).includes(marker)),
      },
    }
  },
}

const postgresBackend: Backend = {
  async start(options = {}) {
    const url = await postgres!.createDatabase()
    const [docs, meta, blobs] = await Promise.all([PostgresDocStorage.open(url), PostgresMetaStorage.open(url), PostgresBlobStorage.open(url)])
    const relay = await startTestRelay({ storage: { docs, meta, blobs }, auth: AUTH, ...options })
    const query = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        return (await client.query(sql, params)).rows as T[]
      } finally {
        await client.end()
      }
    }
    return {
      url: relay.url,
      truth: {
        blobs: async () => (await query<{ workspace: string; hash: string; size: string }>('SELECT workspace, hash, size FROM blobs ORDER BY workspace, hash')).map((r) => ({ ...r, size: Number(r.size) })),
        refs: () => query('SELECT workspace, note_id AS note, hash FROM blob_refs ORDER BY workspace, note_id, hash'),
        holds: async (marker) => (await query('SELECT 1 FROM blobs WHERE position($1::bytea in data) > 0', [marker])).length > 0,
      },
    }
  },
}

async function put(url: string, hash: string, body: Uint8Array, { token = TOKENS.a, note = 'n1', type }: { token?: string | null; note?: string | null; type?: string } = {}) {
  const headers: Record<string, string> = {}
  if (token) headers.authorization = `Bearer ${token}`
  if (type) headers['content-type'] = type
  const res = await fetch(`${url}${blobPath(hash)}${note === null ? '' : `?note=${note}`}`, { method: 'PUT', headers, body: Buffer.from(body) })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

async function get(url: string, hash: string, { token = TOKENS.a, method = 'GET', headers = {} }: { token?: string; method?: string; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${url}${blobPath(hash)}`, { method, headers: { authorization: `Bearer ${token}`, ...headers } })
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) }
}

/** Sends `chunks` as a chunked body (no Content-Length), pausing between them; resolves with the answer as soon as it comes. */
function putChunked(url: string, hash: string, chunks: Buffer[], token = TOKENS.a): Promise<{ status: number; text: string; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0
    const req = request(`${url}${blobPath(hash)}?note=n1`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'transfer-encoding': 'chunked' } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (text += d))
      res.on('end', () => resolve({ status: res.statusCode!, text, sent }))
    })
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)))
    const next = (i: number): void => {
      if (i === chunks.length || req.destroyed) return
      sent += chunks[i]!.byteLength
      req.write(chunks[i]!)
      setTimeout(() => next(i + 1), 50)
    }
    next(0)
    // Never ended: an answer can only come from the relay reading the chunks as they arrive.
  })
}

/**
 * Sends a PUT's headers, declaring `contentLength` bytes, and none of its body: only an answer the
 * relay gives before reading a body can come back.
 */
function answerBeforeBody(url: string, hash: string, note: string, contentLength: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${blobPath(hash)}?note=${note}`, { method: 'PUT', headers: { authorization: `Bearer ${TOKENS.a}`, 'content-length': contentLength } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (text += d))
      res.on('end', () => resolve({ status: res.statusCode!, text }))
    })
    req.on('error', reject)
    req.flushHeaders()
    setTimeout(() => {
      req.destroy()
      reject(new Error('no answer without the body'))
    }, 3000).unref()
  })
}

/** Trashes then deletes forever, as a device that saw nothing of the note's content. */
async function deleteForever(url: string, id: string, token: string): Promise<void> {
  const snapshot = encodeContentSnapshot(new Y.Doc())
  const results = await sendOps(url, [op('note.trash', id, { snapshot }), op('note.delete', id, { snapshot })], token)
  expect(results.map((r) => r.status)).toEqual(['applied', 'applied'])
}

describe.each([
  ['SQLite', sqlite],
  ['PostgreSQL', postgresBackend],
])('attachments on a relay with %s', (_name, backend) => {
  it('asks for a token, and refuses uploads from a read-only one; nothing is stored', async () => {
    const { url, truth } = await backend.start()
    const bytes = fixture('pixel.png')
    const hash = sha(bytes)
    expect(await put(url, hash, bytes, { token: null })).toEqual({ status: 401, body: { error: 'missing token' } })
    expect(await put(url, hash, bytes, { token: 'not-a-token-of-this-relay' })).toEqual({ status: 401, body: { error: 'unknown token' } })
    expect((await put(url, hash, bytes, { token: TOKENS.aReadOnly })).status).toBe(403)
    expect((await get(url, hash, { token: 'not-a-token-of-this-relay' })).status).toBe(401)
    expect(await truth.blobs()).toEqual([])

    expect((await put(url, hash, bytes)).status).toBe(201)
    // Reading is what a read-only token is for.
    const read = await get(url, hash, { token: TOKENS.aReadOnly })
    expect(read.status).toBe(200)
    expect(read.bytes.equals(bytes)).toBe(true)
  })

  it('keeps workspaces apart: the right hash from another workspace is 404, and its upload is a blob of its own', async () => {
    const { url, truth } = await backend.start()
    const bytes = randomBytes(2000)
    const hash = sha(bytes)
    expect(await put(url, hash, bytes)).toMatchObject({ status: 201 })
    expect(await get(url, hash, { token: TOKENS.b })).toMatchObject({ status: 404 })
    expect((await get(url, hash, { token: TOKENS.b, method: 'HEAD' })).status).toBe(404)
    expect(await get(url, hash, { token: TOKENS.b, headers: { 'if-none-match': `"${hash}"` } })).toMatchObject({ status: 404 })
    // Uploading it from B tells B nothing about A: created, as if A had never had it.
    expect(await put(url, hash, bytes, { token: TOKENS.b })).toMatchObject({ status: 201 })
    expect((await truth.blobs()).map((b) => b.workspace)).toEqual(['wa', 'wb'])
  })

  it('stores nothing when the bytes do not match the hash, and refuses malformed hashes and note ids', async () => {
    const { url, truth } = await backend.start()
    const bytes = fixture('pixel.png')
    expect(await put(url, sha(Buffer.from('something else')), bytes)).toEqual({ status: 422, body: { error: 'hash mismatch' } })
    expect(await truth.blobs()).toEqual([])
    expect(await truth.refs()).toEqual([])

    for (const path of [`${BLOBS_PATH}/${sha(bytes).toUpperCase()}`, `${BLOBS_PATH}/${sha(bytes).slice(1)}`, `${BLOBS_PATH}/${sha(bytes)}/x`, `${BLOBS_PATH}/`, BLOBS_PATH]) {
      const res = await rawRequest(url, { method: 'PUT', path: `${path}?note=n1`, headers: { authorization: `Bearer ${TOKENS.a}` }, body: bytes })
      expect({ path, status: res.status, text: res.text }).toEqual({ path, status: 400, text: JSON.stringify({ error: 'bad hash' }) })
    }
    expect((await put(url, sha(bytes), bytes, { note: null })).status).toBe(400)
    expect((await put(url, sha(bytes), bytes, { note: 'not%20an%20id' })).status).toBe(400)
    expect(await truth.blobs()).toEqual([])
  })

  it('refuses a body over the limit, by its Content-Length before reading it and by counting a chunked one as it streams', async () => {
    const limit = 64 * 1024
    const { url, truth } = await backend.start({ limits: { maxAttachmentBytes: limit } })
    const big = randomBytes(limit + 1)
    const declared = await rawRequest(url, { method: 'PUT', path: `${blobPath(sha(big))}?note=n1`, headers: { authorization: `Bearer ${TOKENS.a}`, 'content-length': big.byteLength }, body: big })
    expect(declared).toMatchObject({ status: 413, text: JSON.stringify({ error: 'too large', limit }) })
    // Declared too large: refused from the headers, the body never read (here: never sent).
    expect(await answerBeforeBody(url, sha(big), 'n1', 10 * 1024 ** 3)).toEqual({ status: 413, text: JSON.stringify({ error: 'too large', limit }) })

    // No Content-Length: the relay answers while the client is still sending, after at most the limit.
    const chunks = Array.from({ length: 40 }, () => randomBytes(16 * 1024))
    const streamed = await putChunked(url, sha(Buffer.concat(chunks)), chunks)
    expect(streamed.status).toBe(413)
    expect(JSON.parse(streamed.text)).toEqual({ error: 'too large', limit })
    expect(streamed.sent).toBeLessThan(Buffer.concat(chunks).byteLength)
    expect(await truth.blobs()).toEqual([])

    // Exactly the limit is fine; so is an empty body whose hash matches.
    const atLimit = randomBytes(limit)
    expect(await put(url, sha(atLimit), atLimit)).toMatchObject({ status: 201, body: { size: limit } })
    const empty = new Uint8Array(0)
    expect(await put(url, sha(empty), empty)).toEqual({ status: 201, body: { hash: sha(empty), size: 0, type: 'application/octet-stream' } })
    expect((await get(url, sha(empty))).bytes.byteLength).toBe(0)
  })

  it('answers a repeated upload 200 with the same body, recording each note that references the blob', async () => {
    const { url, truth } = await backend.start()
    const bytes = fixture('pixel.jpg')
    const hash = sha(bytes)
    const first = await put(url, hash, bytes, { note: 'n1' })
    expect(first).toEqual({ status: 201, body: { hash, size: bytes.byteLength, type: 'image/jpeg' } })
    expect(await put(url, hash, bytes, { note: 'n1' })).toEqual({ ...first, status: 200 })
    expect(await put(url, hash, bytes, { note: 'n2' })).toEqual({ ...first, status: 200 })
    expect(await truth.blobs()).toEqual([{ workspace: 'wa', hash, size: bytes.byteLength }])
    expect(await truth.refs()).toEqual([
      { workspace: 'wa', note: 'n1', hash },
      { workspace: 'wa', note: 'n2', hash },
    ])
    const metrics = await (await fetch(`${url}/metrics`)).text()
    expect(metricValue(metrics, 'skein_blob_uploads_total{result="created"}')).toBe(1)
    expect(metricValue(metrics, 'skein_blob_uploads_total{result="existed"}')).toBe(2)
    expect(metricValue(metrics, 'skein_blob_bytes_stored')).toBe(bytes.byteLength)
  })

  it('serves raster images inline and everything else as a download, under the type of the bytes, never the uploader’s', async () => {
    const { url } = await backend.start()
    const cases: [string, Buffer, string | undefined, string, 'inline' | 'attachment'][] = [
      ['png', fixture('pixel.png'), 'image/png', 'image/png', 'inline'],
      ['webp', fixture('pixel.webp'), undefined, 'image/webp', 'inline'],
      ['svg', fixture('drawing.svg'), 'image/svg+xml', 'text/plain; charset=utf-8', 'attachment'],
      ['html', fixture('page.html'), 'text/html', 'text/plain; charset=utf-8', 'attachment'],
      ['html claiming to be a png', fixture('page.html'), 'image/png', 'text/plain; charset=utf-8', 'attachment'],
      ['pdf', fixture('page.pdf'), 'image/png', 'application/pdf', 'attachment'],
    ]
    for (const [what, bytes, claimed, type, disposition] of cases) {
      const hash = sha(bytes)
      expect((await put(url, hash, bytes, { ...(claimed ? { type: claimed } : {}) })).body, what).toMatchObject({ type })
      for (const method of ['GET', 'HEAD']) {
        const res = await get(url, hash, { method })
        expect(res.status).toBe(200)
        expect(
          {
            what,
            method,
            type: res.headers.get('content-type'),
            disposition: res.headers.get('content-disposition'),
            nosniff: res.headers.get('x-content-type-options'),
            csp: res.headers.get('content-security-policy'),
            cache: res.headers.get('cache-control'),
            etag: res.headers.get('etag'),
            length: res.headers.get('content-length'),
          },
          what,
        ).toEqual({
          what,
          method,
          type,
          disposition,
          nosniff: 'nosniff',
          csp: "default-src 'none'; sandbox",
          cache: 'private, max-age=31536000, immutable',
          etag: `"${hash}"`,
          length: String(bytes.byteLength),
        })
        expect(res.bytes.equals(method === 'GET' ? bytes : Buffer.alloc(0))).toBe(true)
      }
    }
  })

  it('answers 304 to a matching If-None-Match, and 404 for a blob it does not have', async () => {
    const { url } = await backend.start()
    const bytes = fixture('equation.gif')
    const hash = sha(bytes)
    await put(url, hash, bytes)
    const cached = await get(url, hash, { headers: { 'if-none-match': `"${hash}"` } })
    expect(cached.status).toBe(304)
    expect(cached.bytes.byteLength).toBe(0)
    expect(cached.headers.get('etag')).toBe(`"${hash}"`)
    expect((await get(url, hash, { headers: { 'if-none-match': `"${sha(Buffer.from('other'))}"` } })).status).toBe(200)
    const missing = await get(url, sha(Buffer.from('never uploaded')))
    expect({ status: missing.status, body: missing.bytes.toString() }).toEqual({ status: 404, body: JSON.stringify({ error: 'no such blob' }) })
  })

  it("purges a note's attachments with the note (retention 0): gone from storage, kept while another note uses them, and uploads for it refused", async () => {
    const { url, truth } = await backend.start({ purgeAfterMs: 0 })
    const marker = Buffer.from(`attachment-${randomUUID()}`)
    const own = Buffer.concat([fixture('pixel.png'), marker, randomBytes(30_000)])
    const shared = Buffer.concat([Buffer.from('shared '), randomBytes(1000)])
    await sendOps(url, [op('note.create', 'doomed', { title: 'Doomed', folderId: null, tags: [] }), op('note.create', 'kept', { title: 'Kept', folderId: null, tags: [] })], TOKENS.a)
    expect((await put(url, sha(own), own, { note: 'doomed' })).status).toBe(201)
    expect((await put(url, sha(shared), shared, { note: 'doomed' })).status).toBe(201)
    expect((await put(url, sha(shared), shared, { note: 'kept' })).status).toBe(200)
    expect(await truth.holds(marker)).toBe(true)

    await deleteForever(url, 'doomed', TOKENS.a)
    await waitFor('the note purged (a tombstone in the feed)', async () =>
      (await allChanges(url, 0, TOKENS.a)).some((e) => e.id === 'doomed' && e.record?.type === 'note' && e.record.deleted && e.record.title === ''),
    )
    await waitFor('its attachment deleted', async () => (await truth.blobs()).length === 1)
    expect(await truth.blobs()).toEqual([{ workspace: 'wa', hash: sha(shared), size: shared.byteLength }])
    expect(await truth.refs()).toEqual([{ workspace: 'wa', note: 'kept', hash: sha(shared) }])
    expect(await truth.holds(marker)).toBe(false)
    expect((await get(url, sha(own))).status).toBe(404)
    expect((await get(url, sha(shared))).status).toBe(200)

    // The note is a tombstone now: attaching to it is refused and stores nothing.
    const late = Buffer.from(`late attachment ${randomUUID()}`)
    expect(await put(url, sha(late), late, { note: 'doomed' })).toEqual({ status: 409, body: { error: 'note deleted' } })
    expect(await answerBeforeBody(url, sha(late), 'doomed', late.byteLength)).toEqual({ status: 409, text: JSON.stringify({ error: 'note deleted' }) })
    expect((await truth.blobs()).map((b) => b.hash)).toEqual([sha(shared)])
    const metrics = await (await fetch(`${url}/metrics`)).text()
    expect(metricValue(metrics, 'skein_blobs_purged_total')).toBe(1)
    expect(metricValue(metrics, 'skein_blob_uploads_total{result="note-deleted"}')).toBe(2)
  })

  it('answers the desktop app’s preflight for blob requests, and no other origin’s', async () => {
    const { url } = await backend.start()
    const hash = sha(Buffer.from('x'))
    const ok = await fetch(`${url}${blobPath(hash)}`, { method: 'OPTIONS', headers: { origin: 'app://skein', 'access-control-request-method': 'PUT' } })
    expect(ok.status).toBe(204)
    expect(ok.headers.get('access-control-allow-methods')).toBe('GET, HEAD, PUT, OPTIONS')
    expect(ok.headers.get('access-control-allow-headers')).toContain('if-none-match')
    const other = await fetch(`${url}${blobPath(hash)}`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'PUT' } })
    expect(other.status).toBe(403)
  })
})
