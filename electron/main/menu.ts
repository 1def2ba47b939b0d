// The application menu: the platform's standard roles (so copy/paste, undo, zoom, window
// management and their shortcuts work as users expect) plus the app's own commands, which are
// sent to the renderer. The template is a pure function of the platform.
import type { MenuItemConstructorOptions } from 'electron'
import { APP_COMMAND_ACCELERATORS, APP_COMMAND_LABELS } from '../app-commands.js'
import type { AppCommand } from '../app-commands.js'

export type SendCommand = (command: AppCommand) => void

function commandItem(command: AppCommand, send: SendCommand): MenuItemConstructorOptions {
  return {
    id: command,
    label: APP_COMMAND_LABELS[command],
    accelerator: APP_COMMAND_ACCELERATORS[command],
    click: () => send(command),
  }
}

/** `devTools`: offer the developer tools (development builds only; app.isPackaged is false). */
export function menuTemplate(
  platform: NodeJS.Platform,
  appName: string,
  send: SendCommand,
  devTools = false,
): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin'
  const appMenu: MenuItemConstructorOptions = {
    label: appName,
    submenu: [
      { role: 'about' },
      { type: 'separator' },
      commandItem('settings', send),
      { type: 'separator' },
      { role: 'services' },
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { role: 'quit' },
    ],
  }
  const fileMenu: MenuItemConstructorOptions = {
    label: '&File',
    submenu: mac
      ? [commandItem('new-note', send), { type: 'separator' }, { role: 'close' }]
      : [
          commandItem('new-note', send),
          { type: 'separator' },
          commandItem('settings', send),
          { type: 'separator' },
          { role: 'quit' },
        ],
  }
  const editMenu: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'pasteAndMatchStyle' },
      { role: 'delete' },
      { role: 'selectAll' },
      { type: 'separator' },
      commandItem('search', send),
    ],
  }
  const viewMenu: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      commandItem('command-palette', send),
      commandItem('sync-details', send),
      { type: 'separator' },
      { role: 'reload' },
      ...(devTools ? [{ role: 'toggleDevTools' } as const] : []),
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  }
  const windowMenu: MenuItemConstructorOptions = {
    role: 'windowMenu',
  }
  return mac ? [appMenu, fileMenu, editMenu, viewMenu, windowMenu] : [fileMenu, editMenu, viewMenu, windowMenu]
}
