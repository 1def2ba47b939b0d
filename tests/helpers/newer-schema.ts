// A document written by a newer Skein: our content extensions plus a node ("callout") and a mark
// ("spoiler") this version does not know, written the way y-prosemirror writes any note.
// And the other way round: the schema of an OLDER Skein, our content extensions without the task
// lists, tables and highlight this version added, to check that such a build, seeing a note
// written here, protects what it cannot show.

import { Mark, Node, getSchema } from '@tiptap/core'
import type { JSONContent } from '@tiptap/core'
import { prosemirrorJSONToYXmlFragment } from '@tiptap/y-tiptap'
import * as Y from 'yjs'
import { contentExtensions } from '../../renderer/editor/note-schema'

const Callout = Node.create({ name: 'callout', group: 'block', content: 'paragraph+', parseHTML: () => [{ tag: 'aside' }], renderHTML: () => ['aside', 0] })
const Spoiler = Mark.create({ name: 'spoiler', parseHTML: () => [{ tag: 'span.spoiler' }], renderHTML: () => ['span', { class: 'spoiler' }, 0] })

export const NEWER_SCHEMA = getSchema([...contentExtensions(), Callout, Spoiler])

export const para = (text: string, marks: JSONContent['marks'] = undefined): JSONContent => ({ type: 'paragraph', content: [{ type: 'text', text, ...(marks ? { marks } : {}) }] })
export const callout = (text: string): JSONContent => ({ type: 'callout', content: [para(text)] })

/** The extensions this version added to the note schema (task lists, tables, highlight). */
export const ADDED_SINCE_OLDER = new Set(['taskList', 'taskItem', 'table', 'tableRow', 'tableHeader', 'tableCell', 'tableRoles', 'highlight'])

/** The schema of a Skein from before task lists, tables and highlight. */
export const OLDER_SCHEMA = getSchema(contentExtensions().filter((extension) => !ADDED_SINCE_OLDER.has(extension.name)))

/** A note using everything this version added: a nested task list, a table, a highlight. */
export const ADDED_CONTENT: JSONContent[] = [
  para('plain start'),
  {
    type: 'taskList',
    content: [
      { type: 'taskItem', attrs: { checked: true }, content: [para('done'), { type: 'taskList', content: [{ type: 'taskItem', attrs: { checked: false }, content: [para('nested open')] }] }] },
    ],
  },
  { type: 'table', content: [{ type: 'tableRow', content: [{ type: 'tableHeader', content: [para('head')] }] }, { type: 'tableRow', content: [{ type: 'tableCell', content: [para('cell')] }] }] },
  para('marked', [{ type: 'highlight' }]),
]

/**
 * Appends `content` (top-level blocks) to `doc`'s 'default' fragment, encoded as the newer editor's
 * y-prosemirror would encode it. (Converted in a scratch doc: converting straight into `doc` would
 * replace what is there.)
 */
export function writeNewer(doc: Y.Doc, content: JSONContent[]): void {
  const scratch = prosemirrorJSONToYXmlFragment(NEWER_SCHEMA, { type: 'doc', content }, new Y.Doc().getXmlFragment('default'))
  const fragment = doc.getXmlFragment('default')
  fragment.insert(fragment.length, scratch.toArray().map((child) => child.clone() as Y.XmlElement))
}

/** The node names present anywhere in `doc`'s 'default' fragment. */
export function elementNames(doc: Y.Doc): string[] {
  const names: string[] = []
  const walk = (type: unknown): void => {
    if (type instanceof Y.XmlElement) names.push(type.nodeName)
    if (type instanceof Y.XmlElement || type instanceof Y.XmlFragment) type.toArray().forEach(walk)
  }
  walk(doc.getXmlFragment('default'))
  return names
}
