// The app's own commands: what the application menu offers and the renderer acts on. Shared by
// the main process (menu items and their accelerators), the IPC contract (the command sent to the
// renderer) and the browser build of the renderer (which binds the same shortcuts itself).
// Dependency-free so the renderer bundle can import it.

export const APP_COMMANDS = ['new-note', 'search', 'sync-details', 'settings', 'command-palette'] as const
export type AppCommand = (typeof APP_COMMANDS)[number]

/**
 * Electron accelerator syntax. Chosen not to collide with the editor's own keys (Mod-K is
 * "link", Mod-Shift-S is strikethrough in TipTap) nor with Electron's View menu roles
 * (Mod-Shift-I devtools, Mod-R reload, Mod-0/+/- zoom). Mod-P replaces printing, which a notes
 * window has no use for; the palette also answers Mod-K outside the editor (renderer/App.tsx).
 */
export const APP_COMMAND_ACCELERATORS: Readonly<Record<AppCommand, string>> = {
  'new-note': 'CmdOrCtrl+N',
  search: 'CmdOrCtrl+Shift+F',
  'sync-details': 'CmdOrCtrl+Shift+D',
  settings: 'CmdOrCtrl+,',
  'command-palette': 'CmdOrCtrl+P',
}

export const APP_COMMAND_LABELS: Readonly<Record<AppCommand, string>> = {
  'new-note': 'New Note',
  search: 'Search Notes…',
  'sync-details': 'Sync Details…',
  settings: 'Settings…',
  'command-palette': 'Command Palette…',
}

export function isAppCommand(value: unknown): value is AppCommand {
  return typeof value === 'string' && (APP_COMMANDS as readonly string[]).includes(value)
}
