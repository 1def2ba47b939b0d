import path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { IPC_CHANNELS } from '../../../electron/ipc-contract.js'

// A fake of just the Electron pieces main/index.ts touches, recording the order of calls.
const fake = vi.hoisted(() => {
  const log: string[] = []
  let resolveReady: () => void = () => {}
  const ready = new Promise<void>((resolve) => (resolveReady = resolve))
  const windows: { options: unknown; url?: string }[] = []
  const ipcChannels: string[] = []
  const appEvents: string[] = []
  class BrowserWindow {
    static getAllWindows = () => windows
    readonly record: { options: unknown; url?: string }
    constructor(options: unknown) {
      log.push('new BrowserWindow')
      this.record = { options }
      windows.push(this.record)
    }
    once() {}
    on() {}
    show() {}
    loadURL(url: string) {
      this.record.url = url
      return Promise.resolve()
    }
  }
  const electron = {
    app: {
      enableSandbox: () => log.push('enableSandbox'),
      requestSingleInstanceLock: () => true,
      whenReady: () => ready,
      on: (event: string) => appEvents.push(event),
      quit: () => log.push('quit'),
      exit: () => log.push('exit'),
      getAppPath: () => '/opt/skein/resources/app.asar',
      getPath: (name: string) => `/home/u/.config/Skein/${name}`,
    },
    protocol: {
      registerSchemesAsPrivileged: () => log.push('registerSchemesAsPrivileged'),
      handle: (scheme: string) => log.push(`protocol.handle ${scheme}`),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: () => log.push('setPermissionRequestHandler'),
        setPermissionCheckHandler: () => log.push('setPermissionCheckHandler'),
        setDevicePermissionHandler: () => log.push('setDevicePermissionHandler'),
      },
    },
    ipcMain: { handle: (channel: string) => ipcChannels.push(channel) },
    shell: { openExternal: async () => {} },
    BrowserWindow,
  }
  return { log, resolveReady, windows, ipcChannels, appEvents, electron }
})

vi.mock('electron', () => fake.electron)

describe('main/index', () => {
  it('prepares the scheme and sandbox before ready, then runs every setup and opens the window', async () => {
    await import('../../../electron/main/index.js')
    expect(fake.log).toEqual(['enableSandbox', 'registerSchemesAsPrivileged'])

    fake.resolveReady()
    await vi.waitFor(() => expect(fake.windows).toHaveLength(1))

    expect(fake.log).toEqual([
      'enableSandbox',
      'registerSchemesAsPrivileged',
      'setPermissionRequestHandler',
      'setPermissionCheckHandler',
      'setDevicePermissionHandler',
      'protocol.handle app',
      'new BrowserWindow',
    ])
    expect(fake.appEvents).toEqual(
      expect.arrayContaining(['second-instance', 'web-contents-created', 'window-all-closed', 'activate']),
    )
    expect(fake.ipcChannels.sort()).toEqual(Object.values(IPC_CHANNELS).sort())

    const [win] = fake.windows
    expect(win?.url).toBe('app://skein/')
    const preload = (win?.options as { webPreferences: { preload: string } }).webPreferences.preload
    expect(path.isAbsolute(preload)).toBe(true)
    expect(preload.endsWith(path.join('preload', 'index.cjs'))).toBe(true)
  })
})
