// The renderer's one door to the platform: the desktop shell (window.skein, from the preload) or,
// in the browser build served by the relay, the browser itself. Everything else in the renderer
// asks this module, so the two builds differ in one place.
//
// The token is only ever held in memory here: never write it to localStorage or IndexedDB
// (the browser build's own settings store is the one documented exception).

export { resolveRelayEndpoint, httpUrlFor } from './relay-config'
export type { RelayEndpoint } from './relay-config'
export { getProfile, DEFAULT_PROFILE } from './profile'
export type { Profile } from './profile'
export { onAppCommand } from './app-commands'
export type { AppCommand } from './app-commands'
export { reportSyncState, onOpenNote, pickImport, saveExport, NotAvailableInBrowser } from './desktop-bridges'
export type { ExportFile, ExportResult, ImportKind, ImportResult, WindowSyncSummary } from './desktop-bridges'
export { downloadBlob } from './browser-download'
