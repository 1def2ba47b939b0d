import path from 'node:path'
import type { BrowserWindowConstructorOptions } from 'electron'
import { describe, expect, it } from 'vitest'
import { createMainWindow, focusWindow, mainWindowOptions } from '../../../electron/main/windows.js'

const PRELOAD = path.resolve('/app/dist-electron/electron/preload/index.cjs')

describe('mainWindowOptions', () => {
  const prefs = mainWindowOptions(PRELOAD).webPreferences ?? {}

  it('isolates the page from the preload and from Node', () => {
    expect(prefs.contextIsolation).toBe(true)
    expect(prefs.sandbox).toBe(true)
    expect(prefs.nodeIntegration).toBe(false)
    expect(prefs.nodeIntegrationInWorker).toBe(false)
    expect(prefs.nodeIntegrationInSubFrames).toBe(false)
  })

  it('keeps web security on and webviews and insecure content off', () => {
    expect(prefs.webSecurity).toBe(true)
    expect(prefs.allowRunningInsecureContent).toBe(false)
    expect(prefs.webviewTag).toBe(false)
  })

  it('uses the given absolute preload path', () => {
    expect(prefs.preload).toBe(PRELOAD)
  })

  it('refuses a relative preload path', () => {
    expect(() => mainWindowOptions('preload/index.cjs')).toThrow(/absolute/)
  })

  it('starts hidden so the window appears only once painted', () => {
    expect(mainWindowOptions(PRELOAD).show).toBe(false)
  })
})

class FakeWindow {
  static created: FakeWindow[] = []
  readonly listeners = new Map<string, () => void>()
  readonly loaded: string[] = []
  shown = 0
  constructor(readonly options: BrowserWindowConstructorOptions) {
    FakeWindow.created.push(this)
  }
  once(event: string, listener: () => void): this {
    this.listeners.set(event, listener)
    return this
  }
  show(): void {
    this.shown += 1
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push(url)
    return Promise.resolve()
  }
}

describe('createMainWindow', () => {
  it('builds the window from mainWindowOptions and loads app://skein/', () => {
    const win = createMainWindow(FakeWindow, PRELOAD)
    expect(win.options).toEqual(mainWindowOptions(PRELOAD))
    expect(win.loaded).toEqual(['app://skein/'])
  })

  it('shows the window on ready-to-show', () => {
    const win = createMainWindow(FakeWindow, PRELOAD)
    expect(win.shown).toBe(0)
    win.listeners.get('ready-to-show')?.()
    expect(win.shown).toBe(1)
  })

  it('reports a failed load instead of leaving an unhandled rejection', async () => {
    class FailingWindow extends FakeWindow {
      override loadURL(): Promise<void> {
        return Promise.reject(new Error('ERR_FILE_NOT_FOUND'))
      }
    }
    const errors: unknown[] = []
    createMainWindow(FailingWindow, PRELOAD, (error) => errors.push(error))
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(errors).toHaveLength(1)
  })
})

describe('focusWindow', () => {
  it('restores a minimised window before focusing it', () => {
    const calls: string[] = []
    focusWindow({
      isMinimized: () => true,
      restore: () => calls.push('restore'),
      show: () => calls.push('show'),
      focus: () => calls.push('focus'),
    })
    expect(calls).toEqual(['restore', 'show', 'focus'])
  })
})
