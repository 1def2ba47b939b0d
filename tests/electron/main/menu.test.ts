import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it } from 'vitest'
import { APP_COMMANDS, APP_COMMAND_ACCELERATORS } from '../../../electron/app-commands.js'
import type { AppCommand } from '../../../electron/app-commands.js'
import { menuTemplate } from '../../../electron/main/menu.js'

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])])
}

const roles = (items: MenuItemConstructorOptions[]) => flatten(items).flatMap((item) => (item.role ? [item.role] : []))

describe('menuTemplate', () => {
  it.each(['darwin', 'linux', 'win32'] as const)('on %s, every app command appears once with its shortcut and sends itself', (platform) => {
    const sent: AppCommand[] = []
    const items = flatten(menuTemplate(platform, 'Skein', (command) => sent.push(command)))
    for (const command of APP_COMMANDS) {
      const matching = items.filter((item) => item.id === command)
      expect(matching).toHaveLength(1)
      expect(matching[0]?.accelerator).toBe(APP_COMMAND_ACCELERATORS[command])
      ;(matching[0]?.click as () => void)()
    }
    expect(sent).toEqual([...APP_COMMANDS])
  })

  it.each(['darwin', 'linux', 'win32'] as const)('on %s, has the standard edit, view and window roles', (platform) => {
    const all = roles(menuTemplate(platform, 'Skein', () => {}))
    expect(all).toEqual(expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'reload', 'zoomIn', 'zoomOut', 'resetZoom', 'togglefullscreen', 'windowMenu']))
  })

  it('has the macOS app menu on macOS only, with Settings in it', () => {
    const mac = menuTemplate('darwin', 'Skein', () => {})
    expect(mac[0]?.label).toBe('Skein')
    expect(roles([mac[0] ?? {}])).toEqual(expect.arrayContaining(['about', 'services', 'hide', 'hideOthers', 'unhide', 'quit']))
    expect(flatten([mac[0] ?? {}]).some((item) => item.id === 'settings')).toBe(true)
    expect(menuTemplate('linux', 'Skein', () => {}).map((item) => item.label)).not.toContain('Skein')
    expect(roles(menuTemplate('win32', 'Skein', () => {}))).not.toContain('services')
  })

  it('offers the developer tools only when asked (development builds)', () => {
    expect(roles(menuTemplate('linux', 'Skein', () => {}))).not.toContain('toggleDevTools')
    expect(roles(menuTemplate('linux', 'Skein', () => {}, true))).toContain('toggleDevTools')
  })

  it('uses no accelerator twice', () => {
    const accelerators = flatten(menuTemplate('linux', 'Skein', () => {})).flatMap((item) => (item.accelerator ? [item.accelerator] : []))
    expect(new Set(accelerators).size).toBe(accelerators.length)
  })
})
