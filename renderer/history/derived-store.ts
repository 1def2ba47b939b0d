import type { ReadableStore } from '../sync/store'

/**
 * A store for `useSyncExternalStore` over a value computed from some observable source: recomputed
 * when `listen` reports a change, so `get` stays cheap and returns a stable snapshot.
 */
export function derivedStore<T>(compute: () => T, listen: (changed: () => void) => () => void): ReadableStore<T> {
  let snapshot = compute()
  return {
    get: () => snapshot,
    subscribe(listener) {
      return listen(() => {
        snapshot = compute()
        listener()
      })
    },
  }
}
