// The relay's attachment endpoints: PUT, GET and HEAD /v1/blobs/<sha256> (docs/protocol.md,
// "Attachments (blob endpoints)"). Auth and workspaces are the /v1 API's; bytes are kept by a
// BlobStorage and served under the type sniffed from them, never the uploader's.

import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import { BLOBS_PATH, isBlobHash } from '../../protocol/http-api.js'
import { isValidId } from '../../protocol/meta/validate.js'
import { isInlineImage, sniffContentType } from '../../protocol/sniff.js'
import { tokenFromRequest, type Grant } from '../auth.js'
import type { BlobUploadResult, RelayHooks } from '../hooks.js'
import { corsHeaders, HttpError, preflight, sendJson } from '../meta/http.js'
import type { MetaStorage } from '../meta/storage.js'
import type { BlobInfo, BlobStorage } from './storage.js'

/**
 * Uploads read at once. Each holds up to the size limit in memory (the body, hashed as it comes);
 * later ones wait without reading, so TCP holds their senders back.
 */
export const MAX_UPLOADS_IN_FLIGHT = 4
/** Uploads that may wait for a slot; more are answered 503 (retry). */
export const MAX_UPLOADS_WAITING = 64
/** A content hash names immutable bytes: any cache may keep them for a year. */
export const BLOB_CACHE_CONTROL = 'private, max-age=31536000, immutable'
/** A blob is never a page: no scripts, no subresources, a unique origin even when opened. */
export const BLOB_CSP = "default-src 'none'; sandbox"
const RETRY_AFTER_SECONDS = '5'

export interface BlobServiceDeps {
  blobs: BlobStorage
  /** Whether the note is purged (deleted forever past its retention window: a tombstone). */
  meta: Pick<MetaStorage, 'purgedState'>
  /** The grant for a request's token under the current token table (null: refused). */
  grantFor(token: string | null): Grant | null
  /** Largest upload body, in bytes. */
  maxBytes: number
  hooks: Required<RelayHooks>
  log: Logger
}

/** Answers with a JSON body, counted as an upload ending with `result`. */
class UploadError extends HttpError {
  constructor(
    readonly result: BlobUploadResult,
    status: number,
    message: string,
    headers: Record<string, string> = {},
    details: Record<string, unknown> = {},
    /** Bytes of the body read before the answer (metrics). */
    public received = 0,
  ) {
    super(status, message, headers, details)
  }
}

export class BlobService {
  private closing = false
  private inFlight = 0
  private readonly waiting: (() => void)[] = []
  private readonly uploads = new Set<Promise<unknown>>()
  /** Requests whose bodies are being read: a closing relay cuts them off rather than wait. */
  private readonly reading = new Set<IncomingMessage>()

  constructor(private readonly deps: BlobServiceDeps) {}

  /** Answers a request whose path is `/v1/blobs` or below it. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://relay').pathname
    const answer = async (): Promise<void> => {
      if (req.method === 'OPTIONS') {
        const { status, headers } = preflight(req, 'GET, HEAD, PUT', ['if-none-match'])
        res.writeHead(status, headers).end()
        return
      }
      if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'PUT') throw new HttpError(405, 'method not allowed', { allow: 'GET, HEAD, PUT, OPTIONS' })
      if (this.closing) throw new HttpError(503, 'relay shutting down', { 'retry-after': RETRY_AFTER_SECONDS })
      const grant = this.authorize(req)
      const hash = path.startsWith(`${BLOBS_PATH}/`) ? path.slice(BLOBS_PATH.length + 1) : ''
      if (!isBlobHash(hash)) throw new HttpError(400, 'bad hash')
      if (req.method === 'PUT') return this.track(this.upload(req, res, grant, hash))
      return this.download(req, res, grant, hash)
    }
    answer().catch((err: unknown) => this.fail(req, res, path, err))
  }

  /**
   * Refuses new requests, cuts off uploads still sending their bodies (nothing of them is stored;
   * the client retries), lets those being stored finish, then closes the storage.
   */
  async close(): Promise<void> {
    this.closing = true
    for (const wake of this.waiting.splice(0)) wake()
    for (const req of this.reading) req.destroy()
    await Promise.allSettled([...this.uploads])
    await this.deps.blobs.close()
  }

  private authorize(req: IncomingMessage): Grant {
    const token = tokenFromRequest(req)
    const grant = this.deps.grantFor(token)
    if (!grant) throw new HttpError(401, token ? 'unknown token' : 'missing token')
    return grant
  }

  private async upload(req: IncomingMessage, res: ServerResponse, grant: Grant, hash: string): Promise<void> {
    const { blobs, maxBytes } = this.deps
    const workspace = grant.workspace
    // Answers before the body is read close the connection: the rest of the body is never read.
    const early = { connection: 'close' }
    if (grant.access !== 'read-write') throw new UploadError('refused', 403, 'this token is read-only', early)
    const noteId = new URL(req.url ?? '/', 'http://relay').searchParams.get('note')
    if (!isValidId(noteId)) throw new UploadError('refused', 400, 'note must be a note id (1–64 of A–Z, a–z, 0–9, _ or -)', early)
    const note = { workspace, noteId }
    const declared = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length'])
    if (declared !== null && declared > maxBytes) throw tooLarge(maxBytes, 0)
    if (await this.storing(() => this.deps.meta.purgedState(note))) throw new UploadError('note-deleted', 409, 'note deleted', early)

    await this.slot()
    let received = 0
    try {
      if (this.closing) throw new UploadError('failed', 503, 'relay shutting down', { 'retry-after': RETRY_AFTER_SECONDS, ...early })
      this.reading.add(req)
      const body = await readBody(req, maxBytes, declared).finally(() => this.reading.delete(req))
      received = body.bytes.byteLength
      if (body.hash !== hash) throw new UploadError('hash-mismatch', 422, 'hash mismatch', {}, {}, received)
      const type = sniffContentType(body.bytes)
      const { created, blob } = await this.storing(() => blobs.put(workspace, hash, body.bytes, type, noteId))
      // The note may have been purged while the body came: the purge dropped the note's
      // references before this one was written, so this request drops them itself.
      if (await this.storing(() => this.deps.meta.purgedState(note))) {
        await this.storing(() => blobs.dropNote(workspace, noteId))
        throw new UploadError('note-deleted', 409, 'note deleted', {}, {}, received)
      }
      this.deps.hooks.onBlobUpload({ workspace, result: created ? 'created' : 'existed', bytes: received })
      sendJson(req, res, created ? 201 : 200, { hash: blob.hash, size: blob.size, type: blob.type } satisfies BlobInfo)
    } catch (err) {
      if (err instanceof UploadError && err.received === 0) err.received = received
      throw err
    } finally {
      this.release()
    }
  }

  private async download(req: IncomingMessage, res: ServerResponse, grant: Grant, hash: string): Promise<void> {
    const { blobs } = this.deps
    const workspace = grant.workspace
    const etag = `"${hash}"`
    const conditional = matchesEtag(req.headers['if-none-match'], etag)
    const found = req.method === 'HEAD' || conditional ? await this.storing(() => blobs.has(workspace, hash)) : await this.storing(() => blobs.get(workspace, hash))
    if (!found) throw new HttpError(404, 'no such blob')
    const headers: Record<string, string> = {
      ...corsHeaders(req),
      etag,
      'cache-control': BLOB_CACHE_CONTROL,
      'x-content-type-options': 'nosniff',
      'content-security-policy': BLOB_CSP,
    }
    if (headers['access-control-allow-origin']) headers['access-control-expose-headers'] = 'retry-after, etag, content-disposition'
    if (conditional) {
      res.writeHead(304, headers).end()
      return
    }
    res.writeHead(200, {
      ...headers,
      'content-type': found.type,
      'content-length': String(found.size),
      // Only raster images may render; anything else (text, HTML, SVG as text, PDF) downloads.
      'content-disposition': isInlineImage(found.type) ? 'inline' : 'attachment',
    })
    res.end('bytes' in found && req.method === 'GET' ? found.bytes : undefined)
  }

  /** Waits for an upload slot (FIFO); 503 when too many already wait. */
  private async slot(): Promise<void> {
    if (this.inFlight < MAX_UPLOADS_IN_FLIGHT) {
      this.inFlight++
      return
    }
    if (this.waiting.length >= MAX_UPLOADS_WAITING) throw new UploadError('failed', 503, 'too many uploads at once; retry later', { 'retry-after': RETRY_AFTER_SECONDS, connection: 'close' })
    // The slot is handed over by `release` (inFlight stays counted), or freed by `close`.
    await new Promise<void>((resolve) => this.waiting.push(resolve))
  }

  private release(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.inFlight--
  }

  private track(upload: Promise<void>): Promise<void> {
    this.uploads.add(upload)
    void upload.catch(() => undefined).finally(() => this.uploads.delete(upload))
    return upload
  }

  /** Runs a storage call; a failure is a 503 the client retries, with nothing stored. */
  private async storing<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (error) {
      this.deps.hooks.onStorageError({ room: 'blobs', error })
      this.deps.log.error({ err: error }, 'attachment storage failed')
      throw new UploadError('failed', 503, 'attachment storage is unavailable; retry later', { 'retry-after': RETRY_AFTER_SECONDS })
    }
  }

  private fail(req: IncomingMessage, res: ServerResponse, path: string, err: unknown): void {
    const known = err instanceof HttpError
    const status = known ? err.status : 500
    const message = known ? err.message : 'internal error'
    if (req.method === 'PUT') {
      const workspace = this.deps.grantFor(tokenFromRequest(req))?.workspace ?? ''
      const result: BlobUploadResult = err instanceof UploadError ? err.result : status === 401 || status === 400 ? 'refused' : 'failed'
      this.deps.hooks.onBlobUpload({ workspace, result, bytes: err instanceof UploadError ? err.received : 0 })
    }
    const level = status >= 500 ? 'error' : 'info'
    // The path only: a token may travel in the query string.
    this.deps.log[level]({ method: req.method, path, status, reason: message, ip: req.socket.remoteAddress, ...(known ? {} : { err }) }, 'request rejected')
    if (req.method === 'HEAD' && !res.headersSent && !res.destroyed) {
      res.writeHead(status, { 'cache-control': 'no-store', ...corsHeaders(req), ...(known ? err.headers : {}) }).end()
      return
    }
    sendJson(req, res, status, { error: message, ...(known ? err.details : {}) }, known ? err.headers : {})
  }
}

const tooLarge = (limit: number, received: number): UploadError => new UploadError('too-large', 413, 'too large', { connection: 'close' }, { limit }, received)

/**
 * The body, hashed as it arrives. Stops reading (and rejects with 413) as soon as more than
 * `limit` bytes came, whatever Content-Length said: a chunked body has none. With a declared
 * length the buffer is allocated once.
 */
function readBody(req: IncomingMessage, limit: number, declared: number | null): Promise<{ bytes: Buffer; hash: string }> {
  return new Promise((resolve, reject) => {
    const hasher = createHash('sha256')
    const chunks: Buffer[] = []
    let whole = declared !== null && Number.isSafeInteger(declared) ? Buffer.allocUnsafe(declared) : null
    let size = 0
    const stop = (error: Error): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.pause()
      reject(error)
    }
    const onData = (chunk: Buffer): void => {
      if (size + chunk.byteLength > limit) return stop(tooLarge(limit, size))
      hasher.update(chunk)
      if (whole && size + chunk.byteLength > whole.byteLength) {
        // More than declared (Node's parser prevents it; kept correct regardless).
        chunks.push(whole.subarray(0, size))
        whole = null
      }
      if (whole) chunk.copy(whole, size)
      else chunks.push(chunk)
      size += chunk.byteLength
    }
    const onEnd = (): void => {
      req.off('close', onClose)
      resolve({ bytes: whole ? whole.subarray(0, size) : Buffer.concat(chunks, size), hash: hasher.digest('hex') })
    }
    const onClose = (): void => {
      if (!req.complete) stop(new UploadError('failed', 400, 'upload ended before its body did'))
    }
    req.on('data', onData)
    req.once('end', onEnd)
    req.once('close', onClose)
    req.once('error', (err) => stop(new UploadError('failed', 400, `request failed: ${err.message}`)))
  })
}

/** Whether an If-None-Match header names this ETag (or `*`); weak validators match too. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false
  return header.split(',').some((tag) => {
    const t = tag.trim()
    return t === '*' || t === etag || t === `W/${etag}`
  })
}
