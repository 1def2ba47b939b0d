// The metadata catalog: every note's and folder's metadata on this device, and the outbox of
// changes not yet confirmed by the relay. The UI reads only from here.
//
// Every user action writes the entity's new state and its outbox entry in one IndexedDB
// transaction with strict durability, before the UI shows it: a crash leaves both or neither.
// Writes are serialized, and memory is updated only after the transaction commits, so what the
// UI shows is always what is on disk.

import { conflictSpecOf, specOf, type ConflictField } from '../../protocol/meta/op-specs'
import { LIMITS, cleanText } from '../../protocol/meta/parse'
import { folderNameKey } from '../../protocol/meta/rule-kit'
import { baseFieldOf } from '../../protocol/meta/rules'
import { entityTypeOf, type Actor, type EntityRecord, type EntityType, type FeedEntry, type FolderRecord, type MetaOp, type OpKind, type OpPayloads, type OpResult } from '../../protocol/meta/types'
import { EMPTY_LEDGER, contentWork, feedPatch, ledgerAfterDelete, markedPatch, syncedPatch, type ContentPart } from './content-ledger'
import { newId } from './ids'
import { CATALOG_DB, loadAll, openCatalogDb, writeAll, type CatalogWrite } from './idb'
import {
  entityKey,
  entitySync,
  fieldKeyOf,
  isLive,
  isWaiting,
  keyOfOp,
  isShown,
  nextBatch,
  outcomeOf,
  project,
  rebaseAfter,
  retryDelay,
  type LocalEntity,
  type OutboxEntry,
} from './outbox'

export interface CatalogSnapshot {
  readonly entities: ReadonlyMap<string, LocalEntity>
  /** In local order. */
  readonly outbox: readonly OutboxEntry[]
}

export interface CatalogOptions {
  factory?: IDBFactory
  name?: string
  now?: () => number
  random?: () => number
  /** Tell other windows of the same profile about every commit (BroadcastChannel). */
  shareWithWindows?: boolean
}

const META_DEVICE = 'deviceId'
const META_CURSOR = 'feedCursor'
const META_LAST_SEQ = 'outboxSeq'
const CHANNEL = 'skein-catalog'

/** A caller broke the catalog's contract (unknown entity, invalid value): a bug, not bad luck. */
export class CatalogUsageError extends Error {
  override readonly name: string = 'CatalogUsageError'
}

/** The name a new or renamed folder asks for is held by another live folder in the same parent. */
export class FolderNameTaken extends CatalogUsageError {
  override readonly name = 'FolderNameTaken'
  constructor(readonly folderName: string) {
    super(`A folder named “${folderName}” already exists here.`)
  }
}

/** A folder move into the folder itself or a folder inside it. */
export class FolderInsideItself extends CatalogUsageError {
  override readonly name = 'FolderInsideItself'
  constructor() {
    super('A folder cannot go inside itself.')
  }
}

/** One user change: an op kind, its entity and payload (the catalog adds the rest). */
interface Change<K extends OpKind = OpKind> {
  readonly kind: K
  readonly entity: string
  readonly payload: OpPayloads[K]
  /** Hold the op back (a draft's create). */
  readonly held?: boolean
}

const newer = (a: EntityRecord | null, b: EntityRecord | null): EntityRecord | null => (b && (!a || b.version >= a.version) ? b : a)

export class Catalog {
  private entities = new Map<string, LocalEntity>()
  private outbox: OutboxEntry[] = []
  private snapshot: CatalogSnapshot = { entities: this.entities, outbox: [] }
  private readonly listeners = new Set<() => void>()
  private readonly deletedListeners = new Set<(noteId: string) => void>()
  private queue: Promise<unknown> = Promise.resolve()
  private lastSeq = 0
  private feedCursor = 0
  private channel: BroadcastChannel | null = null
  readonly deviceId: string
  /** The name this device's changes carry (shown in conflict reviews). */
  actorName = ''

  private constructor(
    private readonly db: IDBDatabase,
    loaded: Awaited<ReturnType<typeof loadAll>>,
    private readonly now: () => number,
    private readonly random: () => number,
  ) {
    this.deviceId = typeof loaded.meta.get(META_DEVICE) === 'string' ? (loaded.meta.get(META_DEVICE) as string) : newId()
    this.adopt(loaded)
  }

  static async open(options: CatalogOptions = {}): Promise<Catalog> {
    const db = await openCatalogDb(options.factory ?? indexedDB, options.name ?? CATALOG_DB)
    const loaded = await loadAll(db)
    const catalog = new Catalog(db, loaded, options.now ?? Date.now, options.random ?? Math.random)
    // A send cut short by a crash or a closed window: its answer is unknown, so it goes again
    // (the relay answers a repeat with the original result).
    const interrupted = catalog.outbox.filter((e) => e.state === 'inflight').map((e) => ({ ...e, state: 'pending' as const }))
    await writeAll(db, { meta: { [META_DEVICE]: catalog.deviceId }, outboxPut: interrupted }, 'strict')
    catalog.adopt({ ...loaded, outbox: catalog.outbox.map((e) => interrupted.find((i) => i.seq === e.seq) ?? e) })
    if (options.shareWithWindows && typeof BroadcastChannel !== 'undefined') catalog.listenToOtherWindows()
    return catalog
  }

  private adopt(loaded: Awaited<ReturnType<typeof loadAll>>, only?: readonly string[]): void {
    if (only) {
      for (const entity of loaded.entities) this.entities.set(entity.key, entity)
      // Written and not there any more: deleted (a discarded draft).
      for (const key of only) if (!loaded.entities.some((e) => e.key === key)) this.entities.delete(key)
    }
    else this.entities = new Map(loaded.entities.map((e) => [e.key, e]))
    this.outbox = [...loaded.outbox].sort((a, b) => a.seq - b.seq)
    this.lastSeq = Math.max(Number(loaded.meta.get(META_LAST_SEQ) ?? 0), ...this.outbox.map((e) => e.seq))
    this.feedCursor = Number(loaded.meta.get(META_CURSOR) ?? 0)
    this.publish()
  }

  private listenToOtherWindows(): void {
    this.channel = new BroadcastChannel(CHANNEL)
    this.channel.onmessage = ({ data }: MessageEvent<readonly string[]>) => {
      // Another window committed: reload what it wrote (its entities, the small outbox and the
      // settings), in the write queue so no local write interleaves.
      void this.serialize(async () => this.adopt(await loadAll(this.db, data), data))
    }
  }

  // ---- reading ----

  getSnapshot = (): CatalogSnapshot => this.snapshot

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  /** Called when a note is gone for good (deleted forever here or elsewhere), to erase its content. */
  onNoteDeleted(listener: (noteId: string) => void): () => void {
    this.deletedListeners.add(listener)
    return () => {
      this.deletedListeners.delete(listener)
    }
  }

  get(type: EntityType, id: string): LocalEntity | undefined {
    return this.entities.get(entityKey(type, id))
  }

  get cursor(): number {
    return this.feedCursor
  }

  get actor(): Actor {
    return { device: this.deviceId, name: this.actorName.slice(0, LIMITS.actorNameLength) }
  }

  /** When the earliest waiting entry may be sent, or null if nothing waits. */
  nextAttemptAt(): number | null {
    const times = this.outbox.filter(isWaiting).map((e) => e.nextAttemptAt)
    return times.length ? Math.min(...times) : null
  }

  /** Age of the oldest entry not yet confirmed, in ms (0 when none); reported to the relay. */
  oldestPendingAge(): number {
    const oldest = this.outbox.find((e) => e.state !== 'synced' && e.held !== true)
    return oldest ? Math.max(0, this.now() - oldest.createdAt) : 0
  }

  /** Notes whose content needs a background sync, most urgent first (content-ledger.ts). */
  contentWork(): string[] {
    return contentWork(this.entities.values())
  }

  // ---- user actions: each is one strict transaction of entity + outbox entry ----

  /**
   * Creates a note. A `draft` (the app's *New note*) stays on this device, its create held in the
   * outbox, until it is touched: its first content edit (setContentDirty) or metadata change
   * releases it. Left untouched, discardIfUntouched drops it without the relay ever hearing of
   * it (docs/sync-rules.md, "Empty notes"). The title, folder and tags given here do not count as
   * touching it (a folder or tag filter was active when it was made).
   */
  async createNote(init: { title?: string; folderId?: string | null; tags?: readonly string[]; id?: string; draft?: boolean } = {}): Promise<string> {
    const id = init.id ?? newId()
    const tags = [...new Set((init.tags ?? []).map((t) => this.text(t, 'tag', LIMITS.tagLength, false)))].sort()
    const payload = { title: this.text(init.title ?? '', 'title', LIMITS.titleLength, true), folderId: init.folderId ?? null, tags }
    await this.enqueueAll([{ kind: 'note.create', entity: id, payload, held: init.draft === true }])
    return id
  }

  /**
   * Drops a draft nobody touched (the user left it): its row, its held create and, through
   * onNoteDeleted, its local document. Returns whether it did; a note that is not a draft (any
   * more) is left alone.
   */
  discardIfUntouched(id: string): Promise<boolean> {
    return this.serialize(async () => {
      const key = entityKey('note', id)
      if (this.entities.get(key)?.draft !== true) return false
      const drop = this.outbox.filter((e) => keyOfOp(e.op) === key)
      const outbox = this.outbox.filter((e) => !drop.includes(e))
      await this.commit({ entitiesDelete: [key], outboxDelete: drop.map((e) => e.seq) }, outbox, 'strict')
      for (const listener of [...this.deletedListeners]) listener(id)
      return true
    })
  }

  /** Sends a draft as it is (its content was edited, e.g. found on disk after a crash). */
  releaseDraft(id: string): Promise<void> {
    return this.serialize(async () => {
      const current = this.entities.get(entityKey('note', id))
      if (current?.draft !== true) return
      const { outbox, released } = this.released(current.key, this.outbox)
      await this.commit({ entities: [this.rebuild(current.key, 'note', id, current.base, outbox, current)], outboxPut: released }, outbox, 'strict')
    })
  }

  /** Draft notes whose create was written before `before` (ms, this device's clock): left by a window that is gone. */
  draftsBefore(before: number): string[] {
    return this.outbox.filter((e) => e.held === true && e.createdAt < before).map((e) => e.op.entity)
  }

  /**
   * Resolves true once note `id` is no longer a draft (at once for any other note), false if it
   * is discarded or gone: a draft's document must not reach the relay before then.
   */
  whenPublished(id: string): Promise<boolean> {
    const draft = (): LocalEntity | undefined => {
      const entity = this.entities.get(entityKey('note', id))
      return entity?.draft === true ? entity : undefined
    }
    if (!draft()) return Promise.resolve(true)
    return new Promise((resolve) => {
      const stop = this.subscribe(() => {
        if (draft()) return
        stop()
        resolve(this.entities.has(entityKey('note', id)))
      })
    })
  }

  /** The outbox with the held entries of entity `key` released, and those entries. */
  private released(key: string, outbox: readonly OutboxEntry[]): { outbox: OutboxEntry[]; released: OutboxEntry[] } {
    const released: OutboxEntry[] = []
    const next = outbox.map((e) => {
      if (e.held !== true || keyOfOp(e.op) !== key) return e
      const { held: _held, ...sent } = e
      released.push(sent)
      return sent
    })
    return { outbox: next, released }
  }

  async renameNote(id: string, title: string): Promise<void> {
    return this.enqueue('note.rename', id, { title: this.text(title, 'title', LIMITS.titleLength, true) })
  }

  async moveNote(id: string, folderId: string | null): Promise<void> {
    return this.enqueue('note.move', id, { folderId })
  }

  async tagNote(id: string, tag: string): Promise<void> {
    return this.enqueue('note.tag', id, { tag: this.text(tag, 'tag', LIMITS.tagLength, false) })
  }

  async untagNote(id: string, tag: string): Promise<void> {
    return this.enqueue('note.untag', id, { tag: this.text(tag, 'tag', LIMITS.tagLength, false) })
  }

  async pinNote(id: string, pinned: boolean): Promise<void> {
    return this.enqueue('note.pin', id, { pinned })
  }

  /** `snapshot`: the note's content as this device has it (encodeContentSnapshot). */
  async trashNote(id: string, snapshot: string): Promise<void> {
    return this.enqueue('note.trash', id, { snapshot })
  }

  async restoreNote(id: string): Promise<void> {
    return this.enqueue('note.restore', id, {})
  }

  async deleteNoteForever(id: string, snapshot: string): Promise<void> {
    return this.enqueue('note.delete', id, { snapshot })
  }

  /** Moves each note to `folderId`: one op per note, all written in one transaction. */
  async moveNotes(ids: readonly string[], folderId: string | null): Promise<void> {
    return this.enqueueAll(ids.map((entity) => ({ kind: 'note.move', entity, payload: { folderId } })))
  }

  /** Adds `tag` to each note (one op per note, one transaction). */
  async tagNotes(ids: readonly string[], tag: string): Promise<void> {
    const clean = this.text(tag, 'tag', LIMITS.tagLength, false)
    return this.enqueueAll(ids.map((entity) => ({ kind: 'note.tag', entity, payload: { tag: clean } })))
  }

  /**
   * Trashes each note, each with its own content snapshot as trashNote takes it (`snapshotOf`:
   * e.g. localContentSnapshot of the doc registry), read before anything is written.
   */
  async trashNotes(ids: readonly string[], snapshotOf: (id: string) => Promise<string>): Promise<void> {
    const snapshots = await Promise.all(ids.map(snapshotOf))
    return this.enqueueAll(ids.map((entity, i) => ({ kind: 'note.trash', entity, payload: { snapshot: snapshots[i]! } })))
  }

  /** Creates a folder in `parentId` (null: the top level). Throws FolderNameTaken when a sibling has the name. */
  async createFolder(name: string, parentId: string | null = null): Promise<string> {
    const id = newId()
    const clean = this.text(name, 'folder name', LIMITS.titleLength, false)
    await this.enqueueAll([{ kind: 'folder.create', entity: id, payload: { name: clean, parentId } }], () => {
      if (parentId !== null) this.liveFolder(parentId, 'createFolder')
      this.checkNameFree(clean, parentId, id)
    })
    return id
  }

  /** Throws FolderNameTaken when a sibling has the name. */
  async renameFolder(id: string, name: string): Promise<void> {
    const clean = this.text(name, 'folder name', LIMITS.titleLength, false)
    return this.enqueueAll([{ kind: 'folder.rename', entity: id, payload: { name: clean } }], () => this.checkNameFree(clean, this.liveFolder(id, 'renameFolder').parentId, id))
  }

  /**
   * Moves a folder (with everything in it) into `parentId`, null: the top level. Throws
   * FolderInsideItself for the folder itself or one inside it, FolderNameTaken when the new
   * parent holds a folder of its name.
   */
  async moveFolder(id: string, parentId: string | null): Promise<void> {
    return this.enqueueAll([{ kind: 'folder.move', entity: id, payload: { parentId } }], () => {
      const folder = this.liveFolder(id, 'moveFolder')
      if (parentId !== null) this.liveFolder(parentId, 'moveFolder')
      const seen = new Set<string>()
      for (let at: string | null = parentId; at !== null && !seen.has(at); at = this.folderView(at)?.parentId ?? null) {
        if (at === id) throw new FolderInsideItself()
        seen.add(at)
      }
      this.checkNameFree(folder.name, parentId, id)
    })
  }

  private folderView(id: string): FolderRecord | undefined {
    const view = this.entities.get(entityKey('folder', id))?.view
    return view?.type === 'folder' ? view : undefined
  }

  private liveFolder(id: string, what: string): FolderRecord {
    const view = this.folderView(id)
    if (!view || view.deleted) throw new CatalogUsageError(`${what}: no folder ${id} on this device`)
    return view
  }

  /** The relay would suffix a clash from elsewhere; here the user is told at once. */
  private checkNameFree(name: string, parentId: string | null, self: string): void {
    const key = folderNameKey(name)
    for (const entity of this.entities.values()) {
      const view = entity.view
      if (view?.type === 'folder' && !view.deleted && view.id !== self && view.parentId === parentId && folderNameKey(view.name) === key) throw new FolderNameTaken(view.name)
    }
  }

  async deleteFolder(id: string): Promise<void> {
    return this.enqueue('folder.delete', id, {})
  }

  /** Settles a conflict on `field` with `value` (mine, theirs or new): itself an op, from a base that saw the conflict. */
  async resolveConflict(type: EntityType, id: string, field: ConflictField, value: string | null): Promise<void> {
    const spec = conflictSpecOf(type, field)
    if (!spec?.conflict) throw new CatalogUsageError(`resolveConflict: a ${type} has no conflict-checked field ${field}`)
    let payload: unknown
    try {
      payload = spec.conflict.settle(value)
    } catch (err) {
      throw new CatalogUsageError(`resolveConflict: cannot set ${type}.${field} to ${String(value)}: ${(err as Error).message}`)
    }
    return this.enqueue(spec.kind, id, payload as OpPayloads[OpKind])
  }

  private text(value: string, what: string, max: number, allowEmpty: boolean): string {
    const clean = cleanText(value)
    if (!allowEmpty && clean === '') throw new CatalogUsageError(`${what} must not be empty`)
    return clean.length > max ? clean.slice(0, max) : clean
  }

  private enqueue<K extends OpKind>(kind: K, entity: string, payload: OpPayloads[K]): Promise<void> {
    return this.enqueueAll([{ kind, entity, payload } as Change])
  }

  /**
   * Writes these changes, in order, and their outbox entries in one strict transaction (a bulk
   * action is one commit and one re-render, however many notes it touches). `check` runs first,
   * in the write queue, on the state the changes will apply to; it throws to refuse them all.
   */
  private enqueueAll(changes: readonly Change[], check?: () => void): Promise<void> {
    return this.serialize(async () => {
      check?.()
      const now = this.now()
      let outbox = [...this.outbox]
      let seq = this.lastSeq
      const entities = new Map<string, LocalEntity>()
      const put: OutboxEntry[] = []
      const settledAll: number[] = []
      for (const { kind, entity, payload, held } of changes) {
        const type = entityTypeOf(kind)
        const key = entityKey(type, entity)
        const current = entities.get(key) ?? this.entities.get(key)
        const creating = specOf(kind).initial !== undefined
        if (!creating && !current?.view) throw new CatalogUsageError(`${kind}: no ${type} ${entity} on this device`)
        const op = { opId: newId(), kind, entity, baseVersion: baseFieldOf({ kind, payload } as MetaOp, current?.base ?? undefined), actor: this.actor, payload } as MetaOp
        const entry: OutboxEntry = { seq: ++seq, op, entityType: type, state: 'pending', attempts: 0, nextAttemptAt: 0, lastError: null, createdAt: now, ...(held ? { held: true } : {}) }
        // Any change to a draft touches it: its create goes first, then this.
        const release = this.released(key, outbox)
        outbox = release.outbox
        put.push(...release.released)
        const field = fieldKeyOf(op)
        // Setting a field the user was asked to review settles this device's side of that review.
        const settled = outbox.filter((e) => e.state === 'conflicted' && keyOfOp(e.op) === key && field !== null && fieldKeyOf(e.op) === field)
        outbox = [...outbox.filter((e) => !settled.includes(e)), entry]
        entities.set(key, this.rebuild(key, type, entity, current?.base ?? null, outbox, current ?? {}))
        put.push(entry)
        settledAll.push(...settled.map((e) => e.seq))
      }
      if (put.length === 0) return
      await this.commit({ entities: [...entities.values()], outboxPut: put, outboxDelete: settledAll, meta: { [META_LAST_SEQ]: seq } }, outbox, 'strict')
    })
  }

  // ---- the sync worker's side ----

  /** Marks the next batch inflight (durably, so a crash resends it) and returns it. */
  /** The next ops to send, at most `max` of them and (but for a single op) at most `maxBytes` as JSON. */
  takeBatch(max: number, maxBytes?: number): Promise<OutboxEntry[]> {
    return this.serialize(async () => {
      const batch = nextBatch(this.outbox, this.now(), max, maxBytes).map((e) => ({ ...e, state: 'inflight' as const, attempts: e.attempts + 1 }))
      if (batch.length === 0) return []
      const outbox = this.outbox.map((e) => batch.find((b) => b.seq === e.seq) ?? e)
      await this.commit({ outboxPut: batch }, outbox, 'strict')
      return batch
    })
  }

  /** Applies the relay's answers to a batch. An entry without an answer goes back to pending. */
  settle(sent: readonly OutboxEntry[], results: readonly OpResult[]): Promise<void> {
    return this.serialize(async () => {
      const byOp = new Map(results.map((r) => [r.opId, r]))
      let outbox = [...this.outbox]
      const bases = new Map<string, EntityRecord | null>()
      const remove: number[] = []
      const put = new Map<number, OutboxEntry>()
      const replace = (entry: OutboxEntry): void => {
        put.set(entry.seq, entry)
        outbox = outbox.map((e) => (e.seq === entry.seq ? entry : e))
      }
      for (const sentEntry of sent) {
        // Answered meanwhile by another send of the same entry, or discarded: nothing to do.
        const entry = outbox.find((e) => e.seq === sentEntry.seq && e.state === 'inflight')
        if (!entry) continue
        const key = keyOfOp(entry.op)
        const result = byOp.get(entry.op.opId)
        if (!result) {
          replace({ ...entry, state: 'pending', lastError: 'no answer from the relay', nextAttemptAt: this.now() + retryDelay(entry.attempts, this.random) })
          continue
        }
        const outcome = outcomeOf(result)
        bases.set(key, newer(bases.get(key) ?? this.entities.get(key)?.base ?? null, outcome.record))
        if (outcome.kind === 'done') {
          remove.push(entry.seq)
          outbox = outbox.filter((e) => e.seq !== entry.seq)
          if (outcome.seq !== null) {
            for (const later of outbox.filter((e) => isLive(e) && keyOfOp(e.op) === key)) {
              const op = rebaseAfter(entry.op, outcome.seq, later.op)
              if (op !== later.op) replace({ ...later, op })
            }
          }
        } else {
          replace({ ...entry, state: outcome.kind, lastError: outcome.reason, rejected: outcome.kind === 'failed' })
        }
      }
      const entities = [...bases].map(([key, base]) => {
        const current = this.entities.get(key)
        const [type, id] = splitKey(key)
        return this.rebuild(key, type, id, base, outbox, current ?? {})
      })
      await this.commit({ entities, outboxPut: [...put.values()].filter((e) => !remove.includes(e.seq)), outboxDelete: remove }, outbox, 'strict')
    })
  }

  /** A send that got no usable answer: transient errors retry later, refusals fail at once. */
  defer(sent: readonly OutboxEntry[], error: string, transient: boolean): Promise<void> {
    return this.serialize(async () => {
      const changed = sent
        .filter((s) => this.outbox.some((e) => e.seq === s.seq && e.state === 'inflight'))
        .map((e) =>
        transient
          ? { ...e, state: 'pending' as const, lastError: error, nextAttemptAt: this.now() + retryDelay(e.attempts, this.random) }
          : { ...e, state: 'failed' as const, lastError: error },
      )
      const outbox = this.outbox.map((e) => changed.find((c) => c.seq === e.seq) ?? e)
      const keys = new Set(changed.map((e) => keyOfOp(e.op)))
      const entities = [...keys].map((key) => {
        const current = this.entities.get(key)!
        return this.rebuild(key, current.type, current.id, current.base, outbox, current)
      })
      await this.commit({ entities, outboxPut: changed }, outbox, 'strict')
    })
  }

  /**
   * Other devices' changes from the feed; the cursor moves in the same transaction. `inStep`:
   * notes open here and proven in step with the relay after these entries were written
   * (DocRegistry.confirmInSync), whose content therefore needs no pull. Entries that change
   * nothing here are not written, and a page that changes nothing re-renders nothing.
   */
  applyFeed(entries: readonly FeedEntry[], cursor: number, inStep: ReadonlySet<string> = NOTHING): Promise<void> {
    return this.serialize(async () => {
      let outbox = [...this.outbox]
      const drop: number[] = []
      const entities = entries.flatMap((entry) => {
        const key = entityKey(entry.type, entry.id)
        const current = this.entities.get(key)
        const base = newer(current?.base ?? null, entry.record)
        // Someone settled the review: the conflicted entries here have nothing left to ask.
        if (base && !Object.values(base.conflicts).some(Boolean)) {
          for (const e of outbox) if (e.state === 'conflicted' && keyOfOp(e.op) === key) drop.push(e.seq)
          outbox = outbox.filter((e) => !drop.includes(e.seq))
        }
        const ledger = feedPatch(current, entry.contentSeq, entry.type === 'note' && inStep.has(entry.id))
        const next = this.rebuild(key, entry.type, entry.id, base, outbox, { ...current, ...ledger })
        return current && sameEntity(current, next) ? [] : [next]
      })
      await this.commit({ entities, outboxDelete: drop, meta: { [META_CURSOR]: Math.max(cursor, this.feedCursor) } }, outbox, 'relaxed')
    })
  }

  /**
   * "Retry now": what waits for its retry time goes out on the next drain, and so does what
   * failed: everything (`all`, the user's button), only what was refused as a whole request,
   * e.g. for a bad token (`refused`), or nothing (`none`). `seq` limits it to one entry.
   */
  retry(seq?: number, failed: 'all' | 'refused' | 'none' = 'all'): Promise<void> {
    return this.serialize(async () => {
      const again = (e: OutboxEntry): boolean => e.state === 'pending' || (e.state === 'failed' && (failed === 'all' || (failed === 'refused' && !e.rejected)))
      const changed = this.outbox
        .filter((e) => (seq === undefined || e.seq === seq) && again(e))
        .map((e) => ({ ...e, state: 'pending' as const, nextAttemptAt: 0, rejected: false }))
      if (changed.length === 0) return
      const outbox = this.outbox.map((e) => changed.find((c) => c.seq === e.seq) ?? e)
      await this.commit({ entities: this.rebuildFor(changed, outbox), outboxPut: changed }, outbox, 'strict')
    })
  }

  /** Gives up an unsent or refused change; the entity shows the relay's state again. */
  discard(seq: number): Promise<void> {
    return this.serialize(async () => {
      const entry = this.outbox.find((e) => e.seq === seq)
      if (!entry) return
      if (entry.state === 'inflight') throw new CatalogUsageError('discard: this change is being sent right now; try again in a moment')
      const outbox = this.outbox.filter((e) => e.seq !== seq)
      await this.commit({ entities: this.rebuildFor([entry], outbox), outboxDelete: [seq] }, outbox, 'strict')
    })
  }

  /**
   * Records whether this device holds note content the relay has not acknowledged: the note's
   * text, or (`part` 'history') its saved versions.
   */
  setContentDirty(noteId: string, dirty: boolean, part: ContentPart = 'text'): Promise<void> {
    return this.serialize(async () => {
      const current = this.entities.get(entityKey('note', noteId))
      if (!current) return
      const patch = markedPatch(current, dirty, part)
      // The first edit of a draft's content touches it: released in the same transaction.
      const { outbox, released } = dirty ? this.released(current.key, this.outbox) : { outbox: this.outbox, released: [] }
      if (!patch && released.length === 0) return
      const next = this.rebuild(current.key, 'note', noteId, current.base, outbox, { ...current, ...patch })
      await this.commit({ entities: [next], outboxPut: released }, outbox, dirty ? 'strict' : 'relaxed')
    })
  }

  /**
   * Background sync compared the note with the relay: its content is here up to the relay's
   * content seq `seq`, and the relay has stored everything this device had.
   */
  markContentSynced(noteId: string, seq: number): Promise<void> {
    return this.updateNote(noteId, (e) => syncedPatch(e, seq), 'relaxed')
  }

  private updateNote(noteId: string, change: (e: LocalEntity) => Partial<LocalEntity> | null, durability: 'strict' | 'relaxed'): Promise<void> {
    return this.serialize(async () => {
      const current = this.entities.get(entityKey('note', noteId))
      if (!current) return
      const patch = change(current)
      if (!patch) return
      await this.commit({ entities: [{ ...current, ...patch }] }, this.outbox, durability)
    })
  }

  close(): void {
    this.channel?.close()
    this.db.close()
  }

  // ---- internals ----

  private rebuildFor(entries: readonly OutboxEntry[], outbox: readonly OutboxEntry[]): LocalEntity[] {
    return [...new Set(entries.map((e) => keyOfOp(e.op)))].map((key) => {
      const current = this.entities.get(key)
      const [type, id] = splitKey(key)
      return this.rebuild(key, type, id, current?.base ?? null, outbox, current ?? {})
    })
  }

  private rebuild(key: string, type: EntityType, id: string, base: EntityRecord | null, outbox: readonly OutboxEntry[], keep: Partial<LocalEntity>): LocalEntity {
    const entries = outbox.filter((e) => keyOfOp(e.op) === key)
    const view = project(base, entries)
    const deletedHere = entries.some((e) => specOf(e.op.kind).erasesContent === true && isShown(e))
    const { draft: _wasDraft, ...kept } = keep
    return {
      ...EMPTY_LEDGER,
      ...kept,
      ...(entries.some((e) => e.held === true) ? { draft: true } : {}),
      ...ledgerAfterDelete(view?.deleted === true, deletedHere, keep),
      key,
      type,
      id,
      base,
      view,
      ...entitySync(base, entries),
    }
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work)
    this.queue = run.catch(() => undefined)
    return run
  }

  private async commit(write: CatalogWrite, outbox: OutboxEntry[], durability: 'strict' | 'relaxed'): Promise<void> {
    await writeAll(this.db, write, durability)
    const newlyGone = (write.entities ?? []).filter((e) => isGoneNote(e) && !isGoneNote(this.entities.get(e.key)))
    for (const entity of write.entities ?? []) this.entities.set(entity.key, entity)
    this.outbox = outbox
    if (write.meta?.[META_CURSOR] !== undefined) this.feedCursor = Number(write.meta[META_CURSOR])
    if (write.meta?.[META_LAST_SEQ] !== undefined) this.lastSeq = Number(write.meta[META_LAST_SEQ])
    // Only the feed cursor moved: nothing anyone shows changed.
    for (const key of write.entitiesDelete ?? []) this.entities.delete(key)
    if (!write.entities?.length && !write.entitiesDelete?.length && !write.outboxPut?.length && !write.outboxDelete?.length) return
    this.publish()
    this.channel?.postMessage([...(write.entities ?? []).map((e) => e.key), ...(write.entitiesDelete ?? [])])
    for (const entity of newlyGone) for (const listener of [...this.deletedListeners]) listener(entity.id)
  }

  private publish(): void {
    this.entities = new Map(this.entities)
    this.snapshot = { entities: this.entities, outbox: [...this.outbox] }
    for (const listener of [...this.listeners]) listener()
  }
}

/**
 * Deleted forever, here or as the relay reports it: the local content is erased at once, as the
 * user asked. If the relay refuses (someone edited it meanwhile), the note comes back and its
 * content is pulled from the relay again (rebuild resets contentPulled for that).
 */
function isGoneNote(entity: LocalEntity | undefined): boolean {
  return entity !== undefined && entity.type === 'note' && entity.view !== null && entity.view.deleted && !entity.contentDirty
}

const NOTHING: ReadonlySet<string> = new Set()

/** Entities are plain data (they are stored as they are): equal JSON, nothing to write or show. */
function sameEntity(a: LocalEntity, b: LocalEntity): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

function splitKey(key: string): [EntityType, string] {
  const at = key.indexOf(':')
  return [key.slice(0, at) as EntityType, key.slice(at + 1)]
}
