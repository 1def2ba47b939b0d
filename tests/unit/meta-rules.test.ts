import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { OpParseError, parseOpsRequest } from '../../protocol/meta/parse'
import { decide, liveFoldersIn, onContentChanged, PURGED_REVIVED_NOTICE, purgedTombstone, revivePurged, type Decision, type RuleContext } from '../../protocol/meta/rules'
import { encodeContentSnapshot, hasUnseenEdits, reachedStateVector, updateInsertsBeyond } from '../../protocol/meta/snapshots'
import { RECOVERED_FOLDER_ID, type EntityRecord, type FolderRecord, type MetaOp, type NoteRecord, type OpPayloads } from '../../protocol/meta/types'

/** The rules over an in-memory catalog, with the relay's bookkeeping: a seq only for ops that write. */
function relay() {
  const records = new Map<string, EntityRecord>()
  const content = new Map<string, Y.Doc>()
  let seq = 0
  let opCount = 0
  const ctx: RuleContext = {
    get: (type, id) => records.get(`${type}:${id}`),
    childrenOf: (folderId) => [...records.values()].filter((r) => !r.deleted && (r.type === 'note' ? r.folderId : r.parentId) === folderId),
    foldersIn: (parentId) => liveFoldersIn(records.values(), parentId),
    hasUnseenContent: (noteId, snapshot) => hasUnseenEdits(Y.encodeStateAsUpdate(docOf(noteId)), snapshot),
  }
  const docOf = (noteId: string): Y.Doc => {
    if (!content.has(noteId)) content.set(noteId, new Y.Doc())
    return content.get(noteId)!
  }
  const store = (writes: readonly EntityRecord[]) => {
    for (const r of writes) records.set(`${r.type}:${r.id}`, r)
  }
  return {
    seq: () => seq,
    note: (id: string) => records.get(`note:${id}`) as NoteRecord,
    folder: (id: string) => records.get(`folder:${id}`) as FolderRecord | undefined,
    folderIds: () => [...records.values()].filter((r) => r.type === 'folder').map((r) => r.id),
    /** Decides one op in server order. */
    send<K extends keyof OpPayloads>(kind: K, entity: string, payload: OpPayloads[K], baseVersion = 0, device = 'dev-a'): Decision & { seq: number | null } {
      const op = { opId: `op-${++opCount}`, kind, entity, baseVersion, actor: { device, name: device }, payload } as MetaOp
      const decision = decide(op, ctx, seq + 1, 1_000 + seq)
      if (decision.writes.length === 0) return { ...decision, seq: null }
      seq += 1
      store(decision.writes)
      return { ...decision, seq }
    },
    /** The relay's content for a note, as devices' edits have merged into it. */
    content: docOf,
    /** What the relay does when the note's content changes. */
    contentChanged(noteId: string): NoteRecord | null {
      const note = records.get(`note:${noteId}`) as NoteRecord
      const next = onContentChanged(note, (snapshot) => hasUnseenEdits(Y.encodeStateAsUpdate(docOf(noteId)), snapshot), seq + 1, 1_000 + seq)
      seq += 1
      if (next) store([next])
      return next
    },
  }
}

const allFolders = (r: ReturnType<typeof relay>): FolderRecord[] => r.folderIds().map((id) => r.folder(id)!)

function newNoteRecord(): NoteRecord {
  const r = relay()
  r.send('note.create', 'n1', { title: 'x', folderId: null, tags: [] })
  return r.note('n1')
}

/** A device's copy of a note's content, synced from and to the relay's. */
function device(from: Y.Doc): Y.Doc {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(from))
  return doc
}
const sync = (from: Y.Doc, to: Y.Doc) => Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)))

describe('metadata rules (docs/sync-rules.md)', () => {
  it('create note: idempotent by note id, never conflicts', () => {
    const r = relay()
    const first = r.send('note.create', 'n1', { title: 'Plan', folderId: null, tags: ['b', 'a'] })
    expect(first).toMatchObject({ status: 'applied', seq: 1 })
    expect(r.note('n1')).toMatchObject({ title: 'Plan', tags: ['a', 'b'], version: 1, trashed: false, deleted: false })
    const again = r.send('note.create', 'n1', { title: 'Other', folderId: null, tags: [] }, 0, 'dev-b')
    expect(again).toMatchObject({ status: 'applied', seq: null, writes: [] })
    expect(r.note('n1').title).toBe('Plan')
  })

  it('rename vs rename from another base: conflict listing both values; a rename that saw it settles it', () => {
    const r = relay()
    r.send('note.create', 'n1', { title: 'Draft', folderId: null, tags: [] })
    const base = r.note('n1').fields.title.seq
    expect(r.send('note.rename', 'n1', { title: 'Mine' }, base, 'dev-a').status).toBe('applied')
    const theirs = r.send('note.rename', 'n1', { title: 'Theirs' }, base, 'dev-b')
    expect(theirs.status).toBe('conflict')
    const conflict = r.note('n1').conflicts.title!
    expect(r.note('n1').title).toBe('Mine') // not overwritten
    expect(conflict.candidates.map((c) => [c.value, c.actor.device])).toEqual([
      ['Mine', 'dev-a'],
      ['Theirs', 'dev-b'],
    ])
    expect(theirs.record).toEqual(r.note('n1')) // the answer carries the current server record
    // Someone who has not seen the conflict cannot settle it either.
    expect(r.send('note.rename', 'n1', { title: 'Third' }, base, 'dev-c').status).toBe('conflict')
    expect(r.note('n1').conflicts.title!.candidates).toHaveLength(3)
    const resolve = r.send('note.rename', 'n1', { title: 'Agreed' }, r.note('n1').conflicts.title!.seq, 'dev-b')
    expect(resolve.status).toBe('applied')
    expect(r.note('n1')).toMatchObject({ title: 'Agreed', conflicts: {} })
  })

  it('concurrent renames to the same value do not conflict', () => {
    const r = relay()
    r.send('note.create', 'n1', { title: 'Draft', folderId: null, tags: [] })
    r.send('note.rename', 'n1', { title: 'Same' }, 1, 'dev-a')
    const second = r.send('note.rename', 'n1', { title: 'Same' }, 1, 'dev-b')
    expect(second.status).toBe('applied')
    expect(r.note('n1').conflicts).toEqual({})
  })

  it('folder rename vs folder rename from another base: conflict', () => {
    const r = relay()
    r.send('folder.create', 'f1', { name: 'Work', parentId: null })
    r.send('folder.rename', 'f1', { name: 'Job' }, 1, 'dev-a')
    expect(r.send('folder.rename', 'f1', { name: 'Office' }, 1, 'dev-b').status).toBe('conflict')
    expect(r.folder('f1')!.conflicts.name!.candidates.map((c) => c.value)).toEqual(['Job', 'Office'])
  })

  it('move vs move from another base: conflict, the note stays where the first move put it', () => {
    const r = relay()
    r.send('folder.create', 'fa', { name: 'A', parentId: null })
    r.send('folder.create', 'fb', { name: 'B', parentId: null })
    r.send('note.create', 'n1', { title: 'x', folderId: null, tags: [] })
    const base = r.note('n1').fields.folderId.seq
    expect(r.send('note.move', 'n1', { folderId: 'fa' }, base, 'dev-a').status).toBe('applied')
    expect(r.send('note.move', 'n1', { folderId: 'fb' }, base, 'dev-b').status).toBe('conflict')
    expect(r.note('n1').folderId).toBe('fa')
    expect(r.note('n1').conflicts.folderId!.candidates.map((c) => c.value)).toEqual(['fa', 'fb'])
  })

  it('move into a folder deleted meanwhile: the note lands in Recovered, never lost', () => {
    const r = relay()
    r.send('folder.create', 'gone', { name: 'Gone', parentId: null })
    r.send('note.create', 'n1', { title: 'x', folderId: null, tags: [] })
    r.send('folder.delete', 'gone', {}, 1, 'dev-b')
    const move = r.send('note.move', 'n1', { folderId: 'gone' }, r.note('n1').fields.folderId.seq, 'dev-a')
    expect(move.status).toBe('applied')
    expect(move.reason).toMatch(/Recovered/)
    expect(r.note('n1').folderId).toBe(RECOVERED_FOLDER_ID)
    expect(r.folder(RECOVERED_FOLDER_ID)).toMatchObject({ name: 'Recovered', deleted: false, parentId: null })
    // A note created into a deleted folder is recovered the same way.
    r.send('note.create', 'n2', { title: 'y', folderId: 'gone', tags: [] })
    expect(r.note('n2').folderId).toBe(RECOVERED_FOLDER_ID)
  })

  it('folder delete moves its notes and folders to its parent and conflicts with nothing', () => {
    const r = relay()
    r.send('folder.create', 'top', { name: 'Top', parentId: null })
    r.send('folder.create', 'mid', { name: 'Mid', parentId: 'top' })
    r.send('folder.create', 'sub', { name: 'Sub', parentId: 'mid' })
    r.send('note.create', 'n1', { title: 'x', folderId: 'mid', tags: [] })
    const moveBase = r.note('n1').fields.folderId.seq
    const del = r.send('folder.delete', 'mid', {}, 0, 'dev-b')
    expect(del.status).toBe('applied')
    expect(r.folder('mid')!.deleted).toBe(true)
    expect(r.note('n1').folderId).toBe('top')
    expect(r.folder('sub')!.parentId).toBe('top')
    expect(r.note('n1').conflicts).toEqual({})
    // A move made before the delete was seen is still the note's own first move: no conflict.
    expect(r.send('note.move', 'n1', { folderId: 'sub' }, moveBase, 'dev-a').status).toBe('applied')
    expect(r.note('n1').folderId).toBe('sub')
  })

  it('folder move: into another folder or the top level; into itself or a descendant is rejected with the reason', () => {
    const r = relay()
    r.send('folder.create', 'fa', { name: 'A', parentId: null })
    r.send('folder.create', 'fb', { name: 'B', parentId: 'fa' })
    r.send('folder.create', 'fc', { name: 'C', parentId: 'fb' })
    r.send('folder.create', 'fx', { name: 'X', parentId: null })
    expect(r.send('folder.move', 'fa', { parentId: 'fa' })).toMatchObject({ status: 'rejected', reason: 'a folder cannot go inside itself' })
    expect(r.send('folder.move', 'fa', { parentId: 'fc' })).toMatchObject({ status: 'rejected', reason: 'a folder cannot go inside itself' })
    expect(r.folder('fa')!.parentId).toBeNull()
    expect(r.send('folder.move', 'fb', { parentId: 'fx' }).status).toBe('applied')
    expect(r.folder('fb')).toMatchObject({ parentId: 'fx', fields: { parentId: { seq: r.seq(), actor: { device: 'dev-a' } } } })
    expect(r.folder('fc')!.parentId).toBe('fb') // its contents go with it
    expect(r.send('folder.move', 'fb', { parentId: null }, r.seq()).status).toBe('applied')
    expect(r.folder('fb')!.parentId).toBeNull()
  })

  it('folder moves that together would make a cycle: the first in server order applies, the second is rejected', () => {
    const r = relay()
    r.send('folder.create', 'fa', { name: 'A', parentId: null })
    r.send('folder.create', 'fb', { name: 'B', parentId: null })
    // Both devices offline: one moves A into B, the other B into A, each from what it saw (seq 2).
    expect(r.send('folder.move', 'fa', { parentId: 'fb' }, 2, 'dev-a').status).toBe('applied')
    expect(r.send('folder.move', 'fb', { parentId: 'fa' }, 2, 'dev-b')).toMatchObject({ status: 'rejected', reason: 'a folder cannot go inside itself' })
    expect(r.folder('fa')!.parentId).toBe('fb')
    expect(r.folder('fb')!.parentId).toBeNull() // reachable from the top: nothing lost
  })

  it('folder move vs folder move from another base: conflict, the folder stays where the first put it', () => {
    const r = relay()
    r.send('folder.create', 'fa', { name: 'A', parentId: null })
    r.send('folder.create', 'fb', { name: 'B', parentId: null })
    r.send('folder.create', 'fm', { name: 'M', parentId: null })
    expect(r.send('folder.move', 'fm', { parentId: 'fa' }, 0, 'dev-a').status).toBe('applied')
    expect(r.send('folder.move', 'fm', { parentId: 'fb' }, 0, 'dev-b').status).toBe('conflict')
    expect(r.folder('fm')!.parentId).toBe('fa')
    expect(r.folder('fm')!.conflicts.parentId!.candidates.map((c) => c.value)).toEqual(['fa', 'fb'])
    const settled = r.send('folder.move', 'fm', { parentId: 'fb' }, r.folder('fm')!.conflicts.parentId!.seq, 'dev-b')
    expect(settled.status).toBe('applied')
    expect(r.folder('fm')).toMatchObject({ parentId: 'fb', conflicts: {} })
  })

  it('folder move into a folder deleted meanwhile: the folder lands in Recovered, never lost', () => {
    const r = relay()
    r.send('folder.create', 'fa', { name: 'A', parentId: null })
    r.send('folder.create', 'fm', { name: 'M', parentId: null })
    r.send('folder.delete', 'fa', {})
    const moved = r.send('folder.move', 'fm', { parentId: 'fa' })
    expect(moved).toMatchObject({ status: 'applied', reason: expect.stringContaining('Recovered') })
    expect(r.folder('fm')!.parentId).toBe(RECOVERED_FOLDER_ID)
    expect(r.folder(RECOVERED_FOLDER_ID)).toMatchObject({ name: 'Recovered', parentId: null, deleted: false })
  })

  it('folder names are unique in their parent: a later create, rename or move into a parent holding the name gets a numbered suffix', () => {
    const r = relay()
    r.send('folder.create', 'f1', { name: 'Ideas', parentId: null })
    // Compared trimmed, case-insensitively and in NFC: "IDÉAS" (é composed) and "idÉas" (E + combining acute) are one name.
    r.send('folder.create', 'g1', { name: 'Idéas', parentId: null })
    expect(r.send('folder.create', 'f2', { name: 'ideas', parentId: null }, 0, 'dev-b').status).toBe('applied')
    expect(r.folder('f2')!.name).toBe('ideas (2)')
    r.send('folder.create', 'g2', { name: 'IDE\u0301AS', parentId: null }, 0, 'dev-b')
    expect(r.folder('g2')!.name).toBe('IDE\u0301AS (2)')
    r.send('folder.create', 'f3', { name: 'Ideas', parentId: null }, 0, 'dev-c')
    expect(r.folder('f3')!.name).toBe('Ideas (3)')
    // The same name in another parent is no clash.
    r.send('folder.create', 'p', { name: 'Work', parentId: null })
    r.send('folder.create', 'f4', { name: 'Ideas', parentId: 'p' })
    expect(r.folder('f4')!.name).toBe('Ideas')
    // A rename into a taken name, from another device.
    r.send('folder.create', 'f5', { name: 'Later', parentId: 'p' })
    expect(r.send('folder.rename', 'f5', { name: 'IDEAS' }, r.folder('f5')!.fields.name.seq, 'dev-b').status).toBe('applied')
    expect(r.folder('f5')!.name).toBe('IDEAS (2)')
    // Renaming a folder to its own name in another case is no clash with itself.
    r.send('folder.rename', 'f4', { name: 'IDEAS' }, r.folder('f4')!.fields.name.seq)
    expect(r.folder('f4')!.name).toBe('IDEAS')
    // A move into a parent holding the name.
    expect(r.send('folder.move', 'f1', { parentId: 'p' }).status).toBe('applied')
    expect(r.folder('f1')).toMatchObject({ parentId: 'p', name: 'Ideas (3)' })
    // Deleting a folder moves its subfolders up, suffixed where the parent holds their names.
    r.send('folder.create', 's', { name: 'Sub', parentId: 'p' })
    r.send('folder.create', 's1', { name: 'Ideas', parentId: 's' })
    r.send('folder.create', 's2', { name: 'Work', parentId: 's' })
    r.send('folder.delete', 's', {})
    expect(r.folder('s1')).toMatchObject({ parentId: 'p', name: 'Ideas (4)' })
    expect(r.folder('s2')).toMatchObject({ parentId: 'p', name: 'Work' })
    // No two live folders in one parent share a name.
    for (const parent of [null, 'p']) {
      const names = liveFoldersIn(allFolders(r), parent).map((f) => f.name.normalize('NFC').toLowerCase())
      expect(new Set(names).size).toBe(names.length)
    }
  })

  it('the Recovered folder gets a suffix when a folder of that name exists at the top level', () => {
    const r = relay()
    r.send('folder.create', 'mine', { name: 'recovered', parentId: null })
    r.send('note.create', 'n1', { title: 'x', folderId: 'gone', tags: [] })
    expect(r.folder(RECOVERED_FOLDER_ID)!.name).toBe('Recovered (2)')
  })

  it('tags: adds and removes merge as a set; an add wins over a concurrent remove', () => {
    const r = relay()
    r.send('note.create', 'n1', { title: 'x', folderId: null, tags: ['old'] })
    r.send('note.tag', 'n1', { tag: 'red' }, 0, 'dev-a')
    r.send('note.tag', 'n1', { tag: 'blue' }, 0, 'dev-b')
    expect(r.send('note.untag', 'n1', { tag: 'old' }, r.note('n1').tagAdded['old']!, 'dev-c').status).toBe('applied')
    expect(r.note('n1').tags).toEqual(['blue', 'red'])
    // dev-b removes "red" having seen only an earlier add of it; dev-a re-adds it first in server order.
    const seenAdd = r.note('n1').tagAdded['red']!
    r.send('note.untag', 'n1', { tag: 'red' }, seenAdd, 'dev-a')
    r.send('note.tag', 'n1', { tag: 'red' }, 0, 'dev-a')
    const remove = r.send('note.untag', 'n1', { tag: 'red' }, seenAdd, 'dev-b')
    expect(remove).toMatchObject({ status: 'applied', seq: null })
    expect(remove.reason).toMatch(/adding wins/)
    expect(r.note('n1').tags).toEqual(['blue', 'red'])
  })

  it('pin: last by server order, no conflict', () => {
    const r = relay()
    r.send('note.create', 'n1', { title: 'x', folderId: null, tags: [] })
    expect(r.send('note.pin', 'n1', { pinned: true }, 1, 'dev-a').status).toBe('applied')
    expect(r.send('note.pin', 'n1', { pinned: false }, 1, 'dev-b').status).toBe('applied')
    expect(r.note('n1').pinned).toBe(false)
  })

  it('trash keeps the note and what the trashing device saw; restore brings it back', () => {
    const r = relay()
    r.send('note.create', 'n1', { title: 'x', folderId: null, tags: ['t'] })
    r.content('n1').getText('t').insert(0, 'body')
    const trash = r.send('note.trash', 'n1', { snapshot: encodeContentSnapshot(device(r.content('n1'))) })
    expect(trash.status).toBe('applied')
    expect(r.note('n1')).toMatchObject({ trashed: true, deleted: false, title: 'x', tags: ['t'] })
    expect(r.note('n1').trashSnapshot).not.toBeNull()
    expect(r.send('note.restore', 'n1', {}).status).toBe('applied')
    expect(r.note('n1')).toMatchObject({ trashed: false, trashSnapshot: null })
  })

  it('an edit to a trashed note restores it when the trashing device had not seen it, and not otherwise', () => {
    const r = relay()
    r.send('note.create', 'n1', { title: 'x', folderId: null, tags: [] })
    r.content('n1').getText('t').insert(0, 'shared')
    const trasher = device(r.content('n1'))
    const editor = device(r.content('n1'))
    r.send('note.trash', 'n1', { snapshot: encodeContentSnapshot(trasher) }, 0, 'trasher')
    // The trashing device's own content arriving late is not news: the note stays in the trash.
    sync(trasher, r.content('n1'))
    expect(r.contentChanged('n1')).toBeNull()
    expect(r.note('n1').trashed).toBe(true)
    editor.getText('t').insert(6, ' and more')
    sync(editor, r.content('n1'))
    const restored = r.contentChanged('n1')
    expect(restored).toMatchObject({ trashed: false, deleted: false, trashSnapshot: null })
    expect(r.note('n1').notice).toMatch(/edited while in the trash/)
  })

  it('two devices trash a note: what either had seen stays trashed (the relay keeps the union of both snapshots)', () => {
    const r = relay()
    r.send('note.create', 'n1', { title: 'x', folderId: null, tags: [] })
    const a = device(r.content('n1'))
    const b = device(r.content('n1'))
    a.getText('t').insert(0, 'typed on A')
    b.getText('t').insert(0, 'typed on B')
    r.send('note.trash', 'n1', { snapshot: encodeContentSnapshot(a) }, 0, 'a')
    r.send('note.trash', 'n1', { snapshot: encodeContentSnapshot(b) }, 0, 'b')
    // Each device's own text, which it saw when trashing, arrives: nobody's unseen edit, so it stays.
    sync(a, r.content('n1'))
    sync(b, r.content('n1'))
    expect(r.contentChanged('n1')).toBeNull()
    expect(r.note('n1').trashed).toBe(true)
  })

  it('delete forever is rejected, and the note restored, when the relay holds edits the deleting device never saw', () => {
    const r = relay()
    r.send('note.create', 'n1', { title: 'x', folderId: null, tags: [] })
    r.content('n1').getText('t').insert(0, 'v1')
    const deleter = device(r.content('n1'))
    r.send('note.trash', 'n1', { snapshot: encodeContentSnapshot(deleter) }, 0, 'deleter')
    const other = device(r.content('n1'))
    other.getText('t').delete(0, 1) // a deletion is an edit too
    sync(other, r.content('n1'))
    const del = r.send('note.delete', 'n1', { snapshot: encodeContentSnapshot(deleter) }, 0, 'deleter')
    expect(del.status).toBe('rejected')
    expect(del.seq).not.toBeNull() // the restore is a change others must see
    expect(r.note('n1')).toMatchObject({ trashed: false, deleted: false })
    expect(r.note('n1').notice).toMatch(/edits the deleting device had not seen/)
  })

  it('delete forever of a trashed note whose content the device saw deletes it', () => {
    const r = relay()
    r.send('note.create', 'n1', { title: 'x', folderId: null, tags: [] })
    r.content('n1').getText('t').insert(0, 'v1')
    const snap = encodeContentSnapshot(device(r.content('n1')))
    r.send('note.trash', 'n1', { snapshot: snap })
    expect(r.send('note.delete', 'n1', { snapshot: snap }).status).toBe('applied')
    expect(r.note('n1').deleted).toBe(true)
  })

  it('delete forever of a note that is not in the trash is rejected', () => {
    const r = relay()
    r.send('note.create', 'n1', { title: 'x', folderId: null, tags: [] })
    const del = r.send('note.delete', 'n1', { snapshot: encodeContentSnapshot(device(r.content('n1'))) })
    expect(del).toMatchObject({ status: 'rejected', seq: null })
    expect(del.reason).toMatch(/not in the trash/)
    expect(r.note('n1').deleted).toBe(false)
  })

  it('an edit after delete forever brings the note back', () => {
    const r = relay()
    r.send('note.create', 'n1', { title: 'x', folderId: null, tags: [] })
    const snap = encodeContentSnapshot(device(r.content('n1')))
    r.send('note.trash', 'n1', { snapshot: snap })
    r.send('note.delete', 'n1', { snapshot: snap })
    expect(r.note('n1').deleted).toBe(true)
    r.content('n1').getText('t').insert(0, 'late edit from an offline device')
    expect(r.contentChanged('n1')).toMatchObject({ deleted: false, trashed: false })
    expect(r.note('n1').notice).toMatch(/after it was deleted forever/)
  })

  it('a purged note keeps only a tombstone: its id stays deleted, nothing of its title, folder, tags or snapshot is left', () => {
    const r = relay()
    r.send('folder.create', 'f1', { name: 'Private', parentId: null })
    r.send('note.create', 'n1', { title: 'Secret plan', folderId: 'f1', tags: ['private'] })
    r.content('n1').getText('t').insert(0, 'the plan')
    const snap = encodeContentSnapshot(device(r.content('n1')))
    r.send('note.trash', 'n1', { snapshot: snap }, 0, 'dev-b')
    r.send('note.delete', 'n1', { snapshot: snap }, 0, 'dev-b')
    const deleted = r.note('n1')
    const tombstone = purgedTombstone(deleted, r.seq() + 1, 9_999)
    expect(tombstone).toMatchObject({ id: 'n1', deleted: true, version: r.seq() + 1, createdAt: deleted.createdAt, title: '', folderId: null, tags: [], tagAdded: {}, trashSnapshot: null, notice: null, conflicts: {} })
    expect(JSON.stringify(tombstone)).not.toMatch(/Secret|Private|private|dev-b|dev-a/)
    expect(decide({ opId: 'late', kind: 'note.rename', entity: 'n1', baseVersion: 0, actor: { device: 'd', name: 'd' }, payload: { title: 'x' } }, { get: () => tombstone, childrenOf: () => [], foldersIn: () => [], hasUnseenContent: () => true }, r.seq() + 2, 0)).toMatchObject({ status: 'rejected', reason: 'the note was deleted forever' })
  })

  it('content a purged note never had brings it back untitled, saying why; a copy of what was purged does not', () => {
    const purged = new Y.Doc()
    purged.getText('t').insert(0, 'purged text')
    const reached = reachedStateVector(Y.encodeStateAsUpdate(purged))
    const copy = device(purged)
    expect(updateInsertsBeyond(Y.encodeStateAsUpdate(copy), reached)).toBe(false)
    copy.getText('t').delete(0, 6) // deleting adds no text
    expect(updateInsertsBeyond(Y.encodeStateAsUpdate(copy), reached)).toBe(false)
    copy.getText('t').insert(0, 'typed offline ')
    expect(updateInsertsBeyond(Y.encodeStateAsUpdate(copy), reached)).toBe(true)
    const fresh = device(new Y.Doc())
    fresh.getText('t').insert(0, 'another device, same id')
    expect(updateInsertsBeyond(Y.encodeStateAsUpdate(fresh), reached)).toBe(true)

    const tombstone = purgedTombstone(newNoteRecord(), 7, 100)
    expect(revivePurged(tombstone, 8, 200)).toMatchObject({ deleted: false, trashed: false, title: '', version: 8, updatedAt: 200, notice: PURGED_REVIVED_NOTICE })
  })

  it('ops on unknown or deleted entities are rejected with a reason', () => {
    const r = relay()
    expect(r.send('note.rename', 'ghost', { title: 'x' })).toMatchObject({ status: 'rejected', reason: 'no such note', record: null })
    expect(r.send('folder.rename', 'ghost', { name: 'x' })).toMatchObject({ status: 'rejected', reason: 'no such folder' })
    expect(r.send('folder.delete', 'ghost', {})).toMatchObject({ status: 'rejected' })
    r.send('note.create', 'n1', { title: 'x', folderId: null, tags: [] })
    const snap = encodeContentSnapshot(new Y.Doc())
    r.send('note.trash', 'n1', { snapshot: snap })
    r.send('note.delete', 'n1', { snapshot: snap })
    expect(r.send('note.pin', 'n1', { pinned: true })).toMatchObject({ status: 'rejected', reason: 'the note was deleted forever' })
    expect(r.send('note.create', 'n1', { title: 'again', folderId: null, tags: [] }).status).toBe('rejected')
    r.send('folder.create', 'f1', { name: 'F', parentId: null })
    r.send('folder.delete', 'f1', {})
    expect(r.send('folder.rename', 'f1', { name: 'G' })).toMatchObject({ status: 'rejected', reason: 'the folder was deleted' })
  })
})

describe('parseOpsRequest', () => {
  const good = {
    opId: 'op-1',
    kind: 'note.create',
    entity: 'n1',
    baseVersion: 0,
    actor: { device: 'dev-a', name: '  Ada   L ' },
    payload: { title: '  My\n note ', folderId: null, tags: ['b', 'a', 'b'] },
  }
  const withOp = (patch: Record<string, unknown>) => ({ ops: [good, { ...good, ...patch }] })
  const error = (body: unknown) => {
    try {
      parseOpsRequest(body)
    } catch (err) {
      expect(err).toBeInstanceOf(OpParseError)
      return (err as Error).message
    }
    throw new Error('expected a parse error')
  }

  it('accepts a valid op and normalises its text and tags', () => {
    const [op] = parseOpsRequest({ ops: [good] })
    expect(op).toEqual({ ...good, actor: { device: 'dev-a', name: 'Ada L' }, payload: { title: 'My note', folderId: null, tags: ['a', 'b'] } })
  })

  it('names the problem and the op index precisely', () => {
    expect(error([])).toBe('body must be {"ops":[...]}')
    expect(error({ ops: [] })).toBe('ops must not be empty')
    expect(error({ ops: Array.from({ length: 201 }, () => good) })).toBe('at most 200 ops per request')
    expect(error(withOp({ kind: 'note.explode' }))).toBe('ops[1]: unknown op kind "note.explode"')
    expect(error(withOp({ opId: 'has space' }))).toBe('ops[1]: opId must be 1–64 characters of A–Z, a–z, 0–9, _ or -')
    expect(error(withOp({ entity: 'x'.repeat(65) }))).toMatch(/^ops\[1\]: entity must be 1–64/)
    expect(error(withOp({ baseVersion: -1 }))).toBe('ops[1]: baseVersion must be a non-negative integer')
    expect(error(withOp({ baseVersion: 1.5 }))).toBe('ops[1]: baseVersion must be a non-negative integer')
    expect(error(withOp({ extra: 1 }))).toBe('ops[1]: op has an unknown field "extra"')
    expect(error(withOp({ actor: { device: 'd' } }))).toBe('ops[1]: actor.name must be a string')
    expect(error(withOp({ payload: { title: 'x', folderId: null, tags: [], pinned: true } }))).toBe('ops[1]: payload has an unknown field "pinned"')
    expect(error(withOp({ payload: { title: 'x'.repeat(201), folderId: null, tags: [] } }))).toBe('ops[1]: title must be at most 200 characters')
    expect(error(withOp({ payload: { title: 'x', folderId: null, tags: ['  '] } }))).toBe('ops[1]: tag must not be empty')
    expect(error(withOp({ kind: 'note.pin', payload: { pinned: 'yes' } }))).toBe('ops[1]: pinned must be a boolean')
    expect(error(withOp({ kind: 'note.trash', payload: { snapshot: 'not base64!' } }))).toBe('ops[1]: snapshot must be base64')
    expect(error(withOp({ kind: 'folder.create', payload: { name: '', parentId: null } }))).toBe('ops[1]: name must not be empty')
    expect(error(withOp({ kind: 'note.move', payload: { folderId: '../etc' } }))).toMatch(/^ops\[1\]: folderId must be/)
    expect(error(withOp({ payload: null }))).toBe('ops[1]: payload must be an object')
  })
})
