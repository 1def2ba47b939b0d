// The workspace index: a Y.Doc (room `index`) listing the notes until real metadata lands.
//   order:  Y.Array<string>  note ids, newest first (new notes are inserted at 0)
//   titles: Y.Map<string>    note id → derived title
// Order comes only from the array's own (CRDT) order; no client clock is consulted.

import type * as Y from 'yjs'
import { UNTITLED } from './title'

export { INDEX_ROOM, noteRoom } from '../../protocol/rooms'

export interface NoteSummary {
  readonly id: string
  readonly title: string
}

export class NotesIndex {
  readonly order: Y.Array<string>
  readonly titles: Y.Map<string>
  private snapshot: readonly NoteSummary[] = []
  private readonly listeners = new Set<() => void>()

  constructor(private readonly doc: Y.Doc) {
    this.order = doc.getArray<string>('order')
    this.titles = doc.getMap<string>('titles')
    this.refresh()
    const onChange = (): void => {
      this.refresh()
      for (const listener of [...this.listeners]) listener()
    }
    this.order.observe(onChange)
    this.titles.observe(onChange)
  }

  /** Immutable list, newest first; a new array only when something changed. */
  getSnapshot = (): readonly NoteSummary[] => this.snapshot

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  has(id: string): boolean {
    return this.snapshot.some((note) => note.id === id)
  }

  titleOf(id: string): string {
    return this.titles.get(id) ?? UNTITLED
  }

  create(): string {
    const id = crypto.randomUUID()
    this.order.insert(0, [id])
    return id
  }

  remove(id: string): void {
    this.doc.transact(() => {
      const ids = this.order.toArray()
      for (let i = ids.length - 1; i >= 0; i--) {
        if (ids[i] === id) this.order.delete(i, 1)
      }
      this.titles.delete(id)
    })
  }

  /** Writes the title only when it actually changed, so unchanged edits add nothing to the index. */
  setTitle(id: string, title: string): void {
    if (this.titleOf(id) === title) return
    if (!this.order.toArray().includes(id)) return // deleted meanwhile: don't resurrect a title
    this.titles.set(id, title)
  }

  private refresh(): void {
    const seen = new Set<string>()
    const next: NoteSummary[] = []
    for (const id of this.order.toArray()) {
      if (seen.has(id)) continue
      seen.add(id)
      next.push({ id, title: this.titleOf(id) })
    }
    const prev = this.snapshot
    const same = prev.length === next.length && prev.every((n, i) => n.id === next[i]?.id && n.title === next[i]?.title)
    if (!same) this.snapshot = next
  }
}
