// Binds a note editor to its schema guard: when content this editor cannot map arrives while it is
// open, the editor is destroyed on the spot (inside the Yjs transaction, before y-prosemirror's
// observer runs), so the binding never gets to "repair" the document by deleting that content.

import { Extension } from '@tiptap/core'
import type { Extensions } from '@tiptap/core'
import Collaboration from '@tiptap/extension-collaboration'
import { Plugin, PluginKey } from '@tiptap/pm/state'
import { ySyncPluginKey } from '@tiptap/y-tiptap'
import type * as Y from 'yjs'
import { NOTE_FRAGMENT } from '../../protocol/notes'
import { noteSchema } from './note-schema'
import { schemaGuardFor } from './schema-guard'
import type { SchemaGuard } from './schema-guard'

const SchemaGuardExtension = Extension.create<{ guard: SchemaGuard | null }>({
  name: 'schemaGuard',
  addOptions: () => ({ guard: null }),
  addProseMirrorPlugins() {
    const { guard } = this.options
    const editor = this.editor
    return [
      new Plugin({
        key: new PluginKey('schemaGuard'),
        view: () => ({ destroy: guard?.onBlock(() => editor.destroy()) ?? (() => {}) }),
      }),
    ]
  },
})

/** The guard of a note's doc, trusting what our own editors write. */
export function noteSchemaGuard(doc: Y.Doc): SchemaGuard {
  return schemaGuardFor(doc, noteSchema(), ySyncPluginKey)
}

/**
 * Collaboration on `doc`, watched by its schema guard; nothing at all (an unbound editor) if the
 * note is already blocked, so an editor created in a race never binds to content it would delete.
 */
export function guardedCollaboration(doc: Y.Doc): Extensions {
  const guard = noteSchemaGuard(doc)
  if (guard.blocked.get() !== null) return []
  return [Collaboration.configure({ document: doc, field: NOTE_FRAGMENT }), SchemaGuardExtension.configure({ guard })]
}
