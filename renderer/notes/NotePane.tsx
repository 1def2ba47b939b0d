import { Suspense, useState } from 'react'
import type { DocHandle, DocRegistry } from '../sync/doc-registry'
import { useDocHandle, useLocalSave } from '../sync/hooks'
import { NoteEditor } from '../editor/NoteEditor'
import { ConfirmDialog } from '../ui/Dialog'
import { noteRoom } from './notes-index'
import type { NotesIndex } from './notes-index'

interface Props {
  registry: DocRegistry
  indexHandle: DocHandle
  index: NotesIndex
  id: string
  title: string
  onDelete(id: string): void
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

/** One open note: its header (save state, delete) and its editor. Mount keyed by note id. */
export function NotePane({ registry, indexHandle, index, id, title, onDelete }: Props) {
  const handle = useDocHandle(registry, noteRoom(id))
  const [confirming, setConfirming] = useState(false)

  return (
    <main className="note-pane" aria-label={`Note: ${title}`}>
      <header className="note-header">
        <SaveStatus note={handle} index={indexHandle} />
        <button type="button" className="button subtle" onClick={() => setConfirming(true)}>
          Delete note
        </button>
      </header>
      <Suspense fallback={<div className="editor-loading" aria-busy="true" aria-label="Loading note" />}>
        <NoteEditor handle={handle} onTitle={(next) => index.setTitle(id, next)} />
      </Suspense>
      {confirming && (
        <ConfirmDialog
          title="Delete this note?"
          message={`“${title}” will be removed from the notes list on every device, and its copy on this device will be erased.`}
          confirmLabel="Delete"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false)
            onDelete(id)
          }}
        />
      )}
    </main>
  )
}
