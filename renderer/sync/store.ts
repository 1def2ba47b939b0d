// A minimal observable value for `useSyncExternalStore`: a current snapshot plus listeners.

export interface ReadableStore<T> {
  get(): T
  subscribe(listener: () => void): () => void
}

export class ValueStore<T> implements ReadableStore<T> {
  private value: T
  private readonly listeners = new Set<() => void>()

  constructor(initial: T) {
    this.value = initial
  }

  get = (): T => this.value

  set(next: T): void {
    if (Object.is(next, this.value)) return
    this.value = next
    for (const listener of [...this.listeners]) listener()
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }
}

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
