// Navigation, new windows and permissions. The renderer never leaves app://skein/; links to
// the web open in the user's browser after an allowlist check; every permission is denied.
import type { App, Session, Shell, WebContents } from 'electron'
import { isAppUrl } from './protocol.js'

const EXTERNAL_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:'])

/**
 * The normalised URL to hand to shell.openExternal, or null when it must not be opened.
 * Parsing first (WHATWG rules strip leading whitespace and tab/newline inside the scheme, and
 * lowercase it) means `JAVASCRIPT:`, ` javascript:` and `java\tscript:` are all seen as
 * `javascript:` and refused; only http(s) with a host and mailto pass. Credentials in the URL are
 * refused because they are a common way to disguise the real host.
 */
export function externalUrlToOpen(url: string): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (!EXTERNAL_PROTOCOLS.has(parsed.protocol)) return null
  if (parsed.protocol !== 'mailto:' && parsed.hostname === '') return null
  if (parsed.username !== '' || parsed.password !== '') return null
  return parsed.href
}

export type OpenExternal = (url: string) => Promise<void>

function openIfAllowed(url: string, openExternal: OpenExternal): void {
  const safe = externalUrlToOpen(url)
  if (safe === null) return
  openExternal(safe).catch((error: unknown) => console.error('skein: openExternal failed', error))
}

type GuardedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>

/** Keeps one webContents inside the app: no navigation away, no new windows. */
export function guardWebContents(contents: GuardedContents, openExternal: OpenExternal): void {
  contents.on('will-navigate', (event) => {
    if (isAppUrl(event.url)) return
    event.preventDefault()
    openIfAllowed(event.url, openExternal)
  })
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    openIfAllowed(url, openExternal)
    return { action: 'deny' }
  })
}

type PermissionSession = Pick<
  Session,
  'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'
>

/** Denies every permission request and check (camera, notifications, geolocation, HID, ...). */
export function denyAllPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
  session.setDevicePermissionHandler(() => false)
}

/**
 * Guards every webContents the app ever creates (windows, devtools, anything later), and the
 * session's permissions. Call before the first window is created.
 */
export function setupNavigationSecurity(
  app: Pick<App, 'on'>,
  session: PermissionSession,
  shell: Pick<Shell, 'openExternal'>,
): void {
  denyAllPermissions(session)
  app.on('web-contents-created', (_event, contents) => {
    guardWebContents(contents, (url) => shell.openExternal(url))
  })
}
