// The app's commands (New Note, Search, Sync Details, Settings). In the desktop app they come
// from the application menu, whose accelerators also handle the keyboard. In a browser there is
// no menu, so the same shortcuts are bound on the window here.
import { APP_COMMANDS, APP_COMMAND_ACCELERATORS } from '../../electron/app-commands'
import type { AppCommand } from '../../electron/app-commands'
import { desktopApi } from './desktop'

export type { AppCommand }

type KeyInfo = Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>

/**
 * Whether a key event is an Electron accelerator such as "CmdOrCtrl+Shift+F" (Cmd on macOS,
 * Ctrl elsewhere; every modifier must match exactly). The key is compared by `code` for letters
 * and digits so Shift or keyboard layouts that change `key` still match.
 */
export function matchesAccelerator(event: KeyInfo, accelerator: string, isMac: boolean): boolean {
  const parts = accelerator.split('+')
  const key = parts.pop() ?? ''
  const mods = new Set(parts)
  const primary = mods.has('CmdOrCtrl')
  const wantMeta = mods.has('Cmd') || (primary && isMac)
  const wantCtrl = mods.has('Ctrl') || (primary && !isMac)
  if (event.metaKey !== wantMeta || event.ctrlKey !== wantCtrl) return false
  if (event.shiftKey !== mods.has('Shift') || event.altKey !== mods.has('Alt')) return false
  if (/^[A-Z]$/i.test(key)) return event.code === `Key${key.toUpperCase()}`
  if (/^[0-9]$/.test(key)) return event.code === `Digit${key}`
  return event.key === key
}

/**
 * Shortcuts the browser build adds because the browser keeps the menu's for itself: Chrome never
 * lets a page have Ctrl+N, so New Note is also Alt+N there.
 */
export const BROWSER_ALTERNATE_ACCELERATORS: Partial<Record<AppCommand, string>> = { 'new-note': 'Alt+N' }

export function commandForKey(event: KeyInfo, isMac: boolean): AppCommand | null {
  const matches = (command: AppCommand): boolean => {
    const alternate = BROWSER_ALTERNATE_ACCELERATORS[command]
    return matchesAccelerator(event, APP_COMMAND_ACCELERATORS[command], isMac) || (alternate !== undefined && matchesAccelerator(event, alternate, isMac))
  }
  return APP_COMMANDS.find(matches) ?? null
}

function isMacPlatform(): boolean {
  return /Mac|iPhone|iPad/.test(navigator.platform)
}

/**
 * Calls `handler` for each app command until the returned function is called. In the browser,
 * the menu's shortcuts plus BROWSER_ALTERNATE_ACCELERATORS.
 */
export function onAppCommand(handler: (command: AppCommand) => void): () => void {
  const skein = desktopApi()
  if (skein) return skein.onAppCommand(handler)
  const isMac = isMacPlatform()
  const listener = (event: KeyboardEvent): void => {
    if (event.repeat || event.isComposing) return
    const command = commandForKey(event, isMac)
    if (command === null) return
    event.preventDefault()
    handler(command)
  }
  window.addEventListener('keydown', listener)
  return () => window.removeEventListener('keydown', listener)
}
