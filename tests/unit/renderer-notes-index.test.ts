import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { NotesIndex } from '../../renderer/notes/notes-index'
import { hasUnseenEdits, titleFromContent } from '../../renderer/notes/trash-rules'

function sync(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)))
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)))
}

const ids = (list: readonly { id: string }[]): string[] => list.map((n) => n.id)

/** A note's content the way TipTap stores it: paragraphs in the `default` XML fragment. */
function write(doc: Y.Doc, text: string): void {
  const paragraph = new Y.XmlElement('paragraph')
  paragraph.insert(0, [new Y.XmlText(text)])
  const fragment = doc.getXmlFragment('default')
  fragment.insert(fragment.length, [paragraph])
}

describe('NotesIndex', () => {
  it('lists new notes first, titled "Untitled" until a title is derived', () => {
    const index = new NotesIndex(new Y.Doc())
    const first = index.create()
    const second = index.create()
    expect(index.getSnapshot().notes).toEqual([
      { id: second, title: 'Untitled' },
      { id: first, title: 'Untitled' },
    ])
    index.setTitle(first, 'Groceries')
    expect(index.getSnapshot().notes[1]).toEqual({ id: first, title: 'Groceries' })
  })

  it('writes a title only when it changes', () => {
    const doc = new Y.Doc()
    const index = new NotesIndex(doc)
    const id = index.create()
    let updates = 0
    doc.on('update', () => updates++)
    index.setTitle(id, 'Untitled') // same as shown: nothing to write
    index.setTitle(id, 'Plan')
    index.setTitle(id, 'Plan')
    expect(updates).toBe(1)
  })

  it('keeps the snapshot identity while nothing changed (for useSyncExternalStore)', () => {
    const index = new NotesIndex(new Y.Doc())
    index.create()
    const before = index.getSnapshot()
    expect(index.getSnapshot()).toBe(before)
    let notified = 0
    index.subscribe(() => notified++)
    index.create()
    expect(notified).toBe(1)
    expect(index.getSnapshot()).not.toBe(before)
    expect(index.getSnapshot().trash).toBe(before.trash) // the unchanged half keeps its identity
  })

  it('moves a trashed note out of the list into the trash, keeping its title, and restores it', () => {
    const index = new NotesIndex(new Y.Doc())
    const keep = index.create()
    const id = index.create()
    index.setTitle(id, 'Draft')
    index.trash(id, new Y.Doc())
    expect(ids(index.getSnapshot().notes)).toEqual([keep])
    expect(index.getSnapshot().trash).toEqual([{ id, title: 'Draft' }])
    expect(index.order.toArray()).toContain(id) // still listed, only hidden
    index.restore(id)
    expect(ids(index.getSnapshot().notes)).toEqual([id, keep])
    expect(index.getSnapshot().trash).toEqual([])
  })

  it('deletes a trashed note forever, leaves a tombstone, and does not resurrect its title', () => {
    const index = new NotesIndex(new Y.Doc())
    const id = index.create()
    index.setTitle(id, 'Doomed')
    index.trash(id, new Y.Doc())
    index.deleteForever(id)
    index.setTitle(id, 'Edited elsewhere')
    expect(index.getSnapshot()).toEqual({ notes: [], trash: [] })
    expect(index.titles.has(id)).toBe(false)
    expect(index.tombstone(id)).toBeInstanceOf(Uint8Array)
  })

  it('merges notes created concurrently on two devices, identically on both', () => {
    const docA = new Y.Doc()
    const docB = new Y.Doc()
    const a = new NotesIndex(docA)
    const b = new NotesIndex(docB)
    const shared = a.create()
    sync(docA, docB)
    const onlyA = a.create()
    const onlyB = b.create()
    b.trash(shared, new Y.Doc())
    sync(docA, docB)
    expect(a.getSnapshot()).toEqual(b.getSnapshot())
    expect(ids(a.getSnapshot().notes).sort()).toEqual([onlyA, onlyB].sort())
    expect(ids(a.getSnapshot().trash)).toEqual([shared])
  })

  it('a restore removes only the trash it saw: a concurrent re-trash on another device survives', () => {
    const docA = new Y.Doc()
    const docB = new Y.Doc()
    const a = new NotesIndex(docA)
    const b = new NotesIndex(docB)
    const id = a.create()
    a.trash(id, new Y.Doc())
    sync(docA, docB)
    b.restore(id) // B restores…
    a.restore(id)
    a.trash(id, new Y.Doc()) // …while A restores and trashes it again, unseen by B
    sync(docA, docB)
    expect(a.isTrashed(id)).toBe(true)
    expect(b.isTrashed(id)).toBe(true)
  })

  it('reports trash and tombstone changes, marking this device’s own as local', () => {
    const docA = new Y.Doc()
    const docB = new Y.Doc()
    const a = new NotesIndex(docA)
    const b = new NotesIndex(docB)
    const seen: string[] = []
    b.onTrashChange((c) => seen.push(`${c.local ? 'local' : 'remote'} trash:${c.trashedIds.join()} deleted:${c.deletedIds.join()}`))
    const id = a.create()
    a.trash(id, new Y.Doc())
    sync(docA, docB)
    b.deleteForever(id)
    expect(seen).toEqual([`remote trash:${id} deleted:`, `local trash: deleted:${id}`])
  })
})

describe('trash rules: an edit the trashing device had not seen restores the note', () => {
  it('sees nothing new in content the trashing device had, including edits it received before trashing', () => {
    const onA = new Y.Doc()
    const onB = new Y.Doc()
    write(onB, 'typed on B')
    sync(onA, onB)
    const seen = Y.encodeSnapshot(Y.snapshot(onA))
    expect(hasUnseenEdits(onA, seen)).toBe(false)
    expect(hasUnseenEdits(onB, seen)).toBe(false)
  })

  it('sees an insert made concurrently (offline) or after the trash', () => {
    const onA = new Y.Doc()
    const onB = new Y.Doc()
    write(onA, 'shared')
    sync(onA, onB)
    write(onB, 'offline on B') // B is offline; A has not seen this
    const seen = Y.encodeSnapshot(Y.snapshot(onA))
    expect(hasUnseenEdits(onB, seen)).toBe(true)
    expect(hasUnseenEdits(onA, seen)).toBe(false)
  })

  it('sees a deletion the trashing device had not seen', () => {
    const onA = new Y.Doc()
    const onB = new Y.Doc()
    write(onA, 'shared text')
    sync(onA, onB)
    const seen = Y.encodeSnapshot(Y.snapshot(onA))
    const text = onB.getXmlFragment('default').get(0) as Y.XmlElement
    ;(text.get(0) as Y.XmlText).delete(0, 7)
    expect(hasUnseenEdits(onB, seen)).toBe(true)
  })

  it('derives the title from stored content, for a note brought back without an editor', () => {
    const doc = new Y.Doc()
    write(doc, '')
    write(doc, '  Kept   notes ')
    write(doc, 'body')
    expect(titleFromContent(doc)).toBe('Kept notes')
    expect(titleFromContent(new Y.Doc())).toBe('Untitled')
  })
})
