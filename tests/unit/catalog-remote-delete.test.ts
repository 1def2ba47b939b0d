import { IDBFactory } from 'fake-indexeddb'
import { describe, expect, it } from 'vitest'
import { newNote } from '../../protocol/meta/rules'
import type { FeedEntry, NoteRecord } from '../../protocol/meta/types'
import { Catalog } from '../../renderer/catalog/catalog'

const ACTOR = { device: 'other', name: 'Other' }
const record = (extra: Partial<NoteRecord>): NoteRecord => ({ ...newNote('n1', { title: 'Trip', folderId: null, tags: [] }, 1, ACTOR, 0), ...extra })
const feed = (r: NoteRecord): FeedEntry => ({ type: 'note', id: r.id, record: r, contentSeq: 1, seq: r.version })

async function deviceWithNote(): Promise<{ catalog: Catalog; erased: string[] }> {
  const catalog = await Catalog.open({ factory: new IDBFactory() })
  const erased: string[] = []
  catalog.onNoteDeleted((id) => erased.push(id))
  await catalog.applyFeed([feed(record({ trashed: true, version: 2 }))], 2)
  await catalog.markContentSynced('n1', 1)
  return { catalog, erased }
}

describe('a note deleted forever on another device', () => {
  it('keeps and still sends the text this device typed that the relay never got', async () => {
    const { catalog, erased } = await deviceWithNote()
    await catalog.setContentDirty('n1', true) // typed offline here
    await catalog.applyFeed([feed(record({ trashed: true, deleted: true, version: 3 }))], 3)

    const note = catalog.get('note', 'n1')!
    expect(note.view?.deleted).toBe(true) // gone from the list…
    expect(note.contentDirty).toBe(true) // …but the unsent text is kept
    expect(erased).toEqual([])
    expect(catalog.contentWork()).toEqual(['n1']) // and goes to the relay, which brings the note back
    catalog.close()
  })

  it('erases the local copy when this device had nothing the relay lacks', async () => {
    const { catalog, erased } = await deviceWithNote()
    await catalog.applyFeed([feed(record({ trashed: true, deleted: true, version: 3 }))], 3)
    expect(erased).toEqual(['n1'])
    expect(catalog.contentWork()).toEqual([])
    catalog.close()
  })
})

describe('versions saved offline', () => {
  it('make the note background work until the relay has them, and survive a restart', async () => {
    const factory = new IDBFactory()
    const catalog = await Catalog.open({ factory })
    await catalog.applyFeed([feed(record({ version: 2 }))], 2)
    await catalog.markContentSynced('n1', 1)
    expect(catalog.contentWork()).toEqual([])

    await catalog.setContentDirty('n1', true, 'history')
    expect(catalog.contentWork()).toEqual(['n1'])
    expect(catalog.get('note', 'n1')!.contentDirty).toBe(false) // the text itself is on the relay
    catalog.close()

    const reopened = await Catalog.open({ factory })
    expect(reopened.contentWork()).toEqual(['n1'])
    await reopened.setContentDirty('n1', false, 'history')
    expect(reopened.contentWork()).toEqual([])
    reopened.close()
  })
})
