// The Electron main process. Everything here is wiring: each feature is a setupX() call from
// its own module, where the logic lives as plain functions with tests (tests/electron/main).
import path from 'node:path'
import { BrowserWindow, app, ipcMain, protocol, session, shell } from 'electron'
import { setupSingleInstance, setupWindowLifecycle } from './lifecycle.js'
import { setupNavigationSecurity } from './navigation.js'
import { registerAppScheme, setupAppProtocol } from './protocol.js'
import { setupIpc } from './ipc.js'
import { createSettingsStore, settingsIpcHandlers } from './settings.js'
import { createMainWindow } from './windows.js'

// Built layout (tsconfig.electron.json): dist-electron/electron/main/index.js next to
// dist-electron/electron/preload/index.cjs.
const PRELOAD_PATH = path.join(import.meta.dirname, '..', 'preload', 'index.cjs')

let mainWindow: BrowserWindow | null = null

function openMainWindow(): void {
  const win = createMainWindow(BrowserWindow, PRELOAD_PATH)
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null
  })
  mainWindow = win
}

// Before `ready`: these are ignored or refused afterwards.
app.enableSandbox()
registerAppScheme(protocol)

if (!setupSingleInstance(app, () => mainWindow)) {
  app.quit()
} else {
  app
    .whenReady()
    .then(() => {
      setupNavigationSecurity(app, session.defaultSession, shell)
      // app.getAppPath() is the folder (or app.asar) holding package.json, in dev and packaged.
      setupAppProtocol(protocol, path.join(app.getAppPath(), 'dist', 'renderer'))
      setupIpc(ipcMain, settingsIpcHandlers(createSettingsStore(app.getPath('userData'))))
      setupWindowLifecycle(app, process.platform, () => BrowserWindow.getAllWindows().length, openMainWindow)
      openMainWindow()
    })
    .catch((error: unknown) => {
      console.error('skein: startup failed', error)
      app.exit(1)
    })
}
