// The workspace index: a Y.Doc (room `index`) listing the notes until real metadata lands.
//   order:   Y.Array<string>      note ids, newest first (new notes are inserted at 0)
//   titles:  Y.Map<string>        note id → derived title
//   trashed: Y.Map<Uint8Array>    note id → Yjs snapshot of the note's content as the trashing
//                                 device saw it (see trash-rules.ts). A trashed note stays in
//                                 `order` and keeps its content everywhere; restoring deletes the
//                                 entry.
//   deleted: Y.Map<Uint8Array>    note id → the same snapshot, kept as a tombstone when a note is
//                                 deleted forever, so every device can tell whether it holds edits
//                                 the deleting device never saw (then the note comes back).
// Order comes only from the array's own (CRDT) order; no client clock is consulted.

import * as Y from 'yjs'
import { UNTITLED } from './title'

export { INDEX_ROOM, noteRoom } from '../../protocol/rooms'

export interface NoteSummary {
  readonly id: string
  readonly title: string
}

export interface IndexSnapshot {
  /** The notes list (not trashed), newest first. */
  readonly notes: readonly NoteSummary[]
  /** Trashed notes, in the same order. */
  readonly trash: readonly NoteSummary[]
}

/** Who made an index change: this device (null origin) or something that arrived (sync, storage). */
export interface IndexChange {
  /** Ids whose trash entry was set (trashed or re-trashed). */
  readonly trashedIds: readonly string[]
  /** Ids that got a delete-forever tombstone. */
  readonly deletedIds: readonly string[]
  /** True when the change came from this device's own user actions. */
  readonly local: boolean
}

const sameList = (a: readonly NoteSummary[], b: readonly NoteSummary[]): boolean =>
  a.length === b.length && a.every((n, i) => n.id === b[i]?.id && n.title === b[i]?.title)

export class NotesIndex {
  readonly order: Y.Array<string>
  readonly titles: Y.Map<string>
  readonly trashed: Y.Map<Uint8Array>
  readonly deleted: Y.Map<Uint8Array>
  private snapshot: IndexSnapshot = { notes: [], trash: [] }
  private readonly listeners = new Set<() => void>()
  private readonly changeListeners = new Set<(change: IndexChange) => void>()

  constructor(private readonly doc: Y.Doc) {
    this.order = doc.getArray<string>('order')
    this.titles = doc.getMap<string>('titles')
    this.trashed = doc.getMap<Uint8Array>('trashed')
    this.deleted = doc.getMap<Uint8Array>('deleted')
    this.refresh()
    const onChange = (): void => {
      this.refresh()
      for (const listener of [...this.listeners]) listener()
    }
    this.order.observe(onChange)
    this.titles.observe(onChange)
    this.trashed.observe(onChange)
    const added = (event: Y.YMapEvent<Uint8Array>): string[] =>
      [...event.changes.keys].filter(([, change]) => change.action !== 'delete').map(([key]) => key)
    this.trashed.observe((event, tr) => this.emitChange({ trashedIds: added(event), deletedIds: [], local: tr.local && tr.origin === null }))
    this.deleted.observe((event, tr) => this.emitChange({ trashedIds: [], deletedIds: added(event), local: tr.local && tr.origin === null }))
  }

  /** Immutable notes list and trash; a new object only when something changed. */
  getSnapshot = (): IndexSnapshot => this.snapshot

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  /** Called for every change to the trash or the delete-forever tombstones. */
  onTrashChange(listener: (change: IndexChange) => void): () => void {
    this.changeListeners.add(listener)
    return () => {
      this.changeListeners.delete(listener)
    }
  }

  /** Listed (in the notes list or in the trash). */
  has(id: string): boolean {
    return this.order.toArray().includes(id)
  }

  isTrashed(id: string): boolean {
    return this.trashed.has(id)
  }

  /** The content snapshot recorded when the note was trashed, if it is trashed. */
  trashSnapshot(id: string): Uint8Array | undefined {
    return this.trashed.get(id)
  }

  /** The content snapshot recorded when the note was deleted forever, if it was. */
  tombstone(id: string): Uint8Array | undefined {
    return this.deleted.get(id)
  }

  titleOf(id: string): string {
    return this.titles.get(id) ?? UNTITLED
  }

  create(): string {
    const id = crypto.randomUUID()
    this.order.insert(0, [id])
    return id
  }

  /**
   * Moves a note to the trash. `content` is the note's document as this device has it: what it
   * has seen is recorded, so edits it has not seen can restore the note (see trash-rules.ts).
   */
  trash(id: string, content: Y.Doc): void {
    if (!this.has(id)) return
    this.trashed.set(id, Y.encodeSnapshot(Y.snapshot(content)))
  }

  /** Takes a note out of the trash. Removes only the trash entries this device has seen. */
  restore(id: string): void {
    if (this.trashed.has(id)) this.trashed.delete(id)
  }

  /**
   * Removes a trashed note from the index for good, leaving a tombstone with the snapshot taken
   * when it was trashed. The caller erases the local copy of its content.
   */
  deleteForever(id: string): void {
    const seen = this.trashed.get(id) ?? Y.encodeSnapshot(Y.emptySnapshot)
    this.doc.transact(() => {
      this.removeFromOrder(id)
      this.titles.delete(id)
      this.trashed.delete(id)
      this.deleted.set(id, seen)
    })
  }

  /** Brings back a note deleted forever elsewhere, because this device has edits that were not seen. */
  reinstate(id: string, title: string): void {
    this.doc.transact(() => {
      if (!this.has(id)) this.order.insert(0, [id])
      if (title !== UNTITLED) this.titles.set(id, title)
      this.deleted.delete(id)
      this.trashed.delete(id)
    })
  }

  /** Writes the title only when it actually changed, so unchanged edits add nothing to the index. */
  setTitle(id: string, title: string): void {
    if (this.titleOf(id) === title) return
    if (!this.has(id)) return // deleted meanwhile: don't resurrect a title
    this.titles.set(id, title)
  }

  private removeFromOrder(id: string): void {
    const ids = this.order.toArray()
    for (let i = ids.length - 1; i >= 0; i--) {
      if (ids[i] === id) this.order.delete(i, 1)
    }
  }

  private emitChange(change: IndexChange): void {
    if (change.trashedIds.length === 0 && change.deletedIds.length === 0) return
    for (const listener of [...this.changeListeners]) listener(change)
  }

  private refresh(): void {
    const seen = new Set<string>()
    const notes: NoteSummary[] = []
    const trash: NoteSummary[] = []
    for (const id of this.order.toArray()) {
      if (seen.has(id)) continue
      seen.add(id)
      ;(this.trashed.has(id) ? trash : notes).push({ id, title: this.titleOf(id) })
    }
    const prev = this.snapshot
    if (sameList(prev.notes, notes) && sameList(prev.trash, trash)) return
    this.snapshot = {
      notes: sameList(prev.notes, notes) ? prev.notes : notes,
      trash: sameList(prev.trash, trash) ? prev.trash : trash,
    }
  }
}
