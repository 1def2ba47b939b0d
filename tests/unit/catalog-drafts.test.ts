// Draft notes (docs/sync-rules.md, "Empty notes"): a new note's create is held in the outbox
// until the note is touched, and a note left untouched is dropped without a trace. Ground truth:
// the catalog's IndexedDB, read back by a fresh catalog, and what the outbox would send.

import { IDBFactory } from 'fake-indexeddb'
import { afterEach, describe, expect, it } from 'vitest'
import { Catalog } from '../../renderer/catalog/catalog'
import { globalStatus } from '../../renderer/catalog/selectors'

const open: Catalog[] = []
afterEach(() => {
  for (const catalog of open.splice(0)) catalog.close()
})

async function catalogOn(factory: IDBFactory): Promise<Catalog> {
  const catalog = await Catalog.open({ factory })
  open.push(catalog)
  return catalog
}

/** What the sync worker would send now, without marking it sent. */
async function sendable(factory: IDBFactory): Promise<string[]> {
  const fresh = await catalogOn(factory)
  return (await fresh.takeBatch(100)).map((e) => `${e.op.kind} ${e.op.entity}`)
}

const ONLINE = { state: 'online', since: null, error: null } as const

describe('draft notes', () => {
  it('hold their create: nothing is sent, nothing counts as pending, no content sync', async () => {
    const factory = new IDBFactory()
    const catalog = await catalogOn(factory)
    const id = await catalog.createNote({ draft: true, tags: ['work'] })
    expect(catalog.get('note', id)).toMatchObject({ draft: true, view: { tags: ['work'] } })
    expect(globalStatus(catalog.getSnapshot(), ONLINE)).toMatchObject({ kind: 'synced', pending: 0 })
    expect(catalog.contentWork()).toEqual([])
    expect(catalog.oldestPendingAge()).toBe(0)
    expect(await sendable(factory)).toEqual([])
  })

  it('left untouched, are dropped: no row, no outbox entry, and their content is erased', async () => {
    const factory = new IDBFactory()
    const catalog = await catalogOn(factory)
    const erased: string[] = []
    catalog.onNoteDeleted((noteId) => erased.push(noteId))
    const kept = await catalog.createNote({ title: 'Kept' })
    const id = await catalog.createNote({ draft: true })
    expect(await catalog.discardIfUntouched(id)).toBe(true)
    expect(catalog.get('note', id)).toBeUndefined()
    expect(erased).toEqual([id])
    // A note that is not a draft is never dropped this way.
    expect(await catalog.discardIfUntouched(kept)).toBe(false)
    const fresh = await catalogOn(factory)
    expect(fresh.get('note', id)).toBeUndefined()
    expect(fresh.getSnapshot().outbox.map((e) => e.op.entity)).toEqual([kept])
  })

  it('are released by the first content edit: the create is sent, and leaving no longer drops them', async () => {
    const factory = new IDBFactory()
    const catalog = await catalogOn(factory)
    const id = await catalog.createNote({ draft: true })
    const published = catalog.whenPublished(id)
    await catalog.setContentDirty(id, true)
    expect(await published).toBe(true)
    expect(catalog.get('note', id)).toMatchObject({ contentDirty: true })
    expect(catalog.get('note', id)!.draft).toBeUndefined()
    expect(await catalog.discardIfUntouched(id)).toBe(false)
    expect(await sendable(factory)).toEqual([`note.create ${id}`])
  })

  it('are released by any metadata change, their create sent before it', async () => {
    for (const touch of [
      (c: Catalog, id: string) => c.renameNote(id, 'Named'),
      (c: Catalog, id: string) => c.tagNote(id, 'later'),
      (c: Catalog, id: string) => c.pinNote(id, true),
      (c: Catalog, id: string) => c.moveNotes([id], null),
    ]) {
      const factory = new IDBFactory()
      const catalog = await catalogOn(factory)
      const id = await catalog.createNote({ draft: true })
      await touch(catalog, id)
      expect(catalog.get('note', id)!.draft).toBeUndefined()
      expect(await sendable(factory)).toEqual([`note.create ${id}`])
      expect((await catalogOn(factory)).getSnapshot().outbox.map((e) => [e.op.kind, e.held ?? false])).toEqual([
        ['note.create', false],
        [expect.stringMatching(/^note\./), false],
      ])
    }
  })

  it('whenPublished says false for a draft that is dropped, and true at once for other notes', async () => {
    const catalog = await catalogOn(new IDBFactory())
    const id = await catalog.createNote({ draft: true })
    const published = catalog.whenPublished(id)
    await catalog.discardIfUntouched(id)
    expect(await published).toBe(false)
    expect(await catalog.whenPublished(await catalog.createNote())).toBe(true)
  })

  it('lists the drafts made before a time, for the next start to settle', async () => {
    let now = 1_000
    const factory = new IDBFactory()
    const catalog = await Catalog.open({ factory, now: () => now })
    open.push(catalog)
    const old = await catalog.createNote({ draft: true })
    now = 2_000
    await catalog.createNote({ draft: true })
    const fresh = await catalogOn(factory)
    expect(fresh.draftsBefore(1_500)).toEqual([old])
    await fresh.releaseDraft(old)
    expect(fresh.draftsBefore(1_500)).toEqual([])
    expect(await sendable(factory)).toEqual([`note.create ${old}`])
  })
})
