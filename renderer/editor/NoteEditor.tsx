import { use, useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { ReactNode } from 'react'
import { EditorContent, useEditor } from '@tiptap/react'
import { Extension } from '@tiptap/core'
import { Placeholder } from '@tiptap/extensions'
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
import { BubbleBar } from './BubbleBar'
import { SlashMenu } from './SlashMenu'
import { SlashMenu as SlashMenuExtension, SlashMenuState } from './slash-menu'
import { withCollaborationCarets } from '../presence/caret'
import type { FocusMatch } from '../search/match-position'
import { useFocusMatch } from '../search/use-focus-match'
import { noteIdOfRoom } from '../../protocol/rooms'
import { attachmentsInDoc, type Attachments } from '../attachments/attachments'
import { AttachmentRuntime, insertFiles } from './attachment-runtime'
import { AttachmentRefusals } from './AttachmentRefusals'

/** What an empty block says; the empty note says how to begin. */
function placeholderFor({ editor, node }: { editor: Editor; node: { type: { name: string } } }): string {
  if (editor.isEmpty) return 'Start writing, or type / for commands'
  if (node.type.name === 'heading') return 'Heading'
  return node.type.name === 'paragraph' ? 'Type / for commands' : ''
}

/** The note's content extensions and the editing aids around them, bound to `doc`. */
function noteExtensions(doc: Y.Doc, openLinkDialog: () => void, slashMenu: SlashMenuState): Extensions {
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
    Placeholder.configure({ placeholder: placeholderFor, includeChildren: true }),
    SlashMenuExtension.configure({ state: slashMenu }),
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
  /** Shown below the text (the notes that link here). */
  after?: ReactNode
  /** Where the note's images and files are kept (none: they cannot be added). */
  attachments?: Attachments | null
}

/**
 * The TipTap editor bound to one note's Y.Doc. Suspends until the note's local (IndexedDB) state
 * is loaded, so an existing note never flashes empty. Mount it keyed by note id: a different note
 * is a different editor.
 */
export function NoteEditor({ handle, onFirstLine, autoFocus = false, focusMatch, readOnly = false, before, after, attachments = null }: Props) {
  use(handle.whenLoaded)
  const reportTitle = ({ editor, transaction }: { editor: Editor; transaction: Transaction }): void => {
    onFirstLine(firstLineOf(editor.state.doc), !isChangeOrigin(transaction))
  }
  const [linkOpen, setLinkOpen] = useState(false)
  const openLinkDialog = useCallback(() => setLinkOpen(true), [])
  const [slashMenu] = useState(() => new SlashMenuState())
  const [attachmentError, setAttachmentError] = useState<string | null>(null)
  const runtime = useMemo(() => ({ attachments, noteId: noteIdOfRoom(handle.room), onError: setAttachmentError }), [attachments, handle.room])
  const extensions = useMemo(
    () => [...withCollaborationCarets(noteExtensions(handle.doc, openLinkDialog, slashMenu), handle.awareness), AttachmentRuntime.configure(runtime)],
    [handle.doc, handle.awareness, openLinkDialog, slashMenu, runtime],
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
    editable: !readOnly,
  })
  useFocusMatch(editor, focusMatch)
  return (
    <>
      {!readOnly && <Toolbar editor={editor} linkOpen={linkOpen} setLinkOpen={setLinkOpen} onInsertFile={attachments ? () => picker.current?.click() : undefined} />}
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
        {before}
        <EditorContent editor={editor} className="editor" />
        {after}
      </div>
      <SlashMenu editor={editor} menu={slashMenu} />
      <BubbleBar editor={editor} openLink={openLinkDialog} />
    </>
  )
}
