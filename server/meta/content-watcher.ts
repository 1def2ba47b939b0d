import type { Logger } from 'pino'
import { historyRoomOf, noteOfHistoryRoom, noteOfRoom, noteRoomOf, type NoteRef, type RoomId } from '../room-id.js'
import { contentDecider } from './decisions.js'
import type { ContentReader } from './note-content.js'
import type { ContentChange, MetaStorage } from './storage.js'

/**
 * A note that keeps changing gets at most one feed entry per this long; every feed write wakes
 * every long-poll in the workspace and makes every device commit and re-render.
 */
export const CONTENT_MAX_WAIT_MS = 2_000
/** A note whose content stopped changing for this long is recorded then, without waiting longer. */
export const CONTENT_QUIET_MS = 400
const RETRY_MS = 1000
/** How much later than the first due note another may be due and still go in its transaction. */
const BATCH_SLACK_MS = 50
/** Notes recorded per transaction at start-up (their rooms are held for its length). */
const STARTUP_BATCH = 50

interface Pending {
  note: NoteRef
  /** Only the history room changed: it counts only if the note is purged (late versions revive it). */
  historyOnly: boolean
  firstAt: number
  lastAt: number
  /** Not before this (a failed write waits for its retry). */
  notBefore: number
}

const keyOf = ({ workspace, noteId }: NoteRef): string => `${workspace}/${noteId}`

/**
 * Turns content edits into change-feed entries. Edits arrive per keystroke; a note is written
 * once its edits pause for CONTENT_QUIET_MS, or CONTENT_MAX_WAIT_MS after its first unrecorded
 * edit while they go on, whichever comes first. Every note due at one moment is written in one
 * storage transaction, and each workspace's long-polls are woken once for it.
 *
 * It also says how far the feed is complete (`recordedThrough`): every change it was told of is
 * numbered, and a change counts as recorded once a store write that read the content after it
 * committed. The relay keeps a durable cursor into the document storage from that
 * (`MetaService`), so changes lost to a crash are recorded at the next start.
 */
export class ContentChangeWatcher {
  private readonly pending = new Map<string, Pending>()
  private timer: NodeJS.Timeout | null = null
  private timerAt = Infinity
  private readonly inFlight = new Set<Promise<void>>()
  private stopped = false
  /** Changes told so far (a counter that numbers them). */
  private told = 0
  /** Per note key: the number of its oldest change not yet recorded (a lower bound). */
  private readonly unrecorded = new Map<string, number>()
  /** Per note key with unrecorded changes: the number of its newest change. */
  private readonly newest = new Map<string, number>()

  constructor(
    private readonly deps: {
      storage: MetaStorage
      readContent: ContentReader
      log: Logger
      /** Changes were committed in the workspace (wakes long-polls); once per workspace per write. */
      onRecorded: (workspace: string) => void
      /** Late content brought a purged note back: its rooms stop guarding. */
      onRevived: (note: NoteRef) => void
      onError: (error: unknown) => void
    },
    private readonly timing = { quietMs: CONTENT_QUIET_MS, maxWaitMs: CONTENT_MAX_WAIT_MS },
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
   * history room counts only while its note is purged (new versions there bring the note back),
   * which is looked up when the change is written. Costs a map update, no timer, per keystroke.
   */
  changed(room: RoomId): void {
    const ofNote = noteOfRoom(room)
    const note = ofNote ?? noteOfHistoryRoom(room)
    if (!note) return
    const key = keyOf(note)
    const n = ++this.told
    if (!this.unrecorded.has(key)) this.unrecorded.set(key, n)
    this.newest.set(key, n)
    const now = performance.now()
    const entry = this.pending.get(key)
    if (entry) {
      entry.lastAt = now
      if (ofNote) entry.historyOnly = false
      return
    }
    this.pending.set(key, { note, historyOnly: !ofNote, firstAt: now, lastAt: now, notBefore: 0 })
    this.schedule(now + this.timing.quietMs)
  }

  /** Records every change noted so far, now. */
  async flush(): Promise<void> {
    this.clearTimer()
    if (this.pending.size > 0) this.writeDue(Infinity)
    while (this.inFlight.size > 0) await Promise.all(this.inFlight)
  }

  /** Cancels writes still waiting (the relay is closing; their edits are stored regardless). */
  stop(): void {
    this.stopped = true
    this.clearTimer()
    for (const { note } of this.pending.values())
      this.deps.log.warn({ room: keyOf(note) }, 'content change not recorded in the metadata feed before shutdown; it is recorded at the next start')
    this.pending.clear()
  }

  /**
   * Records a content change for each note whose note room, or (purged notes only) history room,
   * is among `rooms`, reading content through `readContent`, in transactions of up to 50 notes.
   * Used at start-up for changes a crash kept out of the feed; a redundant entry is harmless.
   */
  async recordNow(rooms: readonly RoomId[], readContent: ContentReader): Promise<number> {
    const notes = new Map<string, { note: NoteRef; historyOnly: boolean }>()
    for (const room of rooms) {
      const ofNote = noteOfRoom(room)
      const note = ofNote ?? noteOfHistoryRoom(room)
      if (!note) continue
      const seen = notes.get(keyOf(note))
      notes.set(keyOf(note), { note, historyOnly: !ofNote && (seen?.historyOnly ?? true) })
    }
    const all = [...notes.values()]
    let recorded = 0
    for (let i = 0; i < all.length; i += STARTUP_BATCH) recorded += await this.write(all.slice(i, i + STARTUP_BATCH), readContent)
    return recorded
  }

  private schedule(at: number): void {
    if (this.stopped || at >= this.timerAt) return
    this.clearTimer()
    this.timerAt = at
    this.timer = setTimeout(() => {
      this.timer = null
      this.timerAt = Infinity
      this.writeDue(performance.now())
    }, Math.max(0, at - performance.now()))
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.timerAt = Infinity
  }

  private dueAt(entry: Pending): number {
    return Math.max(entry.notBefore, Math.min(entry.lastAt + this.timing.quietMs, entry.firstAt + this.timing.maxWaitMs))
  }

  /**
   * Writes every note due by `now` in one transaction, and sets the timer for the next one. Notes
   * due a moment later (edits a few milliseconds apart) go in the same transaction: one commit
   * and one long-poll wake instead of several in a row.
   */
  private writeDue(now: number): void {
    const due: Pending[] = []
    let next = Infinity
    const batchUntil = now + Math.min(BATCH_SLACK_MS, this.timing.quietMs / 2)
    for (const [key, entry] of this.pending) {
      const at = this.dueAt(entry)
      if (at <= batchUntil) {
        due.push(entry)
        this.pending.delete(key)
      } else next = Math.min(next, at)
    }
    if (next < Infinity) this.schedule(next)
    if (due.length === 0) return
    // The content is read after this point, so the write covers every change told so far.
    const covers = this.told
    const done = this.write(due, this.deps.readContent)
      .then(
        () => {
          for (const { note } of due) this.coveredThrough(keyOf(note), covers)
        },
        (error: unknown) => {
          // The edits themselves are safe in their rooms; only their feed entries wait.
          this.deps.onError(error)
          this.deps.log.error({ err: error, notes: due.length, retryInMs: RETRY_MS }, 'recording content changes failed')
          const retryAt = performance.now() + RETRY_MS
          for (const entry of due) {
            const key = keyOf(entry.note)
            const newer = this.pending.get(key)
            if (newer) newer.historyOnly &&= entry.historyOnly
            this.pending.set(key, { ...(newer ?? entry), firstAt: Math.min(entry.firstAt, newer?.firstAt ?? Infinity), notBefore: retryAt })
          }
          this.schedule(retryAt)
        },
      )
      .finally(() => this.inFlight.delete(done))
    this.inFlight.add(done)
  }

  private coveredThrough(key: string, covers: number): void {
    if ((this.newest.get(key) ?? 0) <= covers) {
      this.unrecorded.delete(key)
      this.newest.delete(key)
    } else if ((this.unrecorded.get(key) ?? Infinity) <= covers) {
      this.unrecorded.set(key, covers + 1)
    }
  }

  /**
   * One storage transaction for these notes: each note's content as it is now, and its history
   * room's when it is purged. A change to the history room of a note that is not purged records
   * nothing. Resolves to the number of notes whose feed entry was written.
   */
  private async write(notes: readonly { note: NoteRef; historyOnly: boolean }[], readContent: ContentReader): Promise<number> {
    const { storage } = this.deps
    const purged = await Promise.all(notes.map(({ note }) => storage.purgedState(note)))
    const targets = notes.flatMap(({ note, historyOnly }, i) => (purged[i] !== null || !historyOnly ? [{ note, purged: purged[i] !== null }] : []))
    if (targets.length === 0) return 0
    const rooms = targets.flatMap(({ note, purged }) => (purged ? [noteRoomOf(note), historyRoomOf(note)] : [noteRoomOf(note)]))
    const revived: NoteRef[] = []
    const seqs = await readContent(rooms, (stateOf) => {
      const now = Date.now()
      const changes = targets.map(({ note }): ContentChange => {
        const decide = contentDecider({ note: () => stateOf(noteRoomOf(note)), history: () => stateOf(historyRoomOf(note)) }, now)
        return {
          note,
          decide: (state, seq) => {
            const decision = decide(state, seq)
            if (decision?.endPurge) revived.push(note)
            return decision
          },
        }
      })
      return storage.recordContentChanges(changes)
    })
    for (const note of revived) this.deps.onRevived(note)
    const written = targets.filter((_, i) => seqs[i] !== null).map(({ note }) => note)
    for (const workspace of new Set(written.map((note) => note.workspace))) this.deps.onRecorded(workspace)
    return written.length
  }
}
