// Keeps the search index in step with the notes, without ever re-reading them all:
//
// - At start it loads the saved index (search-store.ts). Notes the catalog has but the index does
//   not (the first run after upgrading, notes created elsewhere before this device indexed them)
//   are read once, in small background batches: that is the one-time build.
// - Any change to an open note's doc (typed here, or received by the editor or by background
//   content sync from the relay) re-indexes that note after a short pause, unless its content
//   version (state vector) is the one already indexed, e.g. when a doc is just loaded from disk.
// - Catalog changes re-index titles and drop notes deleted for good; trashed notes stay indexed
//   but are left out of results.
// - Each changed note is saved shortly after it changes (cheap). MiniSearch's serialized index is
//   costly to take with thousands of notes (hundreds of ms), so it is snapshotted rarely: after the
//   one-time build, a minute after changes (when the page is idle), and when the page is hidden.
//   Loading brings a stale snapshot up to date from the saved notes, still without reading any doc.

import { noteIdOfRoom, noteRoom } from '../../protocol/rooms'
import type { Catalog } from '../catalog/catalog'
import type { DocRegistry } from '../sync/doc-registry'
import { ValueStore, type ReadableStore } from '../sync/store'
import { SearchIndex, type SearchHit } from './search-index'
import type { SearchStore } from './search-store'
import { contentVersion, noteText } from './text'
import type { BacklinksIndex } from '../links/backlinks'

export interface SearchIndexerOptions {
  /** Pause after a doc change before re-indexing it (typing produces many changes). */
  reindexDelayMs?: number
  /** Pause after an index change before saving the changed notes. */
  saveDelayMs?: number
  /** Pause after an index change before snapshotting the whole index. */
  snapshotDelayMs?: number
  /** Notes read per step of the one-time build. */
  batchSize?: number
  /** Also keeps the links between notes from the same reads (renderer/links/backlinks.ts). */
  backlinks?: BacklinksIndex
}

/** During the one-time build, readers hear of index changes at most this often. */
const BUILD_PUBLISH_MS = 1_000

type CatalogPart = Pick<Catalog, 'subscribe' | 'getSnapshot' | 'onNoteDeleted'>
type RegistryPart = Pick<DocRegistry, 'withLocalContent' | 'onDocUpdate'>

interface NoteState {
  readonly title: string
  readonly trashed: boolean
}

export class SearchIndexer {
  index = new SearchIndex()
  /** Bumped on every index change, so shown results can be recomputed. */
  private readonly revision = new ValueStore(0)
  private readonly reindexDelayMs: number
  private readonly saveDelayMs: number
  private readonly batchSize: number
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>()
  private readonly work = new Map<string, Promise<void>>()
  private readonly changed = new Set<string>()
  private readonly removed = new Set<string>()
  private readonly missing = new Set<string>()
  /** Title-only notes already re-read this session (see catalogChanged). */
  private readonly recheckedEmpty = new Set<string>()
  private saveTimer: ReturnType<typeof setTimeout> | null = null
  private snapshotTimer: ReturnType<typeof setTimeout> | null = null
  private publishTimer: ReturnType<typeof setTimeout> | null = null
  private snapshotting: Promise<void> | null = null
  private snapshotStale = false
  private readonly snapshotDelayMs: number
  private building = false
  private stopped = false
  private readonly cleanups: (() => void)[] = []
  private live = new Map<string, NoteState>()
  private readonly backlinks: BacklinksIndex | null
  /** Where the index is saved; null keeps it in memory only. */
  private readonly store: Promise<SearchStore | null>

  constructor(
    private readonly catalog: CatalogPart,
    private readonly registry: RegistryPart,
    store: SearchStore | Promise<SearchStore | null> | null,
    options: SearchIndexerOptions = {},
  ) {
    this.reindexDelayMs = options.reindexDelayMs ?? 500
    this.saveDelayMs = options.saveDelayMs ?? 1000
    this.snapshotDelayMs = options.snapshotDelayMs ?? 60_000
    this.batchSize = options.batchSize ?? 20
    this.backlinks = options.backlinks ?? null
    this.store = Promise.resolve(store)
  }

  get changes(): ReadableStore<number> {
    return this.revision
  }

  /** Loads the saved index and starts following changes; resolves once the saved index is in. */
  async start(): Promise<void> {
    // Listen first, so nothing that changes while the index loads is missed.
    this.cleanups.push(this.registry.onDocUpdate((room) => this.docChanged(room)))
    this.cleanups.push(this.catalog.onNoteDeleted((id) => this.drop(id)))
    const saved = await (await this.store)?.load().catch((err: unknown) => {
      console.warn('skein: could not load the search index; rebuilding it', err)
      return null
    })
    if (this.stopped) return
    if (saved) {
      try {
        this.index = new SearchIndex(saved)
      } catch (err) {
        console.warn('skein: the saved search index snapshot is unreadable; rebuilding it from the saved notes', err)
        this.index = new SearchIndex({ snapshot: null, notes: saved.notes })
        this.snapshotStale = true
      }
      if (!saved.snapshot && saved.notes.length > 0) this.snapshotStale = true
    }
    this.cleanups.push(this.catalog.subscribe(() => this.catalogChanged()))
    if (typeof document !== 'undefined') {
      const onHide = (): void => {
        if (document.visibilityState === 'hidden') void this.saveSnapshot()
      }
      document.addEventListener('visibilitychange', onHide)
      this.cleanups.push(() => document.removeEventListener('visibilitychange', onHide))
    }
    this.catalogChanged()
  }

  stop(): void {
    this.stopped = true
    for (const off of this.cleanups.splice(0)) off()
    for (const timer of this.timers.values()) clearTimeout(timer)
    if (this.saveTimer) clearTimeout(this.saveTimer)
    if (this.snapshotTimer) clearTimeout(this.snapshotTimer)
    if (this.publishTimer) clearTimeout(this.publishTimer)
  }

  /** Ranked matches among the notes that are neither deleted nor in the trash. */
  search(query: string, limit = 50): SearchHit[] {
    return this.index.search(query, { limit, exclude: (id) => this.live.get(id)?.trashed !== false })
  }

  /** Resolves once everything queued so far is indexed and its notes saved (tests, benchmarks). */
  async idle(): Promise<void> {
    while (this.timers.size > 0 || this.work.size > 0 || this.building || this.saveTimer || this.snapshotting) {
      await Promise.all(this.work.values())
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }

  private catalogChanged(): void {
    const live = new Map<string, NoteState>()
    for (const entity of this.catalog.getSnapshot().entities.values()) {
      const view = entity.view
      if (view?.type !== 'note') continue
      if (view.deleted) {
        this.drop(view.id)
        continue
      }
      live.set(view.id, { title: view.title, trashed: view.trashed })
      const indexed = this.index.get(view.id)
      if (!indexed) this.missing.add(view.id)
      // Indexed before any content was here (a title only): its content may have arrived while
      // the index was not watching (synced, then the window closed before the re-index). Read
      // once per session; a note still without content stays title-only.
      else if (indexed.version === '' && !this.recheckedEmpty.has(view.id)) {
        this.recheckedEmpty.add(view.id)
        this.missing.add(view.id)
      }
      else if (indexed.title !== view.title) this.put(view.id, view.title, indexed.text, indexed.version, indexed.changedAt)
    }
    const before = this.live
    this.live = live
    if ([...live].some(([id, note]) => before.get(id)?.trashed !== note.trashed) || before.size !== live.size) this.bump()
    void this.build()
  }

  /** The one-time build: reads the notes the index lacks, a few at a time, in the background. */
  private async build(): Promise<void> {
    if (this.building) return
    this.building = true
    let built = 0
    try {
      while (this.missing.size > 0 && !this.stopped) {
        const batch = [...this.missing].slice(0, this.batchSize)
        for (const id of batch) this.missing.delete(id)
        built += batch.length
        await Promise.all(batch.filter((id) => (this.index.get(id)?.version ?? '') === '').map((id) => this.reindex(id)))
        await new Promise((resolve) => setTimeout(resolve, 0)) // let the UI breathe
      }
    } finally {
      this.building = false
      this.flushRevision()
    }
    // Snapshot a fresh build right away: rebuilding it from the saved notes would cost a second or so.
    if (built > 0 && !this.stopped) this.scheduleSnapshot(0)
  }

  private docChanged(room: string): void {
    const id = noteIdOfRoom(room)
    if (id === null || this.stopped) return
    const changedAt = Date.now()
    const pending = this.timers.get(id)
    if (pending) clearTimeout(pending)
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id)
        void this.reindex(id, changedAt)
      }, this.reindexDelayMs),
    )
  }

  /** Re-reads one note's content (open doc, else its local copy) and indexes it if it changed. */
  /** `changedAt`: when the doc changed, if a change (not the one-time build) asks for this. */
  private reindex(id: string, changedAt?: number): Promise<void> {
    const previous = this.work.get(id) ?? Promise.resolve()
    const next = previous.then(async () => {
      const known = this.index.get(id)
      const content = await this.registry
        .withLocalContent(noteRoom(id), (doc) => {
          this.backlinks?.update(id, doc)
          const version = contentVersion(doc)
          return known && version === known.version ? null : { text: noteText(doc), version }
        })
        .catch((err: unknown) => {
          console.warn('skein: could not index a note', id, err)
          return null
        })
      if (content === null || this.stopped) return
      // No local copy yet: index the title; the content is indexed when it arrives.
      const title = this.live.get(id)?.title ?? this.index.get(id)?.title ?? ''
      const text = content?.text ?? ''
      // The text's change time moves only when the text did (a new state vector can carry formatting only).
      const when = known && known.text === text ? known.changedAt : (changedAt ?? known?.changedAt)
      this.put(id, title, text, content?.version ?? '', when)
    })
    this.work.set(id, next)
    void next.finally(() => {
      if (this.work.get(id) === next) this.work.delete(id)
    })
    return next
  }

  private put(id: string, title: string, text: string, version: string, changedAt?: number): void {
    this.index.upsert(id, title, text, version, changedAt)
    this.removed.delete(id)
    this.changed.add(id)
    this.bump()
  }

  private drop(id: string): void {
    this.backlinks?.drop(id)
    this.missing.delete(id)
    if (!this.index.get(id)) return
    this.index.remove(id)
    this.changed.delete(id)
    this.removed.add(id)
    this.bump()
  }

  private bump(): void {
    this.publishRevision()
    if (!this.saveTimer) this.saveTimer = setTimeout(() => void this.save(), this.saveDelayMs)
    this.snapshotStale = true
    this.scheduleSnapshot(this.snapshotDelayMs)
  }

  /**
   * Tells readers (the notes list re-sorts every note on it) that the index changed: at once,
   * except during the one-time build, which changes it every batch, so at most every
   * BUILD_PUBLISH_MS and once when the build ends.
   */
  private publishRevision(): void {
    if (!this.building) return this.flushRevision(true)
    this.publishTimer ??= setTimeout(() => this.flushRevision(), BUILD_PUBLISH_MS)
  }

  private flushRevision(force = false): void {
    if (!force && !this.publishTimer) return
    if (this.publishTimer) clearTimeout(this.publishTimer)
    this.publishTimer = null
    this.revision.set(this.revision.get() + 1)
  }

  private scheduleSnapshot(delayMs: number): void {
    if (this.snapshotTimer || this.stopped) return
    this.snapshotTimer = setTimeout(() => {
      // Taking the snapshot blocks for a while: wait for a moment the page has nothing better to do.
      if (typeof requestIdleCallback === 'function') requestIdleCallback(() => void this.saveSnapshot(), { timeout: 10_000 })
      else void this.saveSnapshot()
    }, delayMs)
  }

  /** Saves a snapshot of the whole index now, if it changed since the last one. */
  async saveSnapshot(): Promise<void> {
    if (this.snapshotTimer) clearTimeout(this.snapshotTimer)
    this.snapshotTimer = null
    await this.snapshotting
    if (!this.snapshotStale) return
    this.snapshotStale = false
    const work = (async () => {
      try {
        await (await this.store)?.saveSnapshot(this.index.snapshot())
      } catch (err) {
        console.warn('skein: could not save the search index', err)
        this.snapshotStale = true
      }
    })()
    this.snapshotting = work
    await work
    if (this.snapshotting === work) this.snapshotting = null
  }

  private async save(): Promise<void> {
    const changed = [...this.changed].flatMap((id) => this.index.get(id) ?? [])
    const removed = [...this.removed]
    this.changed.clear()
    this.removed.clear()
    try {
      await (await this.store)?.saveNotes(changed, removed)
    } catch (err) {
      console.warn('skein: could not save the search index', err)
      for (const note of changed) this.changed.add(note.id)
      for (const id of removed) this.removed.add(id)
    } finally {
      this.saveTimer = null
      // Changes made while saving (or a failed save) go in the next one.
      if (this.changed.size > 0 || this.removed.size > 0) this.bump()
    }
  }
}
