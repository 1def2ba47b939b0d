import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  WINDOW_STATE_FILE,
  loadWindowState,
  restorableBounds,
  saveWindowState,
  trackWindowState,
} from '../../../electron/main/window-state.js'
import type { WindowState } from '../../../electron/main/window-state.js'

const LAPTOP = { x: 0, y: 0, width: 1440, height: 877 }
const MONITOR_RIGHT = { x: 1440, y: 0, width: 2560, height: 1415 }
const saved = (x: number, y: number, width = 1000, height = 700): WindowState => ({ x, y, width, height, maximized: false })

describe('restorableBounds', () => {
  it('restores bounds that are on a display', () => {
    expect(restorableBounds(saved(100, 80), [LAPTOP])).toEqual({ x: 100, y: 80, width: 1000, height: 700 })
  })

  it('restores a window on a second monitor that is still connected', () => {
    expect(restorableBounds(saved(2000, 100), [LAPTOP, MONITOR_RIGHT])).toEqual({ x: 2000, y: 100, width: 1000, height: 700 })
  })

  it('forgets bounds on a monitor that was unplugged', () => {
    expect(restorableBounds(saved(2000, 100), [LAPTOP])).toBeNull()
  })

  it('forgets bounds whose title bar is above the screen (the window could not be dragged)', () => {
    expect(restorableBounds(saved(100, -650), [LAPTOP])).toBeNull()
  })

  it('forgets bounds with only a sliver on screen', () => {
    expect(restorableBounds(saved(1400, 100), [LAPTOP])).toBeNull()
  })

  it('shrinks a window larger than the display it is on', () => {
    expect(restorableBounds(saved(0, 0, 3000, 2000), [LAPTOP])).toEqual({ x: 0, y: 0, width: 1440, height: 877 })
  })

  it('gives null when nothing was saved', () => {
    expect(restorableBounds(null, [LAPTOP])).toBeNull()
  })
})

describe('window state file', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'skein-window-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('round-trips through userData', async () => {
    await saveWindowState(dir, { ...saved(10, 20), maximized: true })
    expect(await loadWindowState(dir)).toEqual({ ...saved(10, 20), maximized: true })
  })

  it('treats a missing, corrupt or out-of-range file as nothing saved', async () => {
    expect(await loadWindowState(dir)).toBeNull()
    await writeFile(path.join(dir, WINDOW_STATE_FILE), '{"x":')
    expect(await loadWindowState(dir)).toBeNull()
    await writeFile(path.join(dir, WINDOW_STATE_FILE), JSON.stringify({ ...saved(0, 0), width: 5 }))
    expect(await loadWindowState(dir)).toBeNull()
  })

  it('saves the un-maximized bounds when the window closes, and re-maximizes on open', async () => {
    const listeners = new Map<string, () => void>()
    const calls: string[] = []
    const win = {
      on: (event: string, listener: () => void) => listeners.set(event, listener),
      getNormalBounds: () => ({ x: 5.4, y: 6, width: 800, height: 600 }),
      isMaximized: () => true,
      maximize: () => void calls.push('maximize'),
    }
    trackWindowState(win as never, { ...saved(0, 0), maximized: true }, (state) => saveWindowState(dir, state))
    expect(calls).toEqual(['maximize'])
    listeners.get('close')?.()
    await expect.poll(async () => readFile(path.join(dir, WINDOW_STATE_FILE), 'utf8').catch(() => '')).toContain('800')
    expect(await loadWindowState(dir)).toEqual({ x: 5, y: 6, width: 800, height: 600, maximized: true })
  })
})
