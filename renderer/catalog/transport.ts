// The relay's metadata HTTP API as the sync worker sees it: POST /v1/ops and GET /v1/changes.
// One interface, so the simulation can put a hostile network in its place.

import { CHANGES_PATH, OLDEST_PENDING_HEADER, OPS_PATH } from '../../protocol/http-api'
import type { ChangesResponse, MetaOp, OpsResponse } from '../../protocol/meta/types'

export interface MetaTransport {
  postOps(ops: readonly MetaOp[], oldestPendingMs: number): Promise<OpsResponse>
  /** Long-polls up to `waitSeconds` for changes after `since`. */
  changes(since: number, waitSeconds: number, signal?: AbortSignal): Promise<ChangesResponse>
}

/** A request that did not get a usable answer. `status` is null when there was no answer at all. */
export class TransportError extends Error {
  override readonly name = 'TransportError'
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message)
  }
}

export interface HttpTransportOptions {
  /** http(s) base URL of the relay, e.g. `http://127.0.0.1:1234`. */
  baseUrl: string
  token: string | null
  fetch?: typeof fetch
  /** Abort a request that got no answer in this long. */
  timeoutMs?: number
  /** Abort a long-poll not answered this long after its wait ended (the relay answers at the end of the wait). */
  pollGraceMs?: number
}

export class HttpTransport implements MetaTransport {
  private readonly fetch: typeof fetch
  private readonly timeoutMs: number
  private readonly pollGraceMs: number

  constructor(private readonly options: HttpTransportOptions) {
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis)
    this.timeoutMs = options.timeoutMs ?? 15_000
    this.pollGraceMs = options.pollGraceMs ?? 3_000
  }

  postOps(ops: readonly MetaOp[], oldestPendingMs: number): Promise<OpsResponse> {
    return this.request<OpsResponse>(OPS_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [OLDEST_PENDING_HEADER]: String(Math.round(oldestPendingMs)) },
      body: JSON.stringify({ ops }),
    })
  }

  changes(since: number, waitSeconds: number, signal?: AbortSignal): Promise<ChangesResponse> {
    const query = new URLSearchParams({ since: String(since), wait: String(waitSeconds) })
    return this.request<ChangesResponse>(`${CHANGES_PATH}?${query}`, { method: 'GET' }, waitSeconds > 0 ? waitSeconds * 1000 + this.pollGraceMs : this.timeoutMs, signal)
  }

  private async request<T>(path: string, init: RequestInit, deadlineMs = this.timeoutMs, signal?: AbortSignal): Promise<T> {
    const timeout = AbortSignal.timeout(deadlineMs)
    const headers = new Headers(init.headers)
    if (this.options.token) headers.set('authorization', `Bearer ${this.options.token}`)
    let response: Response
    try {
      response = await this.fetch(new URL(path, this.options.baseUrl), { ...init, headers, cache: 'no-store', signal: signal ? AbortSignal.any([signal, timeout]) : timeout })
    } catch (err) {
      throw new TransportError(signal?.aborted ? 'cancelled' : `relay unreachable (${(err as Error).message})`, null)
    }
    const body = (await response.json().catch(() => null)) as (T & { error?: string }) | null
    if (!response.ok) throw new TransportError(body?.error ?? `relay answered ${response.status}`, response.status)
    if (body === null) throw new TransportError('relay sent an unreadable answer', 502)
    return body
  }
}
