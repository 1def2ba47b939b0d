import { use, useCallback, useEffect, useMemo, useRef, useState } from 'react'
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
import { Toolbar } from './Toolbar'
import { withCollaborationCarets } from '../presence/caret'
import type { FocusMatch } from '../search/match-position'
import { useFocusMatch } from '../search/use-focus-match'
import { noteIdOfRoom } from '../../protocol/rooms'
import { attachmentsInDoc, type Attachments } from '../attachments/attachments'
import { AttachmentRuntime, insertFiles } from './attachment-runtime'
import { AttachmentRefusals } from './AttachmentRefusals'

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
  /** Where the note's images and files are kept (none: they cannot be added). */
  attachments?: Attachments | null
}

/**
 * The TipTap editor bound to one note's Y.Doc. Suspends until the note's local (IndexedDB) state
 * is loaded, so an existing note never flashes empty. Mount it keyed by note id: a different note
 * is a different editor.
 */
export function NoteEditor({ handle, onFirstLine, autoFocus = false, focusMatch, attachments = null }: Props) {
  use(handle.whenLoaded)
  const reportTitle = ({ editor, transaction }: { editor: Editor; transaction: Transaction }): void => {
    onFirstLine(firstLineOf(editor.state.doc), !isChangeOrigin(transaction))
  }
  const [linkOpen, setLinkOpen] = useState(false)
  const openLinkDialog = useCallback(() => setLinkOpen(true), [])
  const [attachmentError, setAttachmentError] = useState<string | null>(null)
  const runtime = useMemo(() => ({ attachments, noteId: noteIdOfRoom(handle.room), onError: setAttachmentError }), [attachments, handle.room])
  const extensions = useMemo(
    () => [...withCollaborationCarets(noteExtensions(handle.doc, openLinkDialog), handle.awareness), AttachmentRuntime.configure(runtime)],
    [handle.doc, handle.awareness, openLinkDialog, runtime],
  )
  useEffect(() => {
    // Opened: one of the recent notes whose attachments are kept downloaded for offline use.
    if (runtime.noteId && attachments) void attachments.noteOpened(runtime.noteId, attachmentsInDoc(handle.doc)).catch(() => undefined)
  }, [attachments, runtime.noteId, handle.doc])
  const picker = useRef<HTMLInputElement>(null)
  const editor = useEditor({
    extensions,
    editorProps: EDITOR_PROPS,
    onUpdate: reportTitle,
    autofocus: autoFocus ? 'end' : false,
  })
  useFocusMatch(editor, focusMatch)
  return (
    <>
      <Toolbar editor={editor} linkOpen={linkOpen} setLinkOpen={setLinkOpen} onInsertFile={attachments ? () => picker.current?.click() : undefined} />
      {/* The browser's file picker; in the desktop shell it is the system's open dialog. */}
      <input
        ref={picker}
        type="file"
        multiple
        hidden
        aria-label="Image or file to insert"
        onChange={(event) => {
          const files = [...(event.target.files ?? [])]
          event.target.value = ''
          if (files.length > 0) void insertFiles(editor, runtime, files)
        }}
      />
      {attachments && <AttachmentRefusals attachments={attachments} doc={handle.doc} />}
      {attachmentError && (
        <div className="banner attention" role="alert" aria-label="Attachment notice">
          <span>{attachmentError}</span>
          <button type="button" className="button" onClick={() => setAttachmentError(null)}>
            Dismiss
          </button>
        </div>
      )}
      <div className="editor-scroll">
        <EditorContent editor={editor} className="editor" />
      </div>
    </>
  )
}
