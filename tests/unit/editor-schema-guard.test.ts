import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { yXmlFragmentToProseMirrorRootNode } from '@tiptap/y-tiptap'
import { noteSchema } from '../../renderer/editor/note-schema'
import { SchemaGuard, findUnmappable, plainBlocks } from '../../renderer/editor/schema-guard'
import { ADDED_CONTENT, OLDER_SCHEMA, callout, elementNames, para, writeNewer } from '../helpers/newer-schema'

const EDITOR = Symbol('our editor')

function newerDoc(): Y.Doc {
  const doc = new Y.Doc()
  writeNewer(doc, [para('before'), callout('inside a callout'), para('after', [{ type: 'spoiler' }])])
  return doc
}

/** Applies everything `from` has that `to` lacks, as a remote update would arrive. */
function deliver(from: Y.Doc, to: Y.Doc): void {
  Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)), 'relay')
}

describe('findUnmappable', () => {
  it('finds nothing in a note written with our own schema', () => {
    const doc = new Y.Doc()
    writeNewer(doc, [para('plain'), para('bold', [{ type: 'bold' }]), { type: 'bulletList', content: [{ type: 'listItem', content: [para('item')] }] }])
    expect(findUnmappable(doc.getXmlFragment('default'), noteSchema())).toEqual([])
  })

  it('knows images and files: a note holding them, as another device writes them, is mappable', () => {
    const doc = new Y.Doc()
    const paragraph = new Y.XmlElement('paragraph')
    const image = new Y.XmlElement('image')
    for (const [key, value] of Object.entries({ hash: 'a'.repeat(64), name: 'beach.png', type: 'image/png', size: 1234, width: 640, height: 480, alt: 'the beach' })) image.setAttribute(key, value as string)
    const file = new Y.XmlElement('file')
    for (const [key, value] of Object.entries({ hash: 'b'.repeat(64), name: 'plan.pdf', type: 'application/pdf', size: 99 })) file.setAttribute(key, value as string)
    paragraph.insert(0, [new Y.XmlText('see '), image, new Y.XmlText(' and '), file])
    doc.getXmlFragment('default').insert(0, [paragraph])
    expect(findUnmappable(doc.getXmlFragment('default'), noteSchema())).toEqual([])
    expect(new SchemaGuard(doc, noteSchema()).blocked.get()).toBeNull()
  })

  it('reports node and mark types from a newer schema', () => {
    const found = findUnmappable(newerDoc().getXmlFragment('default'), noteSchema())
    expect(found).toContainEqual({ kind: 'node', name: 'callout' })
    expect(found).toContainEqual({ kind: 'mark', name: 'spoiler' })
  })

  it('reports exactly what y-prosemirror would delete when converting the note', () => {
    // The hazard itself: y-prosemirror's conversion deletes what it cannot map, from the Y doc.
    const doc = newerDoc()
    expect(findUnmappable(doc.getXmlFragment('default'), noteSchema())).not.toEqual([])
    yXmlFragmentToProseMirrorRootNode(doc.getXmlFragment('default'), noteSchema())
    expect(elementNames(doc)).not.toContain('callout')
    expect(findUnmappable(doc.getXmlFragment('default'), noteSchema())).toEqual([])
  })

  it('leaves the document untouched', () => {
    const doc = newerDoc()
    const before = Y.encodeStateAsUpdate(doc)
    findUnmappable(doc.getXmlFragment('default'), noteSchema())
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before)
    expect(elementNames(doc)).toContain('callout')
  })
})

describe('SchemaGuard', () => {
  it('blocks a note that already holds unknown content', () => {
    const guard = new SchemaGuard(newerDoc(), noteSchema(), EDITOR)
    expect(guard.blocked.get()).toContainEqual({ kind: 'node', name: 'callout' })
  })

  it('blocks before any observer sees an unknown node arriving later', () => {
    const local = new Y.Doc()
    writeNewer(local, [para('ours')])
    const guard = new SchemaGuard(local, noteSchema(), EDITOR)
    expect(guard.blocked.get()).toBeNull()

    const order: string[] = []
    guard.onBlock(() => order.push('blocked'))
    // Stands in for y-prosemirror's binding, which observes the fragment deeply.
    local.getXmlFragment('default').observeDeep(() => order.push(`observer saw blocked=${guard.blocked.get() !== null}`))

    const remote = new Y.Doc()
    deliver(local, remote)
    writeNewer(remote, [callout('from a newer device')])
    deliver(remote, local)

    expect(order).toEqual(['blocked', 'observer saw blocked=true'])
  })

  it('finds an unknown node nested inside a paragraph-level change', () => {
    const local = new Y.Doc()
    writeNewer(local, [{ type: 'blockquote', content: [para('quoted')] }])
    const guard = new SchemaGuard(local, noteSchema(), EDITOR)
    const remote = new Y.Doc()
    deliver(local, remote)
    const quote = remote.getXmlFragment('default').get(0) as Y.XmlElement
    const inner = new Y.XmlElement('callout')
    inner.insert(0, [new Y.XmlElement('paragraph')])
    quote.insert(1, [inner])
    deliver(remote, local)
    expect(guard.blocked.get()).toContainEqual({ kind: 'node', name: 'callout' })
  })

  it('stays open for ordinary remote edits and for our own editor', () => {
    const local = new Y.Doc()
    writeNewer(local, [para('ours')])
    const guard = new SchemaGuard(local, noteSchema(), EDITOR)
    const remote = new Y.Doc()
    deliver(local, remote)
    writeNewer(remote, [para('theirs', [{ type: 'italic' }])])
    deliver(remote, local)
    local.transact(() => local.getXmlFragment('default').insert(0, [new Y.XmlElement('paragraph')]), EDITOR)
    expect(guard.blocked.get()).toBeNull()
  })
})

describe('plainBlocks', () => {
  it('shows the text of every block, unknown ones included', () => {
    expect(plainBlocks(newerDoc().getXmlFragment('default'))).toEqual([
      { name: 'paragraph', text: 'before' },
      { name: 'callout', text: 'inside a callout' },
      { name: 'paragraph', text: 'after' },
    ])
  })
})

describe('an older build (without task lists, tables, highlight) seeing a note written by this one', () => {
  const written = (): Y.Doc => {
    const doc = new Y.Doc()
    writeNewer(doc, ADDED_CONTENT)
    return doc
  }

  it('finds nothing unmappable for this build, and every new node and mark for the older one', () => {
    expect(findUnmappable(written().getXmlFragment('default'), noteSchema())).toEqual([])
    const names = findUnmappable(written().getXmlFragment('default'), OLDER_SCHEMA).map((u) => `${u.kind}:${u.name}`)
    expect(new Set(names)).toEqual(new Set(['node:taskList', 'node:taskItem', 'node:table', 'node:tableRow', 'node:tableHeader', 'node:tableCell', 'mark:highlight']))
  })

  it('is what the older editor would delete, and its guard blocks first so nothing is', () => {
    // Unguarded, the older binding's conversion deletes the new content from the Y doc.
    const unguarded = written()
    yXmlFragmentToProseMirrorRootNode(unguarded.getXmlFragment('default'), OLDER_SCHEMA)
    expect(elementNames(unguarded)).not.toContain('taskList')
    expect(elementNames(unguarded)).not.toContain('table')

    // Guarded: a note that already holds it is blocked, and one receiving it later is blocked
    // before any observer (the older binding) sees it.
    const before = Y.encodeStateAsUpdate(written())
    const opened = new Y.Doc()
    Y.applyUpdate(opened, before)
    expect(new SchemaGuard(opened, OLDER_SCHEMA, EDITOR).blocked.get()).not.toBeNull()
    expect(Y.encodeStateAsUpdate(opened)).toEqual(before)

    const older = new Y.Doc()
    writeNewer(older, [para('from the older device')])
    const guard = new SchemaGuard(older, OLDER_SCHEMA, EDITOR)
    let bound = true
    guard.onBlock(() => (bound = false))
    older.getXmlFragment('default').observeDeep(() => {
      if (bound) yXmlFragmentToProseMirrorRootNode(older.getXmlFragment('default'), OLDER_SCHEMA)
    })
    const newer = new Y.Doc()
    deliver(older, newer)
    writeNewer(newer, ADDED_CONTENT)
    deliver(newer, older)
    expect(guard.blocked.get()).not.toBeNull()
    expect(elementNames(older)).toEqual(elementNames(newer))
    expect(older.getXmlFragment('default').toString()).toContain('highlight')
    expect(plainBlocks(older.getXmlFragment('default')).map((b) => b.text)).toEqual(['from the older device', 'plain start', 'done\nnested open', 'head\ncell', 'marked'])
  })

  it('is blocked by a tick or a highlight added to a note it holds (changes, not only new nodes)', () => {
    const older = new Y.Doc()
    writeNewer(older, [para('plain')])
    const guard = new SchemaGuard(older, OLDER_SCHEMA, EDITOR)
    const newer = new Y.Doc()
    deliver(older, newer)
    ;(newer.getXmlFragment('default').get(0) as Y.XmlElement).toArray().forEach((t) => (t as Y.XmlText).format(0, 5, { highlight: {} }))
    deliver(newer, older)
    expect(guard.blocked.get()).toContainEqual({ kind: 'mark', name: 'highlight' })
  })
})
