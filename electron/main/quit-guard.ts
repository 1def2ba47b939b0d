// "You have unsynced edits": the renderer reports how many local changes are not yet saved on
// the device (unsaved) and how many are saved but not yet on the relay (pending); closing the
// window or quitting with either non-zero asks first. Quitting closes the window, so guarding the
// window's 'close' covers Quit (menu, Cmd+Q), closing the window, and the OS asking the app to
// quit; 'before-quit' only tells us which wording to use.
import type { App, BrowserWindow, Dialog, MessageBoxOptions } from 'electron'
import { IPC_CHANNELS } from '../ipc-contract.js'
import type { WindowSyncSummary } from '../ipc-contract.js'

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`
}

/** The question to ask before closing, or null when nothing would be lost or left behind. */
export function closeWarning(state: WindowSyncSummary, quitting: boolean): MessageBoxOptions | null {
  if (state.unsaved === 0 && state.pending === 0) return null
  const action = quitting ? 'Quit' : 'Close'
  const detail =
    state.unsaved > 0
      ? `${plural(state.unsaved, 'edit is', 'edits are')} not saved on this device yet. ` +
        `If you ${action.toLowerCase()} now, ${state.unsaved === 1 ? 'it' : 'they'} may be lost.`
      : `${plural(state.pending, 'change has', 'changes have')} not reached the relay yet. ` +
        'They are saved on this device and will sync the next time Skein connects, ' +
        'but other devices will not see them until then.'
  return {
    type: 'warning',
    message: state.unsaved > 0 ? 'Some edits are not saved yet' : 'Some edits are not synced yet',
    detail,
    buttons: [`${action} Anyway`, 'Keep Skein Open'],
    defaultId: 1,
    cancelId: 1,
    noLink: true,
  }
}

export class SyncStateTracker {
  private state: WindowSyncSummary = { unsaved: 0, pending: 0 }
  report(state: WindowSyncSummary): void {
    this.state = { ...state }
  }
  /** A renderer that reloads or crashes starts over; its new page reports again. */
  reset(): void {
    this.state = { unsaved: 0, pending: 0 }
  }
  current(): WindowSyncSummary {
    return { ...this.state }
  }
}

export function syncStateIpcHandlers(tracker: SyncStateTracker): {
  [IPC_CHANNELS.reportSyncState]: (state: WindowSyncSummary) => undefined
} {
  return {
    [IPC_CHANNELS.reportSyncState]: (state) => {
      tracker.report(state)
      return undefined
    },
  }
}

type GuardedWindow = Pick<BrowserWindow, 'on' | 'close'>
type CloseEvent = { preventDefault(): void }

/**
 * Asks before the window closes while edits are unsaved or unsynced. When the user says close
 * anyway, the window is closed again with the question suppressed; when they keep it open, a
 * pending quit is cancelled (Electron cancels the quit when a window's close is prevented).
 */
export function guardWindowClose(
  win: GuardedWindow,
  app: Pick<App, 'on' | 'quit'>,
  tracker: Pick<SyncStateTracker, 'current'>,
  dialog: Pick<Dialog, 'showMessageBox'>,
): void {
  let quitting = false
  let confirmed = false
  let asking = false
  app.on('before-quit', () => {
    quitting = true
  })
  win.on('close', (event: CloseEvent) => {
    if (confirmed) return
    const warning = closeWarning(tracker.current(), quitting)
    if (warning === null) return
    event.preventDefault()
    if (asking) return
    asking = true
    const wasQuitting = quitting
    dialog
      .showMessageBox(win as BrowserWindow, warning)
      .then(({ response }) => {
        if (response === warning.cancelId) {
          quitting = false
          return
        }
        confirmed = true
        if (wasQuitting) app.quit()
        else win.close()
      })
      .catch((error: unknown) => console.error('skein: close confirmation failed', error))
      .finally(() => {
        asking = false
      })
  })
}
