// Uncaught errors in the page go to the desktop shell's local log (userData/logs); nothing
// leaves the device. Messages are cut to the sizes the shell accepts, and at most a few per
// second are sent (the shell rate-limits too). In the browser build this does nothing.
import { MAX_ERROR_MESSAGE_LENGTH, MAX_ERROR_SOURCE_LENGTH, MAX_ERROR_STACK_LENGTH } from '../../electron/limits'
import { desktopApi } from './desktop'

const MIN_INTERVAL_MS = 250

function text(value: unknown): { message: string; stack?: string } {
  if (value instanceof Error) {
    return { message: `${value.name}: ${value.message}`, ...(value.stack ? { stack: value.stack } : {}) }
  }
  try {
    return { message: typeof value === 'string' ? value : JSON.stringify(value) ?? String(value) }
  } catch {
    return { message: String(value) }
  }
}

/** Installs the window listeners; returns the function that removes them. */
export function installErrorReporting(): () => void {
  const skein = desktopApi()
  if (!skein) return () => {}
  let last = 0
  const send = (kind: 'error' | 'unhandledrejection', value: unknown, source?: string): void => {
    const now = Date.now()
    if (now - last < MIN_INTERVAL_MS) return
    last = now
    const { message, stack } = text(value)
    skein
      .reportError({
        kind,
        message: message.slice(0, MAX_ERROR_MESSAGE_LENGTH),
        ...(stack ? { stack: stack.slice(0, MAX_ERROR_STACK_LENGTH) } : {}),
        ...(source ? { source: source.slice(0, MAX_ERROR_SOURCE_LENGTH) } : {}),
      })
      .catch(() => {}) // nowhere left to report to
  }
  const onError = (event: ErrorEvent): void => send('error', event.error ?? event.message, event.filename || undefined)
  const onRejection = (event: PromiseRejectionEvent): void => send('unhandledrejection', event.reason)
  window.addEventListener('error', onError)
  window.addEventListener('unhandledrejection', onRejection)
  return () => {
    window.removeEventListener('error', onError)
    window.removeEventListener('unhandledrejection', onRejection)
  }
}
