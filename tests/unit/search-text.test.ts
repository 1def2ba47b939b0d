import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { getSchema } from '@tiptap/core'
import StarterKit from '@tiptap/starter-kit'
import { prosemirrorJSONToYDoc, yXmlFragmentToProseMirrorRootNode } from '@tiptap/y-tiptap'
import { contentVersion, noteText } from '../../renderer/search/text'
import { locate, matchRanges } from '../../renderer/search/highlight'
import { matchSelection } from '../../renderer/search/match-position'

const schema = getSchema([StarterKit])
const text = (value: string) => ({ type: 'text', text: value })
/** The ProseMirror document the editor shows for a note's Y.Doc. */
const editorDoc = (doc: Y.Doc) => yXmlFragmentToProseMirrorRootNode(doc.getXmlFragment('default'), schema)
const para = (...content: object[]) => ({ type: 'paragraph', content })

/** A note as the editor would store it. */
const NOTE = {
  type: 'doc',
  content: [
    { type: 'heading', attrs: { level: 1 }, content: [text('Shopping list')] },
    para(text('Buy '), { type: 'text', text: 'fresh', marks: [{ type: 'bold' }] }, text(' bread')),
    { type: 'paragraph' },
    { type: 'bulletList', content: [{ type: 'listItem', content: [para(text('apples'))] }, { type: 'listItem', content: [para(text('pears'), { type: 'hardBreak' }, text('ripe ones'))] }] },
    { type: 'blockquote', content: [para(text('a quote about pears'))] },
    { type: 'codeBlock', content: [text('const pears = 2')] },
  ],
}

describe('the text search indexes', () => {
  it('is every text block on its own line, marks dropped, empty blocks kept as empty lines', () => {
    const doc = prosemirrorJSONToYDoc(schema, NOTE, 'default')
    expect(noteText(doc)).toBe(['Shopping list', 'Buy fresh bread', '', 'apples', 'pears ripe ones', 'a quote about pears', 'const pears = 2'].join('\n'))
  })

  it('is empty for a note with no content', () => {
    expect(noteText(new Y.Doc())).toBe('')
  })

  it('has a content version that changes when the content does, and only then', () => {
    const doc = prosemirrorJSONToYDoc(schema, NOTE, 'default')
    const before = contentVersion(doc)
    expect(contentVersion(doc)).toBe(before)
    doc.getXmlFragment('default').insert(0, [new Y.XmlElement('paragraph')])
    expect(contentVersion(doc)).not.toBe(before)
  })
})

describe('a match position in the text', () => {
  it('selects the same word in the editor document, across lists, hard breaks and quotes', () => {
    const ydoc = prosemirrorJSONToYDoc(schema, NOTE, 'default')
    const pmDoc = editorDoc(ydoc)
    const body = noteText(ydoc)
    for (const word of ['bread', 'ripe', 'quote', 'const']) {
      const [range] = matchRanges(body, new Set([word]))
      const selection = matchSelection(pmDoc, locate(body, range!))
      expect(selection, word).not.toBeNull()
      expect(pmDoc.textBetween(selection!.from, selection!.to)).toBe(word)
    }
  })

  it('falls back to the first occurrence of the word when the note changed since it was indexed', () => {
    const pmDoc = editorDoc(prosemirrorJSONToYDoc(schema, NOTE, 'default'))
    const selection = matchSelection(pmDoc, { line: 0, offset: 0, length: 5, word: 'Pears' })
    expect(pmDoc.textBetween(selection!.from, selection!.to)).toBe('pears')
    expect(matchSelection(pmDoc, { line: 0, offset: 0, length: 5, word: 'kiwis' })).toBeNull()
  })
})
