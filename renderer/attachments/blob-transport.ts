// The relay's attachment endpoints as the client sees them: PUT and GET /v1/blobs/<sha256>.
// One interface so tests can put a misbehaving network in its place.

import { blobPath } from '../../protocol/http-api'

export interface PutAnswer {
  /** null: no answer at all (offline, relay down, connection cut). */
  readonly status: number | null
  readonly body: unknown
}

export interface BlobTransport {
  put(hash: string, noteId: string, bytes: ArrayBuffer, type: string): Promise<PutAnswer>
  /** The bytes, or null when the relay has no such blob (404). Throws when it cannot be asked. */
  get(hash: string): Promise<ArrayBuffer | null>
}

export class BlobUnavailable extends Error {
  override readonly name = 'BlobUnavailable'
}

export interface HttpBlobTransportOptions {
  baseUrl: string
  token: string | null
  fetch?: typeof fetch
  /** An upload of 25 MB on a slow link takes a while; what is abandoned is retried. */
  timeoutMs?: number
}

export class HttpBlobTransport implements BlobTransport {
  private readonly fetch: typeof fetch
  private readonly timeoutMs: number

  constructor(private readonly options: HttpBlobTransportOptions) {
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis)
    this.timeoutMs = options.timeoutMs ?? 120_000
  }

  private url(hash: string, query = ''): URL {
    return new URL(`${blobPath(hash)}${query}`, this.options.baseUrl)
  }

  private headers(): Headers {
    const headers = new Headers()
    if (this.options.token) headers.set('authorization', `Bearer ${this.options.token}`)
    return headers
  }

  async put(hash: string, noteId: string, bytes: ArrayBuffer, type: string): Promise<PutAnswer> {
    const headers = this.headers()
    headers.set('content-type', type || 'application/octet-stream')
    let response: Response
    try {
      response = await this.fetch(this.url(hash, `?note=${encodeURIComponent(noteId)}`), { method: 'PUT', headers, body: bytes, cache: 'no-store', signal: AbortSignal.timeout(this.timeoutMs) })
    } catch {
      return { status: null, body: null }
    }
    return { status: response.status, body: await response.json().catch(() => null) }
  }

  async get(hash: string): Promise<ArrayBuffer | null> {
    let response: Response
    try {
      response = await this.fetch(this.url(hash), { headers: this.headers(), signal: AbortSignal.timeout(this.timeoutMs) })
    } catch (err) {
      throw new BlobUnavailable(`relay unreachable (${(err as Error).message})`)
    }
    if (response.status === 404) return null
    if (!response.ok) throw new BlobUnavailable(`relay answered ${response.status}`)
    return response.arrayBuffer()
  }
}
