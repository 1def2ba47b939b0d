import { use, useCallback, useMemo, useState } from 'react'
import type { ReactNode } from 'react'
import { EditorContent, useEditor } from '@tiptap/react'
import { Extension } from '@tiptap/core'
import type { Editor, Extensions } from '@tiptap/react'
import type * as Y from 'yjs'
import { isChangeOrigin } from '@tiptap/extension-collaboration'
import type { Transaction } from '@tiptap/pm/state'
import type { DocHandle } from '../sync/doc-registry'
import { firstLineOf } from './first-line'
import { contentExtensions } from './note-schema'
import { guardedCollaboration } from './schema-guard-extension'
import { RemoteChangeScroll } from './remote-scroll'
import { Toolbar } from './Toolbar'
import { withCollaborationCarets } from '../presence/caret'
import type { FocusMatch } from '../search/match-position'
import { useFocusMatch } from '../search/use-focus-match'

/** StarterKit without its own history (Collaboration brings a Yjs-aware undo), bound to `doc`. */
function noteExtensions(doc: Y.Doc, openLinkDialog: () => void): Extensions {
  return [
    // Ctrl/Cmd+K opens the link dialog (as in most editors).
    Extension.create({
      name: 'linkShortcut',
      addKeyboardShortcuts: () => ({
        'Mod-k': () => {
          openLinkDialog()
          return true
        },
      }),
    }),
    ...contentExtensions(),
    // Bound only while the note holds nothing this schema cannot map (see schema-guard.ts).
    ...guardedCollaboration(doc),
    RemoteChangeScroll,
  ]
}

const EDITOR_PROPS = {
  attributes: { 'aria-label': 'Note editor', 'aria-multiline': 'true', role: 'textbox', class: 'prose' },
}

interface Props {
  handle: DocHandle
  /** Called with the first line of text after every change; `local` is false for remote changes. */
  onFirstLine(line: string, local: boolean): void
  /** Put the caret in the editor once it is ready (a note just created). */
  autoFocus?: boolean
  /** Select this search match and scroll to it (a new object each time it is asked for). */
  focusMatch?: FocusMatch | null
  /** Show the note without letting it be edited (a note in the trash). */
  readOnly?: boolean
  /** Shown above the text, scrolling with it (the note's folder and tags). */
  before?: ReactNode
}

/**
 * The TipTap editor bound to one note's Y.Doc. Suspends until the note's local (IndexedDB) state
 * is loaded, so an existing note never flashes empty. Mount it keyed by note id: a different note
 * is a different editor.
 */
export function NoteEditor({ handle, onFirstLine, autoFocus = false, focusMatch, readOnly = false, before }: Props) {
  use(handle.whenLoaded)
  const reportTitle = ({ editor, transaction }: { editor: Editor; transaction: Transaction }): void => {
    onFirstLine(firstLineOf(editor.state.doc), !isChangeOrigin(transaction))
  }
  const [linkOpen, setLinkOpen] = useState(false)
  const openLinkDialog = useCallback(() => setLinkOpen(true), [])
  const extensions = useMemo(
    () => withCollaborationCarets(noteExtensions(handle.doc, openLinkDialog), handle.awareness),
    [handle.doc, handle.awareness, openLinkDialog],
  )
  const editor = useEditor({
    extensions,
    editorProps: EDITOR_PROPS,
    onUpdate: reportTitle,
    autofocus: autoFocus ? 'end' : false,
    editable: !readOnly,
  })
  useFocusMatch(editor, focusMatch)
  return (
    <>
      {!readOnly && <Toolbar editor={editor} linkOpen={linkOpen} setLinkOpen={setLinkOpen} />}
      <div className="editor-scroll">
        {before}
        <EditorContent editor={editor} className="editor" />
      </div>
    </>
  )
}
