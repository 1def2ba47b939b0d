import { Suspense, useEffect } from 'react'
import type * as Y from 'yjs'
import type { DocHandle, DocRegistry } from '../sync/doc-registry'
import { useDocHandle, useLocalSave } from '../sync/hooks'
import { NoteEditor } from '../editor/NoteEditor'
import { noteRoom } from './notes-index'
import type { NotesIndex } from './notes-index'
import { hasUnseenEdits } from './trash-rules'

interface Props {
  registry: DocRegistry
  indexHandle: DocHandle
  index: NotesIndex
  id: string
  title: string
  /** The note is in the trash (trashed on another device while open here). */
  trashed: boolean
  /** Put the caret in the editor as soon as it is ready. */
  autoFocus: boolean
  onTrash(id: string, content: Y.Doc): void
  onRestore(id: string): void
}

/** "Saved on this device" once every local change (note and notes list) is in IndexedDB. */
function SaveStatus({ note, index }: { note: DocHandle; index: DocHandle }) {
  const noteState = useLocalSave(note)
  const indexState = useLocalSave(index)
  const saved = noteState === 'saved' && indexState === 'saved'
  return (
    <span className={`save-state ${saved ? 'saved' : 'saving'}`} role="status" aria-label="Save status">
      {saved ? 'Saved on this device' : 'Saving…'}
    </span>
  )
}

/** One open note: its header (save state, trash) and its editor. Mount keyed by note id. */
export function NotePane({ registry, indexHandle, index, id, title, trashed, autoFocus, onTrash, onRestore }: Props) {
  const handle = useDocHandle(registry, noteRoom(id))

  // An edit to a trashed note restores it: any content change (typed here or arriving from
  // another device) that the trashing device had not seen takes the note out of the trash.
  useEffect(() => {
    const check = (): void => {
      const seen = index.trashSnapshot(id)
      if (seen && hasUnseenEdits(handle.doc, seen)) index.restore(id)
    }
    handle.doc.on('update', check)
    return () => handle.doc.off('update', check)
  }, [handle, index, id])

  return (
    <main className="note-pane" aria-label={`Note: ${title}`}>
      <header className="note-header">
        <SaveStatus note={handle} index={indexHandle} />
        {!trashed && (
          <button type="button" className="button subtle" onClick={() => onTrash(id, handle.doc)}>
            Move to trash
          </button>
        )}
      </header>
      {trashed && (
        <div className="banner" role="status" aria-label="Trash notice">
          <span>Moved to trash on another device. Editing it brings it back.</span>
          <button type="button" className="button" onClick={() => onRestore(id)}>
            Restore
          </button>
        </div>
      )}
      <Suspense fallback={<div className="editor-loading" aria-busy="true" aria-label="Loading note" />}>
        <NoteEditor handle={handle} onTitle={(next) => index.setTitle(id, next)} autoFocus={autoFocus} />
      </Suspense>
    </main>
  )
}
