// The Electron main process. Everything here is wiring: each feature is a setupX() call from
// its own module, where the logic lives as plain functions with tests (tests/electron/main).
import path from 'node:path'
import { BrowserWindow, Menu, app, dialog, ipcMain, protocol, safeStorage, screen, session, shell } from 'electron'
import { IPC_CHANNELS, PUSH_CHANNELS } from '../ipc-contract.js'
import type { AppCommand } from '../app-commands.js'
import { OpenNoteQueue, deepLinkFromArgv, setupDeepLinks } from './deep-link.js'
import { TokenBucket } from '../../shared/rate-limit.js'
import { RotatingLog, LOG_DIR, errorLogIpcHandlers, setupErrorLogging } from './error-log.js'
import { setupIpc } from './ipc.js'
import { setupSingleInstance, setupWindowLifecycle } from './lifecycle.js'
import { markdownIpcHandlers } from './markdown-files.js'
import { menuTemplate } from './menu.js'
import { setupNavigationSecurity } from './navigation.js'
import { registerAppScheme, setupAppProtocol } from './protocol.js'
import { SyncStateTracker, guardWindowClose, syncStateIpcHandlers } from './quit-guard.js'
import { createSettingsStore, settingsIpcHandlers } from './settings.js'
import { createTokenStore, tokenIpcHandlers } from './token-store.js'
import { pinUserDataPath } from './user-data.js'
import { displayWorkAreas, loadWindowState, restorableBounds, saveWindowState, trackWindowState } from './window-state.js'
import { createMainWindow, focusWindow } from './windows.js'

// Built layout (tsconfig.electron.json): dist-electron/electron/main/index.js next to
// dist-electron/electron/preload/index.cjs.
const PRELOAD_PATH = path.join(import.meta.dirname, '..', 'preload', 'index.cjs')
const LOG_LIMITS = { maxBytes: 1024 * 1024, files: 3 }

let mainWindow: BrowserWindow | null = null
const syncState = new SyncStateTracker()
const openNotes = new OpenNoteQueue()

async function openMainWindow(userData: string): Promise<void> {
  const saved = await loadWindowState(userData)
  const win = createMainWindow(BrowserWindow, PRELOAD_PATH, undefined, restorableBounds(saved, displayWorkAreas(screen)))
  trackWindowState(win, saved, (state) => saveWindowState(userData, state))
  guardWindowClose(win, app, syncState, dialog)
  // A reloaded or crashed page reports its state again from scratch.
  win.webContents.on('did-navigate', () => syncState.reset())
  win.webContents.on('render-process-gone', () => syncState.reset())
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null
    syncState.reset()
  })
  mainWindow = win
}

function openNote(id: string): void {
  openNotes.push(id)
  if (mainWindow === null) return // queued; the next window's page takes it
  focusWindow(mainWindow)
  mainWindow.webContents.send(PUSH_CHANNELS.openNoteReady)
}

function sendCommand(command: AppCommand): void {
  mainWindow?.webContents.send(PUSH_CHANNELS.appCommand, command)
}

// Before `ready`: these are ignored or refused afterwards. userData first: the single-instance
// lock and every file below live there.
const userData = pinUserDataPath(app)
const errorLog = new RotatingLog(path.join(userData, LOG_DIR), LOG_LIMITS)
setupErrorLogging(process, app, errorLog)
app.enableSandbox()
registerAppScheme(protocol)

if (!setupSingleInstance(app, () => mainWindow, (argv) => {
  const id = deepLinkFromArgv(argv)
  if (id !== null) openNote(id)
})) {
  app.quit()
} else {
  setupDeepLinks(app, process, openNote)
  const launchNote = deepLinkFromArgv(process.argv)
  if (launchNote !== null) openNotes.push(launchNote)
  app
    .whenReady()
    .then(async () => {
      setupNavigationSecurity(app, session.defaultSession, shell)
      // app.getAppPath() is the folder (or app.asar) holding package.json, in dev and packaged.
      setupAppProtocol(protocol, path.join(app.getAppPath(), 'dist', 'renderer'))
      setupIpc(ipcMain, {
        ...settingsIpcHandlers(createSettingsStore(userData)),
        ...tokenIpcHandlers(createTokenStore(userData, safeStorage, process.platform)),
        ...syncStateIpcHandlers(syncState),
        // Renderer error reports: bursts of 20, then one every 2 s.
        ...errorLogIpcHandlers(errorLog, new TokenBucket(0.5, 20)),
        ...markdownIpcHandlers(dialog, () => mainWindow),
        [IPC_CHANNELS.takeOpenNoteRequests]: () => openNotes.take(),
      })
      Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(process.platform, app.name, sendCommand, !app.isPackaged)))
      setupWindowLifecycle(app, process.platform, () => BrowserWindow.getAllWindows().length, () => {
        openMainWindow(userData).catch((error: unknown) => console.error('skein: could not open a window', error))
      })
      await openMainWindow(userData)
    })
    .catch((error: unknown) => {
      console.error('skein: startup failed', error)
      app.exit(1)
    })
}
