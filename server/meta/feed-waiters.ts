/**
 * Long-polling readers of the change feed, per workspace. A waiter is woken by the next commit in
 * its workspace, by its own deadline, or by the relay closing, whichever comes first; each wakes
 * exactly once.
 */
export class FeedWaiters {
  private readonly byWorkspace = new Map<string, Set<() => void>>()
  private count = 0

  get size(): number {
    return this.count
  }

  /** Resolves when the workspace changes, after `ms`, or on `releaseAll`. */
  wait(workspace: string, ms: number, cancelled: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = this.byWorkspace.get(workspace) ?? new Set()
      this.byWorkspace.set(workspace, set)
      const wake = (): void => {
        if (!set.delete(wake)) return
        this.count--
        if (set.size === 0 && this.byWorkspace.get(workspace) === set) this.byWorkspace.delete(workspace)
        clearTimeout(timer)
        cancelled.removeEventListener('abort', wake)
        resolve()
      }
      set.add(wake)
      this.count++
      const timer = setTimeout(wake, ms)
      cancelled.addEventListener('abort', wake)
      if (cancelled.aborted) wake()
    })
  }

  /** Wakes everyone waiting on the workspace: something committed there. */
  notify(workspace: string): void {
    for (const wake of [...(this.byWorkspace.get(workspace) ?? [])]) wake()
  }

  releaseAll(): void {
    for (const workspace of [...this.byWorkspace.keys()]) this.notify(workspace)
  }
}
