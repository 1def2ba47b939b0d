import { Suspense, use, useEffect, useState, useSyncExternalStore } from 'react'
import type * as Y from 'yjs'
import type { DocHandle, DocRegistry } from './sync/doc-registry'
import { ConnectionIndicator } from './sync/ConnectionIndicator'
import { NotesSidebar } from './notes/NotesSidebar'
import { NotePane } from './notes/NotePane'
import { noteRoom } from './notes/notes-index'
import type { NoteSummary, NotesIndex } from './notes/notes-index'
import { keepTrashRules } from './notes/trash-keeper'
import { loadSelectedNote, saveSelectedNote } from './notes/selection'

interface Props {
  registry: DocRegistry
  /** The workspace index document; open for the app's whole lifetime. */
  indexHandle: DocHandle
  index: NotesIndex
}

const UNDO_MS = 10_000

export function App(props: Props) {
  return (
    <Suspense fallback={<div className="app-loading" aria-busy="true" aria-label="Loading notes" />}>
      <Workspace {...props} />
    </Suspense>
  )
}

function Workspace({ registry, indexHandle, index }: Props) {
  use(indexHandle.whenLoaded) // local IndexedDB only; never the network
  const { notes, trash } = useSyncExternalStore(index.subscribe, index.getSnapshot)
  const [selected, setSelected] = useState<string | null>(loadSelectedNote)
  const [view, setView] = useState<'notes' | 'trash'>('notes')
  /** The note just created here: its editor takes the focus when it mounts. */
  const [created, setCreated] = useState<string | null>(null)
  const [undo, setUndo] = useState<NoteSummary | null>(null)
  // A note trashed elsewhere while open here stays open (with a banner); it is not yanked away.
  const current = notes.find((note) => note.id === selected) ?? trash.find((note) => note.id === selected) ?? null
  const currentTrashed = current !== null && trash.some((note) => note.id === current.id)

  useEffect(() => keepTrashRules(index, registry), [index, registry])
  useEffect(() => {
    if (!undo) return
    const timer = setTimeout(() => setUndo(null), UNDO_MS)
    return () => clearTimeout(timer)
  }, [undo])

  const show = (id: string | null): void => {
    setSelected(id)
    saveSelectedNote(id)
  }

  const select = (id: string | null): void => {
    setCreated(null) // only a just-created note takes the focus when it mounts
    show(id)
  }

  const create = (): void => {
    const id = index.create()
    setCreated(id)
    setView('notes')
    show(id)
  }

  const moveToTrash = (id: string, content: Y.Doc): void => {
    const position = notes.findIndex((note) => note.id === id)
    const neighbour = notes[position + 1] ?? notes[position - 1] ?? null
    index.trash(id, content)
    if (selected === id) select(neighbour?.id ?? null)
    setUndo({ id, title: index.titleOf(id) })
  }

  const restore = (id: string): void => {
    index.restore(id)
    if (undo?.id === id) setUndo(null)
  }

  const deleteForever = (id: string): void => {
    index.deleteForever(id)
    if (selected === id) select(null)
    if (undo?.id === id) setUndo(null)
    registry.discard(noteRoom(id))
  }

  const notice = undo && (
    <div className="toast" role="status" aria-label="Undo trash">
      <span className="toast-text">“{undo.title}” moved to trash.</span>
      <button
        type="button"
        className="button small"
        onClick={() => {
          restore(undo.id)
          select(undo.id)
        }}
      >
        Undo
      </button>
    </div>
  )

  return (
    <div className="app">
      <NotesSidebar
        notes={notes}
        trash={trash}
        view={view}
        onView={setView}
        selectedId={current?.id ?? null}
        onSelect={select}
        onCreate={create}
        onRestore={restore}
        onDeleteForever={deleteForever}
        notice={notice}
        footer={<ConnectionIndicator handle={indexHandle} />}
      />
      {current ? (
        <NotePane
          key={current.id}
          registry={registry}
          indexHandle={indexHandle}
          index={index}
          id={current.id}
          title={current.title}
          trashed={currentTrashed}
          autoFocus={current.id === created}
          onTrash={moveToTrash}
          onRestore={restore}
        />
      ) : (
        <main className="note-pane empty" aria-label="No note selected">
          <p>{notes.length === 0 ? 'Create your first note.' : 'Select a note, or create a new one.'}</p>
          <button type="button" className="button primary" onClick={create}>
            New note
          </button>
        </main>
      )}
    </div>
  )
}
