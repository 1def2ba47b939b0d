import type { Logger } from 'pino'
import * as Y from 'yjs'
import type { RelayHooks } from '../hooks.js'
import { historyRoomOf, noteRoomOf, type NoteRef, type RoomId } from '../room-id.js'
import type { RoomRegistry } from '../room-registry.js'
import type { BlobStorage } from '../blobs/storage.js'
import type { DocStorage } from '../storage/types.js'
import { contentDecider, purgeDecider } from './decisions.js'
import type { MetaStorage } from './storage.js'

export const DAY_MS = 24 * 3600_000
/** Notes purged per sweep; the rest wait for the next one. */
const BATCH = 50

export interface PurgerDeps {
  meta: MetaStorage
  storage: DocStorage
  /** The attachments: a purged note's references go, and blobs no note references any more. */
  blobs: BlobStorage
  registry: RoomRegistry
  hooks: Required<RelayHooks>
  log: Logger
  /** A note deleted forever is purged once its delete is this old (0: at the next sweep). */
  purgeAfterMs: number
  /** A purge changed the workspace's feed (wakes long-polls). */
  onChanged: (workspace: string) => void
  /** These rooms are gone from storage (other relays drop their copies). */
  onRoomsPurged?: (rooms: RoomId[]) => void
}

/** Storage reads resolve without leaving the turn; a batch yields between notes so nothing else stalls. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

const roomsOf = (note: NoteRef): RoomId[] => [noteRoomOf(note), historyRoomOf(note)]
const EMPTY_STATE = Y.encodeStateAsUpdate(new Y.Doc())

/**
 * Deletes what "delete forever" leaves on the relay once the retention window has passed: the
 * note's content room and history room are deleted from the document storage (zeroed, WAL
 * emptied), so are its attachments that no other note references, and its record becomes a tombstone that keeps the id deleted. While a batch is purged
 * its rooms are out of memory and cannot be loaded: their peers are closed (they may reconnect,
 * and then meet the purged room's guard, docs/sync-rules.md).
 */
export class NotePurger {
  private timer: NodeJS.Timeout | null = null
  private running: Promise<number> | null = null
  /** A sweep was asked for while one ran: run another right after (a delete came in meanwhile). */
  private again = false
  private stopped = false

  constructor(private readonly deps: PurgerDeps) {}

  /** Sweeps every `intervalMs` from now on (an unreferenced timer: it never keeps the process up). */
  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      void this.sweep().catch((err: unknown) => {
        this.deps.hooks.onStorageError({ room: 'meta', error: err })
        this.deps.log.error({ err }, 'purge sweep failed; retried at the next sweep')
      })
    }, intervalMs)
    this.timer.unref()
  }

  /** Stops sweeping; resolves once a sweep under way has finished. */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.running?.catch(() => undefined)
  }

  /**
   * Purges every note deleted forever longer than the window ago (in batches), after finishing
   * purges a crash interrupted. Resolves to the number of notes purged. One sweep at a time.
   */
  sweep(): Promise<number> {
    if (this.stopped) return Promise.resolve(0)
    if (this.running) {
      this.again = true
      return this.running
    }
    const run = async (): Promise<number> => {
      let purged = 0
      do {
        this.again = false
        purged += await this.sweepAll(Date.now())
      } while (this.again && !this.stopped)
      return purged
    }
    this.running = run().finally(() => (this.running = null))
    return this.running
  }

  /**
   * Deletes the rooms of purges whose second step did not happen (the relay died, or the delete
   * failed). With the rooms closed, a room that took content the purged note never had in the
   * meantime (the guard let it in) brings the note back instead of being deleted.
   */
  async finishUnfinished(): Promise<number> {
    const { meta, storage, registry, log } = this.deps
    const unfinished = await meta.unfinishedPurges()
    if (unfinished.length === 0) return 0
    let finished = 0
    await registry.withRoomsClosed(unfinished.flatMap(roomsOf), (room) => room.closePeers('roomPurged', 'the note was deleted forever'), async () => {
      const purge: NoteRef[] = []
      for (const target of await meta.unfinishedPurges()) {
        await nextTurn()
        const [noteRoom, historyRoom] = roomsOf(target)
        const [note, history] = await Promise.all([storage.load(noteRoom!), storage.load(historyRoom!)])
        const decide = contentDecider({ note: () => note ?? EMPTY_STATE, history: () => history ?? EMPTY_STATE }, Date.now())
        const [revived] = await meta.recordContentChanges([{ note: target, decide }])
        if (revived === null) purge.push(target)
        else this.deps.onChanged(target.workspace)
      }
      await storage.purge(purge.flatMap(roomsOf))
      this.deps.onRoomsPurged?.(purge.flatMap(roomsOf))
      await this.dropAttachments(purge)
      await meta.roomsPurged(purge)
      finished = purge.length
    })
    await meta.afterPurge()
    log.info({ notes: finished }, 'finished purges that had stopped before deleting the rooms')
    return finished
  }

  /**
   * Part of a purge's second step, before it is marked done: a crash before it is finished at the
   * next start (dropping a note's references again finds none and deletes nothing).
   */
  private async dropAttachments(notes: readonly NoteRef[]): Promise<void> {
    for (const { workspace, noteId } of notes) {
      const deleted = await this.deps.blobs.dropNote(workspace, noteId)
      if (deleted.length > 0) this.deps.hooks.onBlobsPurged({ workspace, blobs: deleted.length })
    }
  }

  private async sweepAll(now: number): Promise<number> {
    await this.finishUnfinished()
    const cutoff = now - this.deps.purgeAfterMs
    let purged = 0
    for (;;) {
      const due = await this.deps.meta.notesToPurge(cutoff, BATCH)
      if (due.length === 0) break
      const batch = await this.purgeBatch(due, cutoff, now)
      purged += batch.purged
      // A batch that changed nothing would be the next query's answer again.
      if (due.length < BATCH || batch.changed === 0) break
    }
    return purged
  }

  private async purgeBatch(targets: NoteRef[], cutoff: number, now: number): Promise<{ purged: number; changed: number }> {
    const { meta, storage, registry, log, hooks } = this.deps
    const changed = new Set<string>()
    const purged: NoteRef[] = []
    let restored = 0
    // The rooms are flushed and unloaded first, so storage holds everything the relay received.
    await registry.withRoomsClosed(targets.flatMap(roomsOf), (room) => room.closePeers('roomPurged', 'the note was deleted forever'), async () => {
      for (const target of targets) {
        await nextTurn()
        const [noteRoom, historyRoom] = roomsOf(target)
        const [note, history] = await Promise.all([storage.load(noteRoom!), storage.load(historyRoom!)])
        const outcome = await meta.beginPurge(target, purgeDecider({ note, history }, cutoff, now))
        if (outcome !== 'skip') changed.add(target.workspace)
        if (outcome === 'purge') purged.push(target)
        if (outcome === 'restored') restored++
        if (outcome === 'restored') log.info({ workspace: target.workspace, note: target.noteId }, 'not purged: the relay holds edits the deleting device never saw; the note is restored')
      }
      if (purged.length === 0) return
      await storage.purge(purged.flatMap(roomsOf))
      this.deps.onRoomsPurged?.(purged.flatMap(roomsOf))
      await this.dropAttachments(purged)
      await meta.roomsPurged(purged)
    })
    if (purged.length > 0) await meta.afterPurge()
    for (const t of purged) {
      hooks.onNotePurged({ workspace: t.workspace })
      log.info({ workspace: t.workspace, note: t.noteId }, 'note deleted forever was purged')
    }
    for (const workspace of changed) this.deps.onChanged(workspace)
    return { purged: purged.length, changed: purged.length + restored }
  }
}
