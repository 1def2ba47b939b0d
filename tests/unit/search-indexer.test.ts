import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { noteRoom } from '../../protocol/rooms'
import { encodeContentSnapshot } from '../../protocol/meta/snapshots'
import { Catalog } from '../../renderer/catalog/catalog'
import { DocRegistry } from '../../renderer/sync/doc-registry'
import { SearchIndex } from '../../renderer/search/search-index'
import { SearchIndexer } from '../../renderer/search/search-indexer'
import { SearchStore } from '../../renderer/search/search-store'

let n = 0
const running: SearchIndexer[] = []
afterEach(() => {
  for (const indexer of running.splice(0)) indexer.stop()
  vi.restoreAllMocks()
})

/** A device's local storage: catalog, note docs, and the saved search index. */
async function device() {
  const name = `search-${++n}`
  const catalog = await Catalog.open({ factory: indexedDB, name: `${name}-catalog` })
  return { catalog, storeName: `${name}-index` }
}

type Device = Awaited<ReturnType<typeof device>>

async function startIndexer({ catalog, storeName }: Device) {
  const registry = new DocRegistry(Promise.resolve(null))
  const reads = vi.spyOn(registry, 'withLocalContent')
  const indexer = new SearchIndexer(catalog, registry, SearchStore.open(indexedDB, storeName), { reindexDelayMs: 50, saveDelayMs: 20, batchSize: 2 })
  running.push(indexer)
  await indexer.start()
  await indexer.idle()
  return { registry, reads, indexer }
}

/** Writes `text` as the note's content, as the editor would, and waits until it is on disk. */
async function writeContent(registry: DocRegistry, id: string, text: string): Promise<void> {
  const handle = registry.get(noteRoom(id))
  registry.retain(handle)
  await handle.whenLoaded
  const fragment = handle.doc.getXmlFragment('default')
  handle.doc.transact(() => {
    fragment.delete(0, fragment.length)
    const paragraph = new Y.XmlElement('paragraph')
    paragraph.insert(0, [new Y.XmlText(text)])
    fragment.insert(0, [paragraph])
  })
  await new Promise((resolve) => setTimeout(resolve, 30)) // y-indexeddb writes each update in its own transaction
  registry.release(handle)
}

async function noteWith(dev: Device, registry: DocRegistry, title: string, text: string): Promise<string> {
  const id = await dev.catalog.createNote({ title })
  await writeContent(registry, id, text)
  return id
}

const ids = (indexer: SearchIndexer, query: string): string[] => indexer.search(query).map((hit) => hit.id)

describe('the search index on a device', () => {
  it('tells readers of its one-time build when it ends, not after every batch (the notes list re-sorts every note each time)', async () => {
    const dev = await device()
    const seed = new DocRegistry(Promise.resolve(null))
    for (let i = 0; i < 12; i++) await noteWith(dev, seed, `Note ${i}`, `text number ${i}`)
    const registry = new DocRegistry(Promise.resolve(null))
    const indexer = new SearchIndexer(dev.catalog, registry, SearchStore.open(indexedDB, dev.storeName), { reindexDelayMs: 50, saveDelayMs: 20, batchSize: 2 })
    running.push(indexer)
    const seen: number[] = [] // how many notes a reader finds each time it is told
    indexer.changes.subscribe(() => seen.push(indexer.search('text').length))
    await indexer.start()
    await indexer.idle()
    expect(seen.length).toBeLessThanOrEqual(3) // six batches of two
    expect(seen.at(-1)).toBe(12) // and the last word is the whole build
  })

  it('is built once from the notes, then loaded on the next start without reading any note', async () => {
    const dev = await device()
    const seed = new DocRegistry(Promise.resolve(null))
    const a = await noteWith(dev, seed, 'Alpha', 'the quick brown fox')
    const b = await noteWith(dev, seed, 'Beta', 'a lazy dog sleeps')
    const c = await noteWith(dev, seed, 'Gamma', 'the fox and the dog')

    const first = await startIndexer(dev)
    expect(first.reads).toHaveBeenCalledTimes(3) // the one-time build
    expect(ids(first.indexer, 'fox').sort()).toEqual([a, c].sort())
    await first.indexer.saveSnapshot()
    first.indexer.stop()

    const upserts = vi.spyOn(SearchIndex.prototype, 'upsert')
    const second = await startIndexer(dev)
    expect(second.reads).not.toHaveBeenCalled()
    expect(upserts).not.toHaveBeenCalled() // the snapshot was current: nothing to bring up to date
    expect(ids(second.indexer, 'dog').sort()).toEqual([b, c].sort())
    expect(second.indexer.search('lazy')[0]?.snippet.text).toBe('a lazy dog sleeps')
  })

  it('reads only the notes the saved index lacks', async () => {
    const dev = await device()
    const seed = new DocRegistry(Promise.resolve(null))
    await noteWith(dev, seed, 'Old', 'indexed before')
    ;(await startIndexer(dev)).indexer.stop()
    const added = await noteWith(dev, seed, 'New', 'arrived while closed')

    const { reads, indexer } = await startIndexer(dev)
    expect(reads).toHaveBeenCalledTimes(1)
    expect(reads.mock.calls[0]![0]).toBe(noteRoom(added))
    expect(ids(indexer, 'arrived')).toEqual([added])
  })

  it('reads again at start a note indexed before its content arrived, whose content came while the index was closed', async () => {
    const dev = await device()
    // Indexed by title only: no local copy of its content yet (it is synced in the background).
    const id = await dev.catalog.createNote({ title: 'Synced later' })
    ;(await startIndexer(dev)).indexer.stop()
    // The content lands on disk (a sync, then the window closes before the indexer saw it).
    await writeContent(new DocRegistry(Promise.resolve(null)), id, 'text that came from another device')

    const { indexer } = await startIndexer(dev)
    expect(ids(indexer, 'another device')).toEqual([id])
  })

  it('brings a snapshot taken before later changes up to date from the saved notes, still reading none', async () => {
    const dev = await device()
    const first = await startIndexer(dev)
    const kept = await noteWith(dev, first.registry, 'Kept', 'original wording')
    const edited = await noteWith(dev, first.registry, 'Edited', 'draft wording')
    const gone = await noteWith(dev, first.registry, 'Gone', 'doomed wording')
    await first.indexer.idle()
    await first.indexer.saveSnapshot()
    await writeContent(first.registry, edited, 'final phrasing')
    await dev.catalog.renameNote(kept, 'Renamed')
    await dev.catalog.deleteNoteForever(gone, encodeContentSnapshot(new Y.Doc()))
    await first.indexer.idle()
    first.indexer.stop() // closed before the next snapshot

    const second = await startIndexer(dev)
    expect(second.reads).not.toHaveBeenCalled()
    expect(ids(second.indexer, 'wording')).toEqual([kept])
    expect(ids(second.indexer, 'phrasing')).toEqual([edited])
    expect(ids(second.indexer, 'renamed')).toEqual([kept])
    expect(second.indexer.index.get(gone)).toBeUndefined()
  })

  it('re-indexes a note when its document changes, replacing the old text', async () => {
    const dev = await device()
    const { registry, indexer } = await startIndexer(dev)
    const id = await noteWith(dev, registry, 'Draft', 'first words')
    await indexer.idle()
    expect(ids(indexer, 'first')).toEqual([id])

    await writeContent(registry, id, 'second thoughts')
    await indexer.idle()
    expect(ids(indexer, 'first')).toEqual([])
    expect(ids(indexer, 'thoughts')).toEqual([id])
  })

  it('indexes content received from elsewhere into a doc opened only to sync it', async () => {
    const dev = await device()
    const { registry, indexer } = await startIndexer(dev)
    const id = await dev.catalog.createNote({ title: 'Shared' })
    await indexer.idle()

    // What background content sync does: open the doc, receive the relay's update, close it.
    const remote = new Y.Doc()
    const paragraph = new Y.XmlElement('paragraph')
    paragraph.insert(0, [new Y.XmlText('written on another device')])
    remote.getXmlFragment('default').insert(0, [paragraph])
    const handle = registry.get(noteRoom(id))
    registry.retain(handle)
    await handle.whenLoaded
    Y.applyUpdate(handle.doc, Y.encodeStateAsUpdate(remote), 'relay')
    await new Promise((resolve) => setTimeout(resolve, 30))
    registry.release(handle)

    await indexer.idle()
    expect(ids(indexer, 'another device')).toEqual([id])
  })

  it('does not re-index a note whose content is the one already indexed (just opened from disk)', async () => {
    const dev = await device()
    const seed = new DocRegistry(Promise.resolve(null))
    const id = await noteWith(dev, seed, 'Stable', 'unchanged words')
    const { registry, indexer } = await startIndexer(dev)
    const upserts = vi.spyOn(SearchIndex.prototype, 'upsert')

    const handle = registry.get(noteRoom(id))
    await handle.whenLoaded
    await indexer.idle()
    expect(upserts).not.toHaveBeenCalled()
  })

  it('follows renames, leaves out trashed notes, and forgets notes deleted for good', async () => {
    const dev = await device()
    const { registry, indexer } = await startIndexer(dev)
    const renamed = await noteWith(dev, registry, 'Before', 'body one')
    const trashed = await noteWith(dev, registry, 'Bin', 'body two')
    await indexer.idle()

    await dev.catalog.renameNote(renamed, 'Afterwards')
    await dev.catalog.trashNote(trashed, encodeContentSnapshot(new Y.Doc()))
    await indexer.idle()
    expect(ids(indexer, 'afterwards')).toEqual([renamed])
    expect(ids(indexer, 'before')).toEqual([])
    expect(ids(indexer, 'body')).toEqual([renamed])

    await dev.catalog.restoreNote(trashed)
    expect(ids(indexer, 'body').sort()).toEqual([renamed, trashed].sort())

    await dev.catalog.deleteNoteForever(trashed, encodeContentSnapshot(new Y.Doc()))
    await indexer.idle()
    expect(ids(indexer, 'body')).toEqual([renamed])
    expect(indexer.index.get(trashed)).toBeUndefined()
  })
})
