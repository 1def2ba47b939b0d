/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Relay URL used by the Vite dev server build (e.g. ws://127.0.0.1:1234). */
  readonly VITE_SKEIN_RELAY?: string
}
