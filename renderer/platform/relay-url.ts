// Where the relay lives. Desktop: the relay URL from the shell's settings. Browser: the relay is
// the page's own origin (it served the page), or the dev relay under Vite's dev server.
import { desktopApi } from './desktop'

const DEV_DEFAULT_RELAY = 'ws://127.0.0.1:1234'

/** The relay for the browser build (no desktop shell), or null when the page has no relay. */
export function browserRelayUrl(): string | null {
  // The Vite dev server (it alone provides `import.meta.hot`). `import.meta.env.DEV` alone is not
  // enough: a production build run with NODE_ENV=test (e.g. from vitest) also has DEV = true.
  if (import.meta.env.DEV && import.meta.hot) return import.meta.env.VITE_SKEIN_RELAY ?? DEV_DEFAULT_RELAY
  // Served over http(s) by the relay itself: the relay is the origin.
  if (location.protocol === 'http:') return `ws://${location.host}`
  if (location.protocol === 'https:') return `wss://${location.host}`
  return null
}

/**
 * Where the relay lives, or `null` when there is none to talk to (the app then works purely
 * locally). Never throws: a failing preload call means "no relay", not "no app".
 * Superseded by resolveRelayEndpoint (relay-config.ts), which also gives the token.
 */
export async function resolveRelayUrl(): Promise<string | null> {
  const skein = desktopApi()
  if (!skein) return browserRelayUrl()
  try {
    const { relayUrl } = await skein.getSettings()
    return relayUrl.trim() === '' ? null : relayUrl
  } catch (err) {
    console.warn('skein: could not read settings from the desktop shell', err)
    return null
  }
}
