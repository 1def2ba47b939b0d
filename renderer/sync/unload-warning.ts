import { useEffect } from 'react'
import type { ReadableStore } from './store'

/**
 * Closing or reloading the page while anything is not yet confirmed by the relay (`pending`), or
 * an edit is not yet written to IndexedDB (`unsaved`, a few milliseconds normally), asks first.
 * `unsaved` is read when the page is leaving.
 */
export function useUnloadWarning(pending: number, unsaved: ReadableStore<number>): void {
  useEffect(() => {
    const warn = (event: BeforeUnloadEvent): void => {
      if (pending === 0 && unsaved.get() === 0) return
      event.preventDefault()
      event.returnValue = '' // older Chromium needs it set to show the dialog
    }
    window.addEventListener('beforeunload', warn)
    return () => window.removeEventListener('beforeunload', warn)
  }, [pending, unsaved])
}
