// App lifecycle: one instance at a time, and the usual per-platform window rules.
import type { App } from 'electron'
import { focusWindow } from './windows.js'

type FocusableWindow = Parameters<typeof focusWindow>[0]

/**
 * Takes the single-instance lock. Returns false when another instance holds it (the caller
 * should quit); otherwise a later second instance focuses (and un-minimizes) this instance's
 * window, and its command line is handed to `onArgv` (it may carry a skein:// deep link on
 * Windows and Linux).
 */
export function setupSingleInstance(
  app: Pick<App, 'requestSingleInstanceLock' | 'on'>,
  getWindow: () => FocusableWindow | null,
  onArgv: (argv: string[]) => void = () => {},
): boolean {
  if (!app.requestSingleInstanceLock()) return false
  app.on('second-instance', (_event, argv) => {
    const win = getWindow()
    if (win) focusWindow(win)
    onArgv(argv)
  })
  return true
}

/** Quit when the last window closes (except on macOS); re-open a window on macOS dock click. */
export function setupWindowLifecycle(
  app: Pick<App, 'on' | 'quit'>,
  platform: NodeJS.Platform,
  windowCount: () => number,
  createWindow: () => void,
): void {
  app.on('window-all-closed', () => {
    if (platform !== 'darwin') app.quit()
  })
  app.on('activate', () => {
    if (windowCount() === 0) createWindow()
  })
}
