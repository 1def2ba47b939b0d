// The one module that touches the Electron preload API (`window.skein`).
// Everything else in the renderer asks this module, so the web build and the desktop build
// differ in exactly one place.

/**
 * The part of the preload API the renderer uses today. The real type will be derived from the
 * object the preload exposes (`type Api = typeof api`); keep this to what we call.
 */
interface SkeinPreload {
  getSettings(): Promise<{ relayUrl: string }>
}

const DEV_DEFAULT_RELAY = 'ws://127.0.0.1:1234'

function preload(): SkeinPreload | undefined {
  return (window as Window & { skein?: SkeinPreload }).skein
}

/**
 * Where the relay lives, or `null` when there is none to talk to (the app then works purely
 * locally). Never throws: a failing preload call means "no relay", not "no app".
 */
export async function resolveRelayUrl(): Promise<string | null> {
  const skein = preload()
  if (skein) {
    try {
      const { relayUrl } = await skein.getSettings()
      return relayUrl.trim() === '' ? null : relayUrl
    } catch (err) {
      console.warn('skein: could not read settings from the desktop shell', err)
      return null
    }
  }
  // The Vite dev server (it alone provides `import.meta.hot`). `import.meta.env.DEV` alone is not
  // enough: a production build run with NODE_ENV=test (e.g. from vitest) also has DEV = true.
  if (import.meta.env.DEV && import.meta.hot) return import.meta.env.VITE_SKEIN_RELAY ?? DEV_DEFAULT_RELAY
  // Served over http(s) by the relay itself: the relay is the origin.
  if (location.protocol === 'http:') return `ws://${location.host}`
  if (location.protocol === 'https:') return `wss://${location.host}`
  return null
}
