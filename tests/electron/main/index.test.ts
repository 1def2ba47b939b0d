import path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { IPC_CHANNELS } from '../../../electron/ipc-contract.js'

// A fake of just the Electron pieces main/index.ts touches, recording the order of calls.
const fake = vi.hoisted(() => {
  const log: string[] = []
  let resolveReady: () => void = () => {}
  const ready = new Promise<void>((resolve) => (resolveReady = resolve))
  const windows: { options: unknown; url?: string }[] = []
  const paths = new Map<string, string>([['appData', `${process.env.TMPDIR ?? '/tmp'}/skein-index-test-appdata`]])
  let menu: unknown = null
  const webContents = { on: () => {}, send: () => {} }
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
    webContents = webContents
    once() {}
    on() {}
    show() {}
    maximize() {}
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
      getPath: (name: string) => paths.get(name) ?? `/nonexistent/${name}`,
      setPath: (name: string, value: string) => {
        log.push(`setPath ${name}`)
        paths.set(name, value)
      },
      setAsDefaultProtocolClient: (scheme: string) => log.push(`setAsDefaultProtocolClient ${scheme}`),
      isPackaged: true,
      name: 'Skein',
    },
    Menu: {
      buildFromTemplate: (template: unknown) => template,
      setApplicationMenu: (built: unknown) => {
        log.push('setApplicationMenu')
        menu = built
      },
    },
    dialog: { showMessageBox: async () => ({ response: 0 }), showOpenDialog: async () => ({ canceled: true, filePaths: [] }) },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    safeStorage: {
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => 'gnome_libsecret',
      encryptString: (text: string) => Buffer.from(text),
      decryptString: (data: Buffer) => data.toString(),
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
  return { log, resolveReady, windows, ipcChannels, appEvents, electron, paths, menu: () => menu }
})

vi.mock('electron', () => fake.electron)

describe('main/index', () => {
  it('prepares the scheme and sandbox before ready, then runs every setup and opens the window', async () => {
    // Keep the app's process-wide error listeners off the test runner's process.
    const processOn = vi.spyOn(process, 'on').mockImplementation(() => process)
    await import('../../../electron/main/index.js')
    expect(processOn.mock.calls.map(([event]) => event)).toEqual(['uncaughtException', 'unhandledRejection'])
    processOn.mockRestore()
    expect(fake.log).toEqual([
      'setPath userData',
      'enableSandbox',
      'registerSchemesAsPrivileged',
      'setAsDefaultProtocolClient skein',
    ])
    expect(fake.paths.get('userData')).toBe(path.join(fake.paths.get('appData') ?? '', 'Skein'))

    fake.resolveReady()
    await vi.waitFor(() => expect(fake.windows).toHaveLength(1))

    expect(fake.log.slice(4)).toEqual([
      'setPermissionRequestHandler',
      'setPermissionCheckHandler',
      'setDevicePermissionHandler',
      'protocol.handle app',
      'setApplicationMenu',
      'new BrowserWindow',
    ])
    expect(fake.appEvents).toEqual(
      expect.arrayContaining([
        'second-instance',
        'open-url',
        'web-contents-created',
        'window-all-closed',
        'activate',
        'before-quit',
        'render-process-gone',
        'child-process-gone',
      ]),
    )
    const labels = (fake.menu() as { label?: string; role?: string }[]).map((item) => item.label ?? item.role)
    expect(labels).toEqual(process.platform === 'darwin' ? ['Skein', '&File', '&Edit', '&View', 'windowMenu'] : ['&File', '&Edit', '&View', 'windowMenu'])
    expect(fake.ipcChannels.sort()).toEqual(Object.values(IPC_CHANNELS).sort())

    const [win] = fake.windows
    expect(win?.url).toBe('app://skein/')
    const preload = (win?.options as { webPreferences: { preload: string } }).webPreferences.preload
    expect(path.isAbsolute(preload)).toBe(true)
    expect(preload.endsWith(path.join('preload', 'index.cjs'))).toBe(true)
  })
})
