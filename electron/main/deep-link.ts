// skein://note/<id> deep links. They arrive three ways: in the first launch's argv
// (Windows/Linux), in a second instance's argv (Windows/Linux, via 'second-instance'), and as
// 'open-url' events (macOS, also for the launch itself). Every one is parsed here and only a
// well-formed note id ever reaches the renderer.
import type { App } from 'electron'
import { NOTE_ID_PATTERN } from '../ipc-contract.js'

export const DEEP_LINK_SCHEME = 'skein'

/**
 * The note id of `skein://note/<id>` (a trailing slash is tolerated, the id is lowercased), or
 * null for anything else: other hosts, extra path segments, query or fragment, credentials,
 * ports, and ids that are not the UUIDs the app creates.
 */
export function parseDeepLink(raw: string): string | null {
  if (raw.length > 200) return null
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return null
  }
  if (url.protocol !== `${DEEP_LINK_SCHEME}:` || url.host.toLowerCase() !== 'note') return null
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') return null
  const match = /^\/([^/]+)\/?$/.exec(url.pathname)
  const id = match?.[1]?.toLowerCase()
  return id !== undefined && NOTE_ID_PATTERN.test(id) ? id : null
}

/** The note a command line asks for: the first argument that is a skein:// link, if valid. */
export function deepLinkFromArgv(argv: readonly string[]): string | null {
  const link = argv.find((arg) => arg.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}:`))
  return link === undefined ? null : parseDeepLink(link)
}

const MAX_QUEUED = 20

/**
 * Note ids waiting for the renderer. The renderer takes them (IPC) when it subscribes and each
 * time it is nudged, so a link that launched the app is not lost while the page is loading, and
 * none is delivered twice.
 */
export class OpenNoteQueue {
  private ids: string[] = []

  push(id: string): void {
    this.ids.push(id)
    if (this.ids.length > MAX_QUEUED) this.ids.splice(0, this.ids.length - MAX_QUEUED)
  }

  take(): string[] {
    const ids = this.ids
    this.ids = []
    return ids
  }
}

/**
 * Registers skein:// with the OS and listens for macOS 'open-url'. Call before `ready` (macOS
 * may deliver the launching URL before it). In development (`electron .`) the OS must launch
 * Electron with the app's path, hence the extra arguments.
 */
export function setupDeepLinks(
  app: Pick<App, 'setAsDefaultProtocolClient' | 'on'>,
  proc: { defaultApp?: boolean; execPath: string; argv: readonly string[] },
  open: (id: string) => void,
): void {
  if (proc.defaultApp && proc.argv[1] !== undefined) {
    app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME, proc.execPath, [proc.argv[1]])
  } else {
    app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME)
  }
  app.on('open-url', (event, url) => {
    event.preventDefault()
    const id = parseDeepLink(url)
    if (id !== null) open(id)
  })
}
