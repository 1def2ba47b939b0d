// The main window. Its options come from a pure function so the security-relevant
// webPreferences are asserted by tests rather than trusted to review.
import path from 'node:path'
import type { BrowserWindow, BrowserWindowConstructorOptions, Rectangle } from 'electron'
import { APP_ENTRY_URL } from './protocol.js'

/** `bounds`: remembered size and position (window-state.ts), already checked to be on screen. */
export function mainWindowOptions(preloadPath: string, bounds: Rectangle | null = null): BrowserWindowConstructorOptions {
  if (!path.isAbsolute(preloadPath)) {
    throw new Error(`mainWindowOptions: preload path must be absolute, got "${preloadPath}"`)
  }
  return {
    width: 1200,
    height: 800,
    ...(bounds ?? {}),
    minWidth: 480,
    minHeight: 360,
    title: 'Skein',
    show: false, // shown on ready-to-show, so no white flash
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: true,
    },
  }
}

/** What createMainWindow needs of a window; Electron's BrowserWindow has it (a fake in tests). */
export interface LoadableWindow {
  once(event: 'ready-to-show', listener: () => void): unknown
  show(): void
  loadURL(url: string): Promise<void>
}

export function createMainWindow<W extends LoadableWindow>(
  BrowserWindowCtor: new (options: BrowserWindowConstructorOptions) => W,
  preloadPath: string,
  onLoadError: (error: unknown) => void = (error) => console.error('skein: failed to load the renderer', error),
  bounds: Rectangle | null = null,
): W {
  const win = new BrowserWindowCtor(mainWindowOptions(preloadPath, bounds))
  win.once('ready-to-show', () => win.show())
  win.loadURL(APP_ENTRY_URL).catch(onLoadError)
  return win
}

/** Focus-or-restore, used when a second instance is started. */
export function focusWindow(win: Pick<BrowserWindow, 'isMinimized' | 'restore' | 'show' | 'focus'>): void {
  if (win.isMinimized()) win.restore()
  win.show()
  win.focus()
}
