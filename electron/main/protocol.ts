// The app:// scheme: the renderer is loaded from app://skein/ rather than file://.
// Why: the origin app://skein is the same on every install and after every update, so the
// renderer's IndexedDB (all local notes and the outbox) stays attached to it. A file:// origin is
// opaque and depends on the install path, which updates and portable builds can change. A
// privileged standard scheme also gets a real origin, fetch, and a CSP we control.
import { readFile as fsReadFile } from 'node:fs/promises'
import path from 'node:path'
import type { Protocol } from 'electron'
import { CONTENT_SECURITY_POLICY } from '../../protocol/csp.js'
import { errorCode } from './atomic-file.js'

export const APP_SCHEME = 'app'
export const APP_HOST = 'skein'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_ENTRY_URL = `${APP_ORIGIN}/`

/** Must run before the app's `ready` event (Electron ignores it afterwards). */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ])
}

/** True only for URLs whose origin is exactly app://skein (no port, no credentials). */
export function isAppUrl(url: string): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  return (
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.hostname.toLowerCase() === APP_HOST &&
    parsed.port === '' &&
    parsed.username === '' &&
    parsed.password === ''
  )
}

export type AppPathResolution =
  | { kind: 'file'; filePath: string }
  | { kind: 'forbidden'; reason: string }

const FORBIDDEN_IN_SEGMENT = /[\\/:\0]/

/**
 * Maps an app://skein/... URL to a file under `root`, or refuses it.
 * Dot segments (literal or %2e-encoded) are refused on the raw URL; then each path segment is
 * percent-decoded once and checked, so encoded separators (`..%2f`, `%5c`), drive letters and
 * NUL are refused too, and the joined path must still lie inside `root`. Extensionless
 * paths are client-side routes and get index.html (the SPA fallback); paths with an extension
 * name a file, which must then exist.
 */
export function resolveAppPath(url: string, root: string): AppPathResolution {
  if (!path.isAbsolute(root)) return { kind: 'forbidden', reason: 'root is not absolute' }
  if (!isAppUrl(url)) return { kind: 'forbidden', reason: 'not an app://skein URL' }
  // The URL parser resolves literal and %2e dot segments before we see the pathname; refuse
  // them on the raw text as well rather than silently serving a different file.
  const rawPath = url.split(/[?#]/, 1)[0]?.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '') ?? ''
  if (rawPath.split('/').some((raw) => /^(?:\.|%2e){1,2}$/i.test(raw))) {
    return { kind: 'forbidden', reason: 'dot segment' }
  }
  const rawSegments = new URL(url).pathname.split('/').slice(1)
  const segments: string[] = []
  for (const [index, raw] of rawSegments.entries()) {
    let segment: string
    try {
      segment = decodeURIComponent(raw)
    } catch {
      return { kind: 'forbidden', reason: 'malformed percent-encoding' }
    }
    if (segment === '') {
      if (index === rawSegments.length - 1) continue // trailing slash
      return { kind: 'forbidden', reason: 'empty path segment' }
    }
    if (segment === '.' || segment === '..' || FORBIDDEN_IN_SEGMENT.test(segment)) {
      return { kind: 'forbidden', reason: 'illegal path segment' }
    }
    segments.push(segment)
  }
  const last = segments.at(-1)
  const isRoute = last === undefined || path.extname(last) === ''
  const filePath = isRoute ? path.join(root, 'index.html') : path.join(root, ...segments)
  const relative = path.relative(root, filePath)
  if (relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
    return { kind: 'forbidden', reason: 'outside root' }
  }
  return { kind: 'file', filePath }
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
}

export function contentTypeFor(filePath: string): string {
  return CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream'
}

export { CONTENT_SECURITY_POLICY }

export type ReadFile = (filePath: string) => Promise<Uint8Array>

function textResponse(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
  })
}

/** The handler for protocol.handle('app', ...): serves files from `root` only. */
export function createAppProtocolHandler(
  root: string,
  readFile: ReadFile = fsReadFile,
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return textResponse(405, 'Method Not Allowed')
    const resolved = resolveAppPath(request.url, root)
    if (resolved.kind === 'forbidden') return textResponse(403, 'Forbidden')
    let body: Uint8Array
    try {
      body = await readFile(resolved.filePath)
    } catch (error) {
      const code = errorCode(error)
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return textResponse(404, 'Not Found')
      return textResponse(500, 'Internal Error')
    }
    const contentType = contentTypeFor(resolved.filePath)
    const headers: Record<string, string> = {
      'content-type': contentType,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    }
    if (contentType.startsWith('text/html')) headers['content-security-policy'] = CONTENT_SECURITY_POLICY
    return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers })
  }
}

/** After `ready`: serve the built renderer (dist/renderer) on app://skein/. */
export function setupAppProtocol(protocol: Pick<Protocol, 'handle'>, root: string, readFile?: ReadFile): void {
  protocol.handle(APP_SCHEME, createAppProtocolHandler(root, readFile))
}
