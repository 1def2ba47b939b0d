import { useEffect } from 'react'

/**
 * Closing or reloading the page while anything is not yet confirmed by the relay, or an edit is
 * not yet written to IndexedDB (a few milliseconds, normally), asks first.
 */
export function useUnloadWarning(pending: number): void {
  useEffect(() => {
    if (pending === 0) return
    const warn = (event: BeforeUnloadEvent): void => {
      event.preventDefault()
      event.returnValue = '' // older Chromium needs it set to show the dialog
    }
    window.addEventListener('beforeunload', warn)
    return () => window.removeEventListener('beforeunload', warn)
  }, [pending])
}
