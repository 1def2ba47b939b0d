// Where the app keeps its data. Electron derives userData from the app's name (productName or
// package.json name), so renaming the product would silently start the app on an empty folder,
// stranding every local note (IndexedDB lives in userData, keyed by the app:// origin). The
// folder name is therefore a constant of its own, never derived from productName.
import path from 'node:path'
import type { App } from 'electron'

/** Do not change: existing installs keep their notes in this folder (see docs/electron.md). */
export const USER_DATA_DIR_NAME = 'Skein'

export function userDataPath(appDataDir: string): string {
  return path.join(appDataDir, USER_DATA_DIR_NAME)
}

/**
 * Pins userData before anything uses it: before `ready`, and before the single-instance lock
 * (which lives in userData).
 */
export function pinUserDataPath(app: Pick<App, 'getPath' | 'setPath'>): string {
  const dir = userDataPath(app.getPath('appData'))
  app.setPath('userData', dir)
  return dir
}
