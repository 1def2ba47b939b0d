// Small bridges to the desktop shell that have no browser equivalent (yet).
import type { ExportFile, ExportResult, ImportKind, ImportResult, WindowSyncSummary } from '../../electron/ipc-contract'
import { desktopApi } from './desktop'

export type { ExportFile, ExportResult, ImportKind, ImportResult, WindowSyncSummary }

let lastReported = ''

/**
 * Tells the desktop shell how many edits are unsaved (not yet in IndexedDB) and pending (not yet
 * on the relay), so it can warn before the window closes. Call it whenever either changes;
 * repeats are dropped. A no-op in the browser (handle `beforeunload` there).
 */
export function reportSyncState(state: WindowSyncSummary): void {
  const skein = desktopApi()
  if (!skein) return
  const clean = { unsaved: Math.max(0, Math.floor(state.unsaved)), pending: Math.max(0, Math.floor(state.pending)) }
  const key = `${clean.unsaved}/${clean.pending}`
  if (key === lastReported) return
  lastReported = key
  skein.reportSyncState(clean).catch((error: unknown) => {
    lastReported = ''
    console.warn('skein: could not report the sync state', error)
  })
}

/** skein://note/<id> deep links (desktop only; ids are validated by the shell). */
export function onOpenNote(handler: (id: string) => void): () => void {
  return desktopApi()?.onOpenNote(handler) ?? (() => {})
}

export class NotAvailableInBrowser extends Error {
  constructor(what: string) {
    super(`${what} is not available in the browser build yet; use the desktop app.`)
    this.name = 'NotAvailableInBrowser'
  }
}

/**
 * Asks the user for Markdown files ('files') or a folder ('folder') and returns their text, or
 * null when they cancel. Throws NotAvailableInBrowser in the browser build.
 */
export function pickImport(kind: ImportKind): Promise<ImportResult> {
  const skein = desktopApi()
  return skein ? skein.pickImport(kind) : Promise.reject(new NotAvailableInBrowser('Importing Markdown'))
}

/**
 * Asks the user for a folder and writes the files there (relative paths with '/', .md only;
 * existing files are never overwritten). Null when they cancel.
 */
export function saveExport(files: ExportFile[]): Promise<ExportResult> {
  const skein = desktopApi()
  return skein ? skein.saveExport(files) : Promise.reject(new NotAvailableInBrowser('Exporting Markdown'))
}
