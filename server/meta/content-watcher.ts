import type { Logger } from 'pino'
import { isValidId } from '../../protocol/meta/parse.js'
import { hasUnseenEdits } from '../../protocol/meta/snapshots.js'
import { noteIdOfRoom } from '../../protocol/rooms.js'
import type { ContentReader } from './note-content.js'
import type { MetaStore } from './store.js'

/** At most one store write per note room per this long, however fast its content changes. */
export const CONTENT_COALESCE_MS = 250
const RETRY_MS = 1000

/** A note room's storage key `<workspace>/note/<id>` split apart; null for any other room. */
export function noteOfStorageKey(key: string): { workspace: string; noteId: string } | null {
  const slash = key.indexOf('/')
  if (slash <= 0) return null
  const noteId = noteIdOfRoom(key.slice(slash + 1))
  return noteId !== null && isValidId(noteId) ? { workspace: key.slice(0, slash), noteId } : null
}

/**
 * Turns content edits into change-feed entries. Edits arrive per keystroke; the store is written
 * once per room per CONTENT_COALESCE_MS, so typing costs a timer check, not a SQLite commit.
 */
export class ContentChangeWatcher {
  private readonly due = new Map<string, NodeJS.Timeout>()
  private readonly inFlight = new Set<Promise<void>>()

  constructor(
    private readonly deps: {
      store: MetaStore
      readContent: ContentReader
      log: Logger
      /** A change was committed in the workspace (wakes long-polls). */
      onRecorded: (workspace: string) => void
      onError: (error: unknown) => void
    },
    private readonly coalesceMs = CONTENT_COALESCE_MS,
  ) {}

  /** Hook target: a client's update changed the room's document. */
  changed(storageKey: string): void {
    if (this.due.has(storageKey)) return
    const note = noteOfStorageKey(storageKey)
    if (!note) return
    this.due.set(storageKey, setTimeout(() => this.record(storageKey, note), this.coalesceMs))
  }

  /** Records every change noted so far, now. */
  async flush(): Promise<void> {
    for (const [key, timer] of this.due) {
      clearTimeout(timer)
      this.record(key, noteOfStorageKey(key)!)
    }
    while (this.inFlight.size > 0) await Promise.all(this.inFlight)
  }

  /** Cancels retries still scheduled (the relay is closing; their edits are stored regardless). */
  stop(): void {
    for (const [key, timer] of this.due) {
      clearTimeout(timer)
      this.deps.log.warn({ room: key }, 'content change not recorded in the metadata feed before shutdown')
    }
    this.due.clear()
  }

  private record(key: string, { workspace, noteId }: { workspace: string; noteId: string }): void {
    this.due.delete(key)
    const done = this.deps
      .readContent([key], (stateOf) => this.deps.store.recordContentChange(workspace, noteId, (snapshot) => hasUnseenEdits(stateOf(key), snapshot), Date.now()))
      .then(
        () => this.deps.onRecorded(workspace),
        (error: unknown) => {
          // The edit itself is safe in the room; only its feed entry waits. Try again shortly.
          this.deps.onError(error)
          this.deps.log.error({ err: error, room: key, retryInMs: RETRY_MS }, 'recording a content change failed')
          if (!this.due.has(key)) this.due.set(key, setTimeout(() => this.record(key, { workspace, noteId }), RETRY_MS))
        },
      )
      .finally(() => this.inFlight.delete(done))
    this.inFlight.add(done)
  }
}
