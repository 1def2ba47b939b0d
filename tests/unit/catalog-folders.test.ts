// Organising from the catalog's side: folder names unique within a parent (refused at once,
// with an error the UI shows), folder moves that would put a folder inside itself, and bulk
// actions on many notes (one op per note, written together). Ground truth: what IndexedDB holds,
// read back by a fresh catalog on the same database.

import { IDBFactory } from 'fake-indexeddb'
import { afterEach, describe, expect, it } from 'vitest'
import { Catalog, CatalogUsageError, FolderInsideItself, FolderNameTaken } from '../../renderer/catalog/catalog'
import { openCatalogDb, request, STORES } from '../../renderer/catalog/idb'

const open: Catalog[] = []
afterEach(() => {
  for (const catalog of open.splice(0)) catalog.close()
})

async function device(factory = new IDBFactory()): Promise<{ catalog: Catalog; factory: IDBFactory }> {
  const catalog = await Catalog.open({ factory })
  open.push(catalog)
  return { catalog, factory }
}

/** The outbox rows IndexedDB holds, in local order. */
async function storedOutbox(factory: IDBFactory): Promise<{ op: { kind: string; entity: string; payload: Record<string, unknown> } }[]> {
  const db = await openCatalogDb(factory)
  const rows = (await request(db.transaction(STORES.outbox, 'readonly').objectStore(STORES.outbox).getAll())) as { seq: number; op: { kind: string; entity: string; payload: Record<string, unknown> } }[]
  db.close()
  return rows.sort((a, b) => a.seq - b.seq)
}

describe('folder names in one parent', () => {
  it('refuses a name a sibling has, compared trimmed, case-insensitively and in NFC, with a message the UI can show', async () => {
    const { catalog, factory } = await device()
    const work = await catalog.createFolder('Work')
    await catalog.createFolder('Idées', work)
    for (const clash of ['idées', '  IDÉES ', 'Ide\u0301es']) {
      const attempt = catalog.createFolder(clash, work)
      await expect(attempt).rejects.toBeInstanceOf(FolderNameTaken)
      await expect(attempt).rejects.toThrow('A folder named “Idées” already exists here.')
    }
    // Another parent, or the top level, is no clash.
    await catalog.createFolder('Idées')
    expect((await storedOutbox(factory)).map((r) => r.op.kind)).toEqual(['folder.create', 'folder.create', 'folder.create'])
  })

  it('refuses a rename or move onto a sibling’s name, but not a rename of a folder to its own name in another case', async () => {
    const { catalog } = await device()
    const a = await catalog.createFolder('Alpha')
    const b = await catalog.createFolder('Beta')
    const inner = await catalog.createFolder('alpha', b)
    await expect(catalog.renameFolder(b, 'ALPHA')).rejects.toBeInstanceOf(FolderNameTaken)
    await expect(catalog.moveFolder(inner, null)).rejects.toBeInstanceOf(FolderNameTaken)
    await catalog.renameFolder(a, 'ALPHA')
    expect(catalog.get('folder', a)!.view).toMatchObject({ name: 'ALPHA' })
  })
})

describe('moving folders', () => {
  it('moves a folder into another or to the top level, and refuses itself or a folder inside it', async () => {
    const { catalog, factory } = await device()
    const a = await catalog.createFolder('A')
    const b = await catalog.createFolder('B', a)
    const c = await catalog.createFolder('C', b)
    await expect(catalog.moveFolder(a, a)).rejects.toBeInstanceOf(FolderInsideItself)
    await expect(catalog.moveFolder(a, c)).rejects.toThrow('A folder cannot go inside itself.')
    await expect(catalog.moveFolder(a, 'nowhere')).rejects.toBeInstanceOf(CatalogUsageError)
    await catalog.moveFolder(c, null)
    await catalog.moveFolder(a, c)
    expect(catalog.get('folder', a)!.view).toMatchObject({ parentId: c })
    expect((await storedOutbox(factory)).filter((r) => r.op.kind === 'folder.move').map((r) => [r.op.entity, r.op.payload.parentId])).toEqual([
      [c, null],
      [a, c],
    ])
  })
})

describe('bulk actions', () => {
  it('write one op per note for hundreds of notes in one transaction, each trash with its own snapshot', async () => {
    const { catalog, factory } = await device()
    const folder = await catalog.createFolder('Archive')
    const ids: string[] = []
    for (let i = 0; i < 300; i++) ids.push(await catalog.createNote({ title: `n${i}` }))
    let renders = 0
    const stop = catalog.subscribe(() => renders++)
    await catalog.moveNotes(ids, folder)
    await catalog.tagNotes(ids, ' old ')
    await catalog.trashNotes(ids, async (id) => btoa(`seen-${id}`))
    stop()
    expect(renders).toBe(3) // one commit each
    const rows = (await storedOutbox(factory)).slice(301)
    for (const [kind, payloadOf] of [
      ['note.move', () => ({ folderId: folder })],
      ['note.tag', () => ({ tag: 'old' })],
      ['note.trash', (id: string) => ({ snapshot: btoa(`seen-${id}`) })],
    ] as const) {
      const ofKind = rows.filter((r) => r.op.kind === kind)
      expect(ofKind.map((r) => r.op.entity)).toEqual(ids)
      for (const r of ofKind) expect(r.op.payload).toEqual(payloadOf(r.op.entity))
    }
    // A fresh catalog on the same database shows every note moved, tagged and trashed.
    const { catalog: again } = await device(factory)
    for (const id of ids) expect(again.get('note', id)!.view).toMatchObject({ folderId: folder, tags: ['old'], trashed: true })
  })

  it('writes nothing when one of the notes is unknown', async () => {
    const { catalog, factory } = await device()
    const id = await catalog.createNote()
    await expect(catalog.moveNotes([id, 'missing'], null)).rejects.toBeInstanceOf(CatalogUsageError)
    expect((await storedOutbox(factory)).map((r) => r.op.kind)).toEqual(['note.create'])
  })
})
