import 'fake-indexeddb/auto'
import * as Y from 'yjs'
import { IndexeddbPersistence } from 'y-indexeddb'
import { beforeEach, describe, expect, it } from 'vitest'
import { Catalog } from '../../renderer/catalog/catalog'
import { importLegacyIndex } from '../../renderer/catalog/legacy-index'
import { DocRegistry } from '../../renderer/sync/doc-registry'

// The app's one localStorage use here is the "imported already" flag.
const storage = new Map<string, string>()
Object.assign(globalThis, {
  localStorage: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => storage.set(k, v), removeItem: (k: string) => storage.delete(k) },
})

async function writeLegacyIndex(build: (doc: Y.Doc) => void): Promise<void> {
  const doc = new Y.Doc()
  const persistence = new IndexeddbPersistence('skein:index', doc)
  await persistence.whenSynced
  build(doc)
  await new Promise((resolve) => setTimeout(resolve, 50)) // y-indexeddb writes each update in its own transaction
  await persistence.destroy()
}

let n = 0
beforeEach(() => storage.clear())

describe('importing the notes list from before the catalog', () => {
  it('imports each listed note once, with its title and trash state, skipping deleted ones', async () => {
    await writeLegacyIndex((doc) => {
      doc.getArray<string>('order').insert(0, ['gone', 'trashed-one', 'kept-one']) // newest first
      const titles = doc.getMap<string>('titles')
      titles.set('kept-one', 'Kept')
      titles.set('trashed-one', 'Binned')
      titles.set('gone', 'Gone')
      const seen = new Y.Doc()
      doc.getMap<Uint8Array>('trashed').set('trashed-one', Y.encodeSnapshot(Y.snapshot(seen)))
      doc.getMap<Uint8Array>('deleted').set('gone', Y.encodeSnapshot(Y.snapshot(seen)))
    })
    const catalog = await Catalog.open({ name: `legacy-${n++}` })
    const registry = new DocRegistry(Promise.resolve(null))

    expect(await importLegacyIndex(catalog, registry)).toBe(2)
    const kept = catalog.get('note', 'kept-one')?.view
    const binned = catalog.get('note', 'trashed-one')?.view
    expect(kept).toMatchObject({ title: 'Kept', trashed: false })
    expect(binned).toMatchObject({ title: 'Binned', trashed: true })
    expect(catalog.get('note', 'gone')).toBeUndefined()
    expect(catalog.getSnapshot().outbox.map((e) => e.op.kind)).toEqual(['note.create', 'note.create', 'note.trash'])

    // Once per device: a second start imports nothing more.
    expect(await importLegacyIndex(catalog, registry)).toBe(0)
    expect(catalog.getSnapshot().outbox).toHaveLength(3)
    catalog.close()
  })
})
