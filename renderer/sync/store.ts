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
