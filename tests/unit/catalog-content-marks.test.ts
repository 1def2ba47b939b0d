// The catalog's content bookkeeping (text or versions this device holds that the relay has not
// stored; how far the note's content was pulled) belongs to the note, not to any metadata change:
// renaming, pinning, tagging or moving a note while its text waits for the relay must not forget
// that it waits, or the note would say "On the relay" about text the relay never got.

import { IDBFactory } from 'fake-indexeddb'
import { describe, expect, it } from 'vitest'
import { Catalog } from '../../renderer/catalog/catalog'

describe('a metadata change on a note whose text waits for the relay', () => {
  it.each([
    ['rename', (c: Catalog, id: string) => c.renameNote(id, 'Renamed')],
    ['pin', (c: Catalog, id: string) => c.pinNote(id, true)],
    ['tag', (c: Catalog, id: string) => c.tagNote(id, 'work')],
    ['move', (c: Catalog, id: string) => c.moveNote(id, null)],
  ] as const)('keeps the note marked as waiting after a %s, in memory and on disk', async (_what, act) => {
    const factory = new IDBFactory()
    const catalog = await Catalog.open({ factory })
    const id = await catalog.createNote({ title: 'Draft' })
    await catalog.markContentSynced(id, 4)
    await catalog.setContentDirty(id, true)
    await catalog.setContentDirty(id, true, 'history')
    await act(catalog, id)

    const note = catalog.get('note', id)!
    expect([note.contentDirty, note.historyDirty, note.contentChecked, note.contentPulled]).toEqual([true, true, true, 4])
    expect(catalog.contentWork()).toEqual([id])
    catalog.close()
    const reopened = await Catalog.open({ factory })
    const stored = reopened.get('note', id)!
    expect([stored.contentDirty, stored.historyDirty, stored.contentChecked, stored.contentPulled]).toEqual([true, true, true, 4])
    reopened.close()
  })
})
