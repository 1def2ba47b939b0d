import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { NotesIndex } from '../../renderer/notes/notes-index'

function sync(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)))
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)))
}

describe('NotesIndex', () => {
  it('lists new notes first, titled "Untitled" until a title is derived', () => {
    const index = new NotesIndex(new Y.Doc())
    const first = index.create()
    const second = index.create()
    expect(index.getSnapshot()).toEqual([
      { id: second, title: 'Untitled' },
      { id: first, title: 'Untitled' },
    ])
    index.setTitle(first, 'Groceries')
    expect(index.getSnapshot()[1]).toEqual({ id: first, title: 'Groceries' })
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
  })

  it('removes a note and its title, and does not resurrect the title afterwards', () => {
    const index = new NotesIndex(new Y.Doc())
    const id = index.create()
    index.setTitle(id, 'Doomed')
    index.remove(id)
    index.setTitle(id, 'Edited elsewhere')
    expect(index.getSnapshot()).toEqual([])
    expect(index.titles.has(id)).toBe(false)
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
    b.remove(shared)
    sync(docA, docB)
    expect(a.getSnapshot()).toEqual(b.getSnapshot())
    expect(a.getSnapshot().map((n) => n.id).sort()).toEqual([onlyA, onlyB].sort())
  })
})
