// A note's content as a document of the editor's schema, read from and written to its Y.Doc
// without an editor (y-tiptap is the y-prosemirror binding TipTap's Collaboration uses, so the
// Y.XmlFragment is laid out exactly as the editor lays it out).

import type { JSONContent } from '@tiptap/core'
import type { Node as PMNode } from '@tiptap/pm/model'
import { prosemirrorJSONToYXmlFragment, yXmlFragmentToProsemirrorJSON } from '@tiptap/y-tiptap'
import type * as Y from 'yjs'
import { NOTE_FRAGMENT, noteSchema } from './schema'

/** Replaces the note's content with `doc`, in one Yjs transaction (one update to save and sync). */
export function writeNoteContent(ydoc: Y.Doc, doc: JSONContent): void {
  ydoc.transact(() => {
    prosemirrorJSONToYXmlFragment(noteSchema(), doc, ydoc.getXmlFragment(NOTE_FRAGMENT))
  })
}

/** All text in a JSON document, one paragraph per text-holding block. */
function textParagraphs(json: JSONContent): JSONContent[] {
  const out: JSONContent[] = []
  const visit = (node: JSONContent): void => {
    const text = (node.content ?? []).filter((c) => typeof c.text === 'string').map((c) => c.text).join('')
    if (text !== '') out.push({ type: 'paragraph', content: [{ type: 'text', text }] })
    for (const child of node.content ?? []) if (typeof child.text !== 'string') visit(child)
  }
  visit(json)
  return out
}

/**
 * The note's content as a ProseMirror node. An empty note is one empty paragraph. Content this
 * version's schema cannot read (written by a newer app) is exported as its plain text rather
 * than failing the whole export.
 */
export function readNoteContent(ydoc: Y.Doc): PMNode {
  const json = yXmlFragmentToProsemirrorJSON(ydoc.getXmlFragment(NOTE_FRAGMENT)) as JSONContent
  const schema = noteSchema()
  if (!json.content?.length) return schema.nodeFromJSON({ type: 'doc', content: [{ type: 'paragraph' }] })
  try {
    const node = schema.nodeFromJSON(json)
    node.check()
    return node
  } catch {
    const paragraphs = textParagraphs(json)
    return schema.nodeFromJSON({ type: 'doc', content: paragraphs.length ? paragraphs : [{ type: 'paragraph' }] })
  }
}
