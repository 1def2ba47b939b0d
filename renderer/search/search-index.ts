// The full-text index over every note: MiniSearch (title + text, prefix and fuzzy matching, title
// boosted) plus, per note, the title and text it indexed (for excerpts and highlights) and the
// version of the content that text came from (so a note is re-indexed only when it changed).

import MiniSearch, { type AsPlainObject } from 'minisearch'
import { locate, matchRanges, snippetOf, type MatchLocation, type Range, type Snippet } from './highlight'

export interface IndexedNote {
  readonly id: string
  readonly title: string
  readonly text: string
  /** Which content `text` was taken from (a state vector, base64); '' when there was none. */
  readonly version: string
  /** When this device saw the text change (ms): the note list's "modified". Absent: not known. */
  readonly changedAt?: number
}

export interface SearchHit {
  readonly id: string
  readonly score: number
  readonly title: string
  readonly titleRanges: readonly Range[]
  readonly snippet: Snippet
  /** The first match in the note's text, to open the note there; null when only the title matched. */
  readonly match: MatchLocation | null
}

/**
 * MiniSearch's serialized index as of some moment, with the stamp (content version and title) of
 * each note it held then. Serializing is costly with many notes, so it is saved rarely; the notes
 * themselves are saved as they change, and the stamps tell which ones the snapshot lacks.
 */
export interface IndexSnapshot {
  readonly index: AsPlainObject
  readonly stamps: Readonly<Record<string, string>>
}

/** Everything needed to bring the index back without reading a single note. */
export interface IndexState {
  /** Null when there is none (first run, older format): the index is then built from `notes`. */
  readonly snapshot: IndexSnapshot | null
  readonly notes: readonly IndexedNote[]
}

const stampOf = (note: IndexedNote): string => `${note.version}\u0000${note.title}`

const OPTIONS = {
  fields: ['title', 'text'],
  // MiniSearch 7.2's automatic vacuuming walks the index in timed batches, and a note added or
  // replaced between two batches changes the tree under the walk: it then throws from a timer,
  // where nothing can catch it. Notes are removed exactly instead (`remove` with the document as
  // it was indexed, which leaves nothing to vacuum); the rare discards vacuum in one pass.
  autoVacuum: false,
  searchOptions: { prefix: true, fuzzy: 0.2, boost: { title: 3 }, combineWith: 'AND' as const },
}

export interface SearchOptions {
  /** Notes to leave out (e.g. the ones in the trash). */
  exclude?: (id: string) => boolean
  limit?: number
}

export class SearchIndex {
  private readonly notes = new Map<string, IndexedNote>()
  private engine: MiniSearch<IndexedNote>

  /** Restores a saved index: the snapshot, brought up to date from the saved notes (no note is read). */
  constructor(state?: IndexState) {
    const snapshot = state?.snapshot
    this.engine = snapshot ? MiniSearch.loadJS<IndexedNote>(snapshot.index, OPTIONS) : new MiniSearch<IndexedNote>(OPTIONS)
    const stale = new Set(Object.keys(snapshot?.stamps ?? {}))
    for (const note of state?.notes ?? []) {
      stale.delete(note.id)
      if (snapshot?.stamps[note.id] === stampOf(note)) this.notes.set(note.id, note)
      else {
        // Indexed in the snapshot with a text not known here: discarded now, vacuumed once below.
        if (this.engine.has(note.id)) this.discardUnknown(note.id)
        this.upsert(note.id, note.title, note.text, note.version, note.changedAt)
      }
    }
    for (const id of stale) this.discardUnknown(id)
    this.vacuumNow()
  }

  private discards = 0

  /** A note the engine holds but whose indexed text is not known here (only in an old snapshot). */
  private discardUnknown(id: string): void {
    this.engine.discard(id)
    this.discards++
  }

  /** Cleans up after discards in one synchronous pass: no pause in which the index could change. */
  private vacuumNow(): void {
    if (this.discards === 0) return
    this.discards = 0
    void this.engine.vacuum({ batchSize: Number.MAX_SAFE_INTEGER })
  }

  get size(): number {
    return this.notes.size
  }

  get(id: string): IndexedNote | undefined {
    return this.notes.get(id)
  }

  ids(): IterableIterator<string> {
    return this.notes.keys()
  }

  /** Indexes the note, replacing whatever was indexed for it before. */
  upsert(id: string, title: string, text: string, version: string, changedAt?: number): void {
    const note: IndexedNote = changedAt === undefined ? { id, title, text, version } : { id, title, text, version, changedAt }
    this.unindex(id)
    this.engine.add(note)
    this.notes.set(id, note)
  }

  remove(id: string): void {
    this.unindex(id)
    this.notes.delete(id)
  }

  private unindex(id: string): void {
    if (!this.engine.has(id)) return
    const indexed = this.notes.get(id)
    if (indexed) this.engine.remove(indexed)
    else {
      this.discardUnknown(id)
      this.vacuumNow()
    }
  }

  search(query: string, options: SearchOptions = {}): SearchHit[] {
    if (query.trim() === '') return []
    const hits: SearchHit[] = []
    for (const result of this.engine.search(query)) {
      const note = this.notes.get(result.id as string)
      if (!note || options.exclude?.(note.id)) continue
      const terms = new Set(result.terms)
      const ranges = matchRanges(note.text, terms)
      hits.push({
        id: note.id,
        score: result.score,
        title: note.title,
        titleRanges: matchRanges(note.title, terms),
        snippet: snippetOf(note.text, ranges),
        match: ranges[0] ? locate(note.text, ranges[0]) : null,
      })
      if (options.limit !== undefined && hits.length >= options.limit) break
    }
    return hits
  }

  /** The serialized MiniSearch index (costly with many notes: take it rarely). */
  snapshot(): IndexSnapshot {
    const stamps: Record<string, string> = {}
    for (const note of this.notes.values()) stamps[note.id] = stampOf(note)
    return { index: this.engine.toJSON(), stamps }
  }

  state(): IndexState {
    return { snapshot: this.snapshot(), notes: [...this.notes.values()] }
  }
}
