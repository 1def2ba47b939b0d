// Where the relay lives in the browser build: the page's own origin (the relay served the page),
// or the dev relay under Vite's dev server. The desktop build asks its shell (relay-config.ts).

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
