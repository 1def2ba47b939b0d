import { describe, expect, it } from 'vitest'
import { IPC_CHANNELS } from '../../../electron/ipc-contract.js'
import { SyncStateTracker, closeWarning, guardWindowClose, syncStateIpcHandlers } from '../../../electron/main/quit-guard.js'

describe('closeWarning', () => {
  it('asks nothing when every edit is saved and synced', () => {
    expect(closeWarning({ unsaved: 0, pending: 0 }, true)).toBeNull()
  })

  it('warns that unsaved edits may be lost', () => {
    const warning = closeWarning({ unsaved: 2, pending: 5 }, true)
    expect(warning?.message).toBe('Some edits are not saved yet')
    expect(warning?.detail).toMatch(/2 edits are not saved on this device yet.*may be lost/)
    expect(warning?.buttons).toEqual(['Quit Anyway', 'Keep Skein Open'])
  })

  it('says unsynced edits are safe on the device but not yet elsewhere', () => {
    const warning = closeWarning({ unsaved: 0, pending: 1 }, false)
    expect(warning?.message).toBe('Some edits are not synced yet')
    expect(warning?.detail).toMatch(/1 change has not reached the relay yet.*saved on this device/)
    expect(warning?.buttons?.[0]).toBe('Close Anyway')
  })

  it('defaults to keeping the app open (Enter and Escape both cancel)', () => {
    const warning = closeWarning({ unsaved: 1, pending: 0 }, true)
    expect(warning?.defaultId).toBe(1)
    expect(warning?.cancelId).toBe(1)
  })
})

function harness(response: number) {
  const winListeners = new Map<string, (event: { preventDefault(): void }) => void>()
  const appListeners = new Map<string, () => void>()
  const calls: string[] = []
  const win = {
    on: (event: string, listener: (event: { preventDefault(): void }) => void) => winListeners.set(event, listener),
    close: () => {
      calls.push('close')
      fireClose()
    },
  }
  const app = {
    on: (event: string, listener: () => void) => appListeners.set(event, listener),
    quit: () => {
      calls.push('quit')
      appListeners.get('before-quit')?.()
      fireClose()
    },
  }
  const dialog = {
    showMessageBox: async (_win: unknown, options: { message: string }) => {
      calls.push(`ask: ${options.message}`)
      return { response, checkboxChecked: false }
    },
  }
  const tracker = new SyncStateTracker()
  let prevented = 0
  const fireClose = (): void => winListeners.get('close')?.({ preventDefault: () => void (prevented += 1) })
  guardWindowClose(win as never, app as never, tracker, dialog as never)
  return { calls, tracker, fireClose, prevented: () => prevented, beforeQuit: () => appListeners.get('before-quit')?.() }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('guardWindowClose', () => {
  it('lets the window close without asking when nothing is pending', () => {
    const h = harness(0)
    h.fireClose()
    expect(h.prevented()).toBe(0)
    expect(h.calls).toEqual([])
  })

  it('keeps the window open when the user chooses to', async () => {
    const h = harness(1)
    h.tracker.report({ unsaved: 0, pending: 3 })
    h.fireClose()
    await settle()
    expect(h.prevented()).toBe(1)
    expect(h.calls).toEqual(['ask: Some edits are not synced yet'])
  })

  it('closes the window after "Close Anyway", asking only once', async () => {
    const h = harness(0)
    h.tracker.report({ unsaved: 1, pending: 0 })
    h.fireClose()
    await settle()
    expect(h.calls).toEqual(['ask: Some edits are not saved yet', 'close'])
    expect(h.prevented()).toBe(1)
  })

  it('resumes the quit after "Quit Anyway"', async () => {
    const h = harness(0)
    h.tracker.report({ unsaved: 0, pending: 2 })
    h.beforeQuit()
    h.fireClose()
    await settle()
    expect(h.calls).toEqual(['ask: Some edits are not synced yet', 'quit'])
  })

  it('asks once even if close is requested again while the question is open', async () => {
    const h = harness(1)
    h.tracker.report({ unsaved: 1, pending: 0 })
    h.fireClose()
    h.fireClose()
    await settle()
    expect(h.calls).toEqual(['ask: Some edits are not saved yet'])
    expect(h.prevented()).toBe(2)
  })
})

describe('sync state reports', () => {
  it('are kept by the tracker through the IPC handler, and reset when the page goes away', () => {
    const tracker = new SyncStateTracker()
    syncStateIpcHandlers(tracker)[IPC_CHANNELS.reportSyncState]({ unsaved: 1, pending: 2 })
    expect(tracker.current()).toEqual({ unsaved: 1, pending: 2 })
    tracker.reset()
    expect(tracker.current()).toEqual({ unsaved: 0, pending: 0 })
  })
})
