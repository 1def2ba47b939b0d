import type { IncomingMessage, ServerResponse } from 'node:http'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import sirv from 'sirv'
import type { Registry } from 'prom-client'
import { CONTENT_SECURITY_POLICY } from '../../protocol/csp.js'
import { API_PREFIX, BLOBS_PATH } from '../../protocol/http-api.js'

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
  res.end(JSON.stringify(body))
}

export interface RouteOptions {
  /** Throws (or rejects) when storage cannot be written: `/readyz` answers 503. */
  checkWritable(): Promise<void>
  /** More to say in `/readyz` (e.g. whether Redis is up); never makes the relay unready. */
  readiness?: () => Record<string, unknown>
  /** Folder of the built web client, or null. */
  staticDir: string | null
  metrics: Registry
  /** The metadata API, for every path under `/v1` but the attachments'. */
  api: RequestHandler
  /** The attachment endpoints, `/v1/blobs` and below. */
  blobs: RequestHandler
}

/** `/healthz`, `/readyz`, `/metrics`, `/v1/…`, and the web client at `/` when `staticDir` holds a build. */
export function createRequestHandler({ checkWritable, readiness, staticDir, metrics, api, blobs }: RouteOptions): RequestHandler {
  const hasClient = staticDir !== null && existsSync(join(staticDir, 'index.html'))
  const serveStatic = hasClient
    ? sirv(staticDir, {
        single: true,
        etag: true,
        setHeaders(res, pathname) {
          // Hashed assets may be cached forever; the HTML that names them must be revalidated.
          if (pathname.endsWith('.html')) res.setHeader('cache-control', 'no-cache')
        },
      })
    : null

  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' })
    if (path === '/readyz') {
      checkWritable().then(
        () => sendJson(res, 200, { status: 'ready', ...readiness?.() }),
        (err: Error) => sendJson(res, 503, { status: 'unavailable', reason: err.message, ...readiness?.() }),
      )
      return
    }
    if (path === '/metrics') {
      metrics.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' })
          res.end(text)
        },
        (err: Error) => sendJson(res, 500, { error: err.message }),
      )
      return
    }
    if (path === BLOBS_PATH || path.startsWith(`${BLOBS_PATH}/`)) return blobs(req, res)
    if (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) return api(req, res)
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' })
    if (serveStatic) {
      res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY)
      res.setHeader('x-content-type-options', 'nosniff')
      return serveStatic(req, res, () => sendJson(res, 404, { error: 'not found' }))
    }
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
      res.end('Skein relay is running. The web client is not built here; run `npm run build:web`.\n')
      return
    }
    sendJson(res, 404, { error: 'not found' })
  }
}
