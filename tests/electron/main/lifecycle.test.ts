import { describe, expect, it } from 'vitest'
import { setupSingleInstance, setupWindowLifecycle } from '../../../electron/main/lifecycle.js'

function fakeApp(gotLock: boolean) {
  const listeners = new Map<string, (...args: unknown[]) => void>()
  let quits = 0
  const app = {
    requestSingleInstanceLock: () => gotLock,
    on: (event: string, listener: (...args: unknown[]) => void) => {
      listeners.set(event, listener)
      return app
    },
    quit: () => void (quits += 1),
  }
  // The fake implements only what the setup functions use.
  return { app: app as never, listeners, quits: () => quits }
}

function fakeWindow(minimized: boolean) {
  const calls: string[] = []
  return {
    calls,
    win: {
      isMinimized: () => minimized,
      restore: () => void calls.push('restore'),
      show: () => void calls.push('show'),
      focus: () => void calls.push('focus'),
    },
  }
}

describe('setupSingleInstance', () => {
  it('returns false and registers nothing when another instance holds the lock', () => {
    const { app, listeners } = fakeApp(false)
    expect(setupSingleInstance(app, () => null)).toBe(false)
    expect(listeners.size).toBe(0)
  })

  it('focuses the existing window when a second instance starts', () => {
    const { app, listeners } = fakeApp(true)
    const { win, calls } = fakeWindow(true)
    expect(setupSingleInstance(app, () => win)).toBe(true)
    listeners.get('second-instance')?.({}, ['/opt/Skein/skein'], '/home/ada')
    expect(calls).toEqual(['restore', 'show', 'focus'])
  })

  it("hands the second instance's command line on (it may hold a skein:// link)", () => {
    const { app, listeners } = fakeApp(true)
    const { win } = fakeWindow(false)
    const seen: string[][] = []
    setupSingleInstance(app, () => win, (argv) => seen.push(argv))
    listeners.get('second-instance')?.({}, ['/opt/Skein/skein', 'skein://note/x'], '/home/ada')
    expect(seen).toEqual([['/opt/Skein/skein', 'skein://note/x']])
  })

  it('still takes the command line when no window is open yet', () => {
    const { app, listeners } = fakeApp(true)
    const seen: string[][] = []
    setupSingleInstance(app, () => null, (argv) => seen.push(argv))
    listeners.get('second-instance')?.({}, ['skein', 'skein://note/y'], '/')
    expect(seen).toEqual([['skein', 'skein://note/y']])
  })
})

describe('setupWindowLifecycle', () => {
  it('quits when the last window closes on Linux and Windows', () => {
    for (const platform of ['linux', 'win32'] as const) {
      const { app, listeners, quits } = fakeApp(true)
      setupWindowLifecycle(app, platform, () => 0, () => {})
      listeners.get('window-all-closed')?.()
      expect(quits()).toBe(1)
    }
  })

  it('stays running on macOS and re-opens a window on activate', () => {
    const { app, listeners, quits } = fakeApp(true)
    let created = 0
    setupWindowLifecycle(app, 'darwin', () => 0, () => void (created += 1))
    listeners.get('window-all-closed')?.()
    listeners.get('activate')?.()
    expect(quits()).toBe(0)
    expect(created).toBe(1)
  })

  it('does not open a second window on activate when one exists', () => {
    const { app, listeners } = fakeApp(true)
    let created = 0
    setupWindowLifecycle(app, 'darwin', () => 1, () => void (created += 1))
    listeners.get('activate')?.()
    expect(created).toBe(0)
  })
})
