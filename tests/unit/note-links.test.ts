// Links between notes: the picker's fuzzy match, the noteLink node in the note schema (stored in
// Yjs as the editor stores it), and the backlinks index derived from notes' documents.

import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { yXmlFragmentToProsemirrorJSON } from '@tiptap/y-tiptap'
import { NOTE_FRAGMENT } from '../../protocol/notes'
import { writeNoteContent } from '../../renderer/transfer/note-content'
import { BacklinksIndex, linksIn } from '../../renderer/links/backlinks'
import { fuzzyFilter } from '../../renderer/links/fuzzy'
import { noteText } from '../../renderer/search/text'

const text = (value: string) => ({ type: 'text', text: value })
const link = (id: string) => ({ type: 'noteLink', attrs: { id } })
const para = (...content: object[]) => ({ type: 'paragraph', content })

function noteDoc(...content: object[]): Y.Doc {
  const doc = new Y.Doc()
  writeNoteContent(doc, { type: 'doc', content })
  return doc
}

describe('the note picker’s fuzzy match', () => {
  const notes = [{ title: 'Meeting notes' }, { title: 'Groceries' }, { title: 'Monthly numbers' }, { title: 'Plan for Acme' }]
  it('keeps titles holding the query’s characters in order, best first', () => {
    expect(fuzzyFilter(notes, 'mn').map((n) => n.title).sort()).toEqual(['Meeting notes', 'Monthly numbers'])
    // A run of consecutive characters ranks above the same characters scattered.
    expect(fuzzyFilter([{ title: 'a big gap' }, { title: 'Big apple' }], 'bigap').map((n) => n.title)).toEqual(['Big apple', 'a big gap'])
    expect(fuzzyFilter(notes, 'acme').map((n) => n.title)).toEqual(['Plan for Acme'])
    expect(fuzzyFilter(notes, 'xyz')).toEqual([])
    expect(fuzzyFilter(notes, '')).toHaveLength(4)
  })
})

describe('noteLink in a note', () => {
  it('is stored with only the target id (the title is looked up when drawn) and reads back unchanged', () => {
    const doc = noteDoc(para(text('See '), link('n2'), text(' for details')))
    expect(yXmlFragmentToProsemirrorJSON(doc.getXmlFragment(NOTE_FRAGMENT))).toEqual({ type: 'doc', content: [para(text('See '), link('n2'), text(' for details'))] })
    // One character in the search text, as it is one position in the editor.
    expect(noteText(doc)).toBe('See   for details')
  })
})

describe('backlinks', () => {
  it('lists each link with the text around it, nested blocks included', () => {
    const doc = noteDoc(para(text('Plan: '), link('n2')), { type: 'bulletList', content: [{ type: 'listItem', content: [para(text('also '), link('n3'), text(' and '), link('n2'))] }] })
    expect(linksIn(doc)).toEqual([
      { target: 'n2', context: 'Plan: [[…]]' },
      { target: 'n3', context: 'also [[…]] and [[…]]' },
      { target: 'n2', context: 'also [[…]] and [[…]]' },
    ])
  })

  it('follows a note’s content as it changes, and forgets a note that is gone', () => {
    const index = new BacklinksIndex()
    index.update('a', noteDoc(para(text('to b '), link('b'))))
    index.update('c', noteDoc(para(link('b'), text(' too'))))
    index.update('b', noteDoc(para(text('no links'))))
    expect(index.backlinksTo('b')).toEqual([
      { source: 'a', context: 'to b [[…]]' },
      { source: 'c', context: '[[…]] too' },
    ])
    const revision = index.changes.get()
    index.update('a', noteDoc(para(text('link removed'))))
    expect(index.changes.get()).toBe(revision + 1)
    index.drop('c')
    expect(index.backlinksTo('b')).toEqual([])
    // Reading the same content again changes nothing.
    index.update('a', noteDoc(para(text('link removed'))))
    expect(index.changes.get()).toBe(revision + 2)
  })
})
