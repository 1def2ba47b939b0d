// Work that must not delay what the user is waiting for (a note becoming editable, a keystroke
// painting) waits for a moment the page has nothing better to do.

/** Longest wait for an idle moment: a busy page still gets the work done. */
export const IDLE_TIMEOUT_MS = 2_000

/**
 * Resolves in the page's next idle period (at most `timeoutMs` later); where the platform has
 * no idle callbacks (Node, tests), on the next macrotask.
 */
export function whenIdle(timeoutMs = IDLE_TIMEOUT_MS): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestIdleCallback === 'function') requestIdleCallback(() => resolve(), { timeout: timeoutMs })
    else setTimeout(resolve, 0)
  })
}
