import type { Logger } from 'pino'
import { isValidId } from '../../protocol/meta/parse.js'
import { historyRoom, noteIdOfHistoryRoom, noteIdOfRoom, noteRoom } from '../../protocol/rooms.js'
import type { ContentReader } from './note-content.js'
import type { MetaStore } from './store.js'

/** At most one store write per note room per this long, however fast its content changes. */
export const CONTENT_COALESCE_MS = 250
const RETRY_MS = 1000

interface NoteRef {
  workspace: string
  noteId: string
}

/** A note room's storage key `<workspace>/note/<id>` split apart; null for any other room. */
export function noteOfStorageKey(key: string): NoteRef | null {
  const slash = key.indexOf('/')
  if (slash <= 0) return null
  const noteId = noteIdOfRoom(key.slice(slash + 1))
  return noteId !== null && isValidId(noteId) ? { workspace: key.slice(0, slash), noteId } : null
}

/** A history room's storage key `<workspace>/history/<id>` split apart; null for any other room. */
export function historyOfStorageKey(key: string): NoteRef | null {
  const slash = key.indexOf('/')
  if (slash <= 0) return null
  const noteId = noteIdOfHistoryRoom(key.slice(slash + 1))
  return noteId !== null && isValidId(noteId) ? { workspace: key.slice(0, slash), noteId } : null
}

const noteKey = ({ workspace, noteId }: NoteRef): string => `${workspace}/${noteRoom(noteId)}`
const historyKey = ({ workspace, noteId }: NoteRef): string => `${workspace}/${historyRoom(noteId)}`

/**
 * Turns content edits into change-feed entries. Edits arrive per keystroke; the store is written
 * once per room per CONTENT_COALESCE_MS, so typing costs a timer check, not a SQLite commit.
 *
 * It also says how far the feed is complete (`recordedThrough`): every change it was told of is
 * numbered, and a change counts as recorded once a store write that read the content after it
 * committed. The relay keeps a durable cursor into the document storage from that
 * (`MetaService`), so changes lost to a crash are recorded at the next start.
 */
export class ContentChangeWatcher {
  private readonly due = new Map<string, NodeJS.Timeout>()
  private readonly inFlight = new Set<Promise<void>>()
  /** Changes told so far (a counter that numbers them). */
  private told = 0
  /** Per note key: the number of its oldest change not yet recorded (a lower bound). */
  private readonly unrecorded = new Map<string, number>()
  /** Per note key with unrecorded changes: the number of its newest change. */
  private readonly newest = new Map<string, number>()

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

  /** How many changes the watcher has been told of so far. */
  get toldCount(): number {
    return this.told
  }

  /** Every change numbered up to this one is in the store. */
  get recordedThrough(): number {
    let through = this.told
    for (const oldest of this.unrecorded.values()) through = Math.min(through, oldest - 1)
    return through
  }

  /**
   * Hook target: a client's update changed the room's document. Note rooms go to the feed; a
   * history room counts only while its note is purged (new versions there bring the note back).
   */
  changed(storageKey: string): void {
    const note = noteOfStorageKey(storageKey) ?? this.purgedNoteOfHistory(storageKey)
    if (!note) return
    const key = noteKey(note)
    const n = ++this.told
    if (!this.unrecorded.has(key)) this.unrecorded.set(key, n)
    this.newest.set(key, n)
    if (this.due.has(key)) return
    this.due.set(key, setTimeout(() => this.record(key, note), this.coalesceMs))
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
      this.deps.log.warn({ room: key }, 'content change not recorded in the metadata feed before shutdown; it is recorded at the next start')
    }
    this.due.clear()
  }

  /**
   * Records a content change for each note whose note room, or (purged notes only) history room,
   * is among `storageKeys`, reading content through `readContent`, one note after the other.
   * Used at start-up for changes a crash kept out of the feed; a redundant entry is harmless.
   */
  async recordNow(storageKeys: readonly string[], readContent: ContentReader): Promise<number> {
    const notes = new Map<string, NoteRef>()
    for (const key of storageKeys) {
      const note = noteOfStorageKey(key) ?? this.purgedNoteOfHistory(key)
      if (note) notes.set(noteKey(note), note)
    }
    for (const note of notes.values()) await this.write(note, readContent)
    return notes.size
  }

  private purgedNoteOfHistory(storageKey: string): NoteRef | null {
    const note = historyOfStorageKey(storageKey)
    return note && this.deps.store.isPurged(note.workspace, note.noteId) ? note : null
  }

  /** One store write for the note: its content as it is now, and the history room's if purged. */
  private write(note: NoteRef, readContent: ContentReader): Promise<void> {
    const { workspace, noteId } = note
    const keys = this.deps.store.isPurged(workspace, noteId) ? [noteKey(note), historyKey(note)] : [noteKey(note)]
    return readContent(keys, (stateOf) => {
      this.deps.store.recordContentChange(workspace, noteId, { note: () => stateOf(noteKey(note)), history: () => stateOf(historyKey(note)) }, Date.now())
    }).then(() => this.deps.onRecorded(workspace))
  }

  private record(key: string, note: NoteRef): void {
    this.due.delete(key)
    // The content is read after this point, so the write covers every change told so far.
    const covers = this.told
    const done = this.write(note, this.deps.readContent)
      .then(
        () => {
          if ((this.newest.get(key) ?? 0) <= covers) {
            this.unrecorded.delete(key)
            this.newest.delete(key)
          } else if ((this.unrecorded.get(key) ?? Infinity) <= covers) {
            this.unrecorded.set(key, covers + 1)
          }
        },
        (error: unknown) => {
          // The edit itself is safe in the room; only its feed entry waits. Try again shortly.
          this.deps.onError(error)
          this.deps.log.error({ err: error, room: key, retryInMs: RETRY_MS }, 'recording a content change failed')
          if (!this.due.has(key)) this.due.set(key, setTimeout(() => this.record(key, note), RETRY_MS))
        },
      )
      .finally(() => this.inFlight.delete(done))
    this.inFlight.add(done)
  }
}
