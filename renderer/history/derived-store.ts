import type { ReadableStore } from '../sync/store'

/**
 * A store for `useSyncExternalStore` over a value computed from some observable source: recomputed
 * when `listen` reports a change, so `get` stays cheap and returns a stable snapshot. With `equal`,
 * a recomputed value equal to the last one keeps the old snapshot and wakes nobody.
 */
export function derivedStore<T>(compute: () => T, listen: (changed: () => void) => () => void, equal?: (a: T, b: T) => boolean): ReadableStore<T> {
  let snapshot = compute()
  return {
    get: () => snapshot,
    subscribe(listener) {
      return listen(() => {
        const next = compute()
        if (equal?.(snapshot, next)) return
        snapshot = next
        listener()
      })
    },
  }
}
