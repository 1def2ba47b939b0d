// HTTP plumbing for the /v1 metadata API: CORS for the desktop app, bounded JSON bodies, and
// error answers that are logged once each. The endpoints themselves are in service.ts.

import type { IncomingMessage, ServerResponse } from 'node:http'
import { OLDEST_PENDING_HEADER } from '../../protocol/http-api.js'
import { LIMITS } from '../../protocol/meta/parse.js'

/** The desktop app's origin (electron/main/protocol.ts); the only cross-origin caller allowed. */
export const APP_ORIGIN = 'app://skein'
/** See LIMITS.opsBodyBytes: clients size their batches by the same number. */
export const MAX_BODY_BYTES = LIMITS.opsBodyBytes

const ALLOWED_HEADERS = `authorization, content-type, ${OLDEST_PENDING_HEADER}`

/** An answer other than 200: the status, and the message for `{ error }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    /** More fields for the JSON answer beside `error` (e.g. the size limit of a 413). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
  }
}

/**
 * CORS headers for the response. Only the app's own origin is let in, never `*`: with an open
 * relay (no tokens) any web page could otherwise read and write a user's notes through their
 * browser. Same-origin requests (the web client the relay serves) need none.
 */
export function corsHeaders(req: IncomingMessage): Record<string, string> {
  if (req.headers.origin !== APP_ORIGIN) return { vary: 'Origin' }
  return { vary: 'Origin', 'access-control-allow-origin': APP_ORIGIN, 'access-control-expose-headers': 'retry-after' }
}

/** The answer to a CORS preflight for a known endpoint; `extraHeaders` are request headers it also takes. */
export function preflight(req: IncomingMessage, methods: string, extraHeaders: readonly string[] = []): { status: number; headers: Record<string, string> } {
  if (req.headers.origin !== APP_ORIGIN) throw new HttpError(403, 'origin not allowed')
  return {
    status: 204,
    headers: {
      ...corsHeaders(req),
      'access-control-allow-methods': `${methods}, OPTIONS`,
      'access-control-allow-headers': [ALLOWED_HEADERS, ...extraHeaders].join(', '),
      'access-control-max-age': '600',
    },
  }
}

export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...corsHeaders(req), ...headers })
  res.end(JSON.stringify(body))
}

/**
 * The request body as JSON. Requiring `application/json` is also what keeps other web pages out:
 * a cross-origin JSON POST needs a preflight, which only the app's origin passes.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) throw new HttpError(400, 'content-type must be application/json')
  const tooLarge = () => new HttpError(413, `body larger than ${maxBytes} bytes`, { connection: 'close' })
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw tooLarge()
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer): void => {
      size += chunk.byteLength
      if (size > maxBytes) {
        // Stop reading: the connection closes after the 413, so the rest is never buffered.
        req.off('data', onData)
        req.pause()
        reject(tooLarge())
        return
      }
      chunks.push(chunk)
    }
    req.on('data', onData)
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.once('error', (err) => reject(new HttpError(400, `request failed: ${err.message}`)))
  })
  try {
    return JSON.parse(text)
  } catch {
    throw new HttpError(400, 'body is not valid JSON')
  }
}

/** A non-negative integer query parameter, `fallback` when absent. */
export function intParam(params: URLSearchParams, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = params.get(name)
  if (raw === null) return fallback
  const value = Number(raw)
  if (raw.trim() === '' || !Number.isSafeInteger(value) || value < 0 || value > max) throw new HttpError(400, `${name} must be an integer from 0 to ${max}`)
  return value
}
