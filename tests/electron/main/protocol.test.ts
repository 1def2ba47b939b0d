import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  APP_ENTRY_URL,
  CONTENT_SECURITY_POLICY,
  contentTypeFor,
  createAppProtocolHandler,
  registerAppScheme,
  resolveAppPath,
  setupAppProtocol,
} from '../../../electron/main/protocol.js'
import type { ReadFile } from '../../../electron/main/protocol.js'

const ROOT = path.resolve('/srv/skein/dist/renderer')

function fileFor(url: string): string | null {
  const result = resolveAppPath(url, ROOT)
  return result.kind === 'file' ? result.filePath : null
}

describe('resolveAppPath', () => {
  it('maps app://skein/assets/x.js to the file under the root', () => {
    expect(fileFor('app://skein/assets/index-abc.js')).toBe(path.join(ROOT, 'assets', 'index-abc.js'))
  })

  it('ignores the query string and fragment', () => {
    expect(fileFor('app://skein/assets/a.css?v=1#x')).toBe(path.join(ROOT, 'assets', 'a.css'))
  })

  it('serves index.html for the root and for extensionless client-side routes', () => {
    expect(fileFor('app://skein/')).toBe(path.join(ROOT, 'index.html'))
    expect(fileFor('app://skein')).toBe(path.join(ROOT, 'index.html'))
    expect(fileFor('app://skein/notes/123')).toBe(path.join(ROOT, 'index.html'))
  })

  it('does not fall back to index.html for paths with an extension', () => {
    expect(fileFor('app://skein/missing.js')).toBe(path.join(ROOT, 'missing.js'))
  })

  it('decodes percent-encoded names once', () => {
    expect(fileFor('app://skein/assets/a%20b.png')).toBe(path.join(ROOT, 'assets', 'a b.png'))
  })

  it.each([
    ['literal dot-dot', 'app://skein/../../etc/passwd'],
    ['dot-dot after a folder', 'app://skein/assets/../../secret.txt'],
    ['single dot segment', 'app://skein/./index.html'],
    ['encoded dot-dot', 'app://skein/%2e%2e/%2e%2e/etc/passwd'],
    ['upper-case encoded dot-dot', 'app://skein/%2E%2E/etc/passwd'],
    ['mixed encoded dot-dot', 'app://skein/.%2e/etc/passwd'],
    ['encoded slash', 'app://skein/..%2f..%2fetc%2fpasswd'],
    ['encoded backslash', 'app://skein/..%5c..%5cwindows%5cwin.ini'],
    ['literal backslash', 'app://skein/assets\\..\\..\\x.js'],
    ['NUL byte', 'app://skein/index.html%00.png'],
    ['absolute path via empty segment', 'app://skein//etc/passwd.txt'],
    ['drive letter', 'app://skein/C:%5Cwindows%5Cwin.ini'],
    ['malformed encoding', 'app://skein/%E0%A4%A.js'],
    ['another host', 'app://evil/index.html'],
    ['a look-alike host', 'app://skein.evil/index.html'],
    ['a port', 'app://skein:8080/index.html'],
    ['credentials', 'app://user:pw@skein/index.html'],
    ['another scheme', 'file:///etc/passwd'],
    ['https', 'https://skein/index.html'],
    ['not a URL', 'not a url'],
  ])('refuses %s', (_name, url) => {
    expect(resolveAppPath(url, ROOT).kind).toBe('forbidden')
  })

  it('refuses a relative root', () => {
    expect(resolveAppPath('app://skein/index.html', 'dist/renderer').kind).toBe('forbidden')
  })

  it('allows a file whose name merely starts with two dots', () => {
    expect(fileFor('app://skein/..hidden.txt')).toBe(path.join(ROOT, '..hidden.txt'))
  })
})

describe('contentTypeFor', () => {
  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['a.js', 'text/javascript; charset=utf-8'],
    ['a.css', 'text/css; charset=utf-8'],
    ['a.svg', 'image/svg+xml'],
    ['a.WOFF2', 'font/woff2'],
    ['a.js.map', 'application/json; charset=utf-8'],
    ['a.wasm', 'application/wasm'],
    ['a.unknown', 'application/octet-stream'],
  ])('%s is served as %s', (file, type) => {
    expect(contentTypeFor(file)).toBe(type)
  })
})

describe('CONTENT_SECURITY_POLICY', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/)
      return [name, values] as const
    }),
  )

  it('allows scripts only from the app itself', () => {
    expect(directives.get('script-src')).toEqual(["'self'"])
    expect(directives.get('default-src')).toEqual(["'self'"])
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval')
    expect(directives.get('script-src')).not.toContain("'unsafe-inline'")
  })

  it('allows inline styles for the editor, data: and blob: images (note attachments), and any ws:/wss: relay', () => {
    expect(directives.get('style-src')).toEqual(["'self'", "'unsafe-inline'"])
    expect(directives.get('img-src')).toEqual(["'self'", 'data:', 'blob:'])
    expect(directives.get('connect-src')).toEqual(["'self'", 'ws:', 'wss:', 'http:', 'https:'])
  })

  it('shuts plugins, base rewriting, framing and form posts', () => {
    expect(directives.get('object-src')).toEqual(["'none'"])
    expect(directives.get('base-uri')).toEqual(["'none'"])
    expect(directives.get('frame-ancestors')).toEqual(["'none'"])
    expect(directives.get('form-action')).toEqual(["'none'"])
  })
})

describe('createAppProtocolHandler', () => {
  const files = new Map<string, string>([
    [path.join(ROOT, 'index.html'), '<!doctype html><title>Skein</title>'],
    [path.join(ROOT, 'assets', 'app.js'), 'console.log(1)'],
  ])
  const readFile: ReadFile = async (filePath) => {
    const text = files.get(filePath)
    if (text === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' })
    return new TextEncoder().encode(text)
  }
  const handler = createAppProtocolHandler(ROOT, readFile)

  it('serves index.html with the CSP header and nosniff', async () => {
    const response = await handler(new Request(APP_ENTRY_URL))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await response.text()).toContain('<title>Skein</title>')
  })

  it('serves scripts with a JavaScript type and without a CSP header', async () => {
    const response = await handler(new Request('app://skein/assets/app.js'))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(response.headers.get('content-security-policy')).toBeNull()
  })

  it('answers a client-side route with index.html', async () => {
    const response = await handler(new Request('app://skein/notes/abc'))
    expect(await response.text()).toContain('<title>Skein</title>')
  })

  it('answers 404 for a missing asset instead of index.html', async () => {
    const response = await handler(new Request('app://skein/assets/missing.js'))
    expect(response.status).toBe(404)
  })

  // Request (like Chromium) resolves literal and %2e dot segments itself, so the traversal that
  // reaches a handler is the kind hidden behind an encoded separator.
  it('answers 403 for traversal and never reads the file', async () => {
    const read: string[] = []
    const spyHandler = createAppProtocolHandler(ROOT, async (p) => {
      read.push(p)
      return readFile(p)
    })
    const response = await spyHandler(new Request('app://skein/..%2f..%2fetc%2fpasswd.txt'))
    expect(response.status).toBe(403)
    expect(read).toEqual([])
  })

  it('answers 405 to anything but GET and HEAD', async () => {
    const response = await handler(new Request('app://skein/index.html', { method: 'POST', body: 'x' }))
    expect(response.status).toBe(405)
  })

  it('answers 500 (not 404) when the file exists but cannot be read', async () => {
    const failing = createAppProtocolHandler(ROOT, async () => {
      throw Object.assign(new Error('EACCES'), { code: 'EACCES' })
    })
    expect((await failing(new Request('app://skein/index.html'))).status).toBe(500)
  })
})

describe('scheme registration', () => {
  it('registers app: as a standard, secure, fetch-capable scheme', () => {
    const calls: unknown[] = []
    registerAppScheme({ registerSchemesAsPrivileged: (schemes) => calls.push(schemes) })
    expect(calls).toEqual([
      [{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }],
    ])
  })

  it('setupAppProtocol installs a handler for app: that serves from the root', async () => {
    const handlers = new Map<string, (request: Request) => Response | Promise<Response>>()
    setupAppProtocol({ handle: (scheme, handler) => handlers.set(scheme, handler) }, ROOT, async () =>
      new TextEncoder().encode('<html>'),
    )
    expect([...handlers.keys()]).toEqual(['app'])
    const response = await handlers.get('app')?.(new Request('app://skein/'))
    expect(response?.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
  })
})
