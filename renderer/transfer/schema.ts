// The editor's document schema, built without an editor, so notes can be converted to and from
// Markdown and HTML off-screen (import, export, tests). It must describe the same nodes and marks
// as the editor's extensions in NoteEditor.tsx: a node the schema does not know would be dropped
// when written into a note's Y.Doc.

import { getSchema } from '@tiptap/core'
import type { Schema } from '@tiptap/pm/model'
import StarterKit from '@tiptap/starter-kit'
import { SafeLink } from '../editor/link'

/** The Y.XmlFragment the Collaboration extension binds the editor to (its default `field`). */
export const NOTE_FRAGMENT = 'default'

let schema: Schema | null = null

/** StarterKit as the editor configures it (no history, our own link), plus SafeLink. */
export function noteSchema(): Schema {
  schema ??= getSchema([StarterKit.configure({ undoRedo: false, link: false }), SafeLink])
  return schema
}
