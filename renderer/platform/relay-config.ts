// The relay to sync with and the token to present, for either build.
import { desktopApi } from './desktop'
import { browserToken } from './browser-storage'
import { browserRelayUrl } from './relay-url'

export interface RelayEndpoint {
  /** Base WebSocket URL; rooms are `${wsUrl}/${room}` (y-websocket's serverUrl). */
  wsUrl: string
  /** The same relay over http(s), for fetch of `${httpUrl}/v1/...`. */
  httpUrl: string
  /** Send as y-websocket `params: { token }` and as `Authorization: Bearer <token>`; null = none. */
  token: string | null
}

/** ws://host:1234/team → http://host:1234/team (no trailing slash); wss → https. */
export function httpUrlFor(wsUrl: string): string {
  const url = new URL(wsUrl)
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:'
  url.search = ''
  url.hash = ''
  return url.href.replace(/\/+$/, '')
}

function config(wsUrl: string | null, token: string | null): RelayEndpoint | null {
  if (wsUrl === null || wsUrl.trim() === '') return null
  const base = wsUrl.trim().replace(/\/+$/, '')
  return { wsUrl: base, httpUrl: httpUrlFor(base), token }
}

/**
 * The relay and token, or null when no relay is configured (the app then works locally only).
 * Never throws: a failing preload call means "no relay", not "no app".
 */
export async function resolveRelayEndpoint(): Promise<RelayEndpoint | null> {
  const skein = desktopApi()
  if (!skein) return config(browserRelayUrl(), browserToken())
  try {
    const [{ relayUrl }, { token }] = await Promise.all([skein.getSettings(), skein.getRelayToken()])
    return config(relayUrl, token)
  } catch (err) {
    console.warn('skein: could not read the relay settings from the desktop shell', err)
    return null
  }
}
