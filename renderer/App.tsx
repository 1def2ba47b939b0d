import { Suspense, use, useState, useSyncExternalStore } from 'react'
import type { DocHandle, DocRegistry } from './sync/doc-registry'
import { ConnectionIndicator } from './sync/ConnectionIndicator'
import { NotesSidebar } from './notes/NotesSidebar'
import { NotePane } from './notes/NotePane'
import { noteRoom } from './notes/notes-index'
import type { NotesIndex } from './notes/notes-index'
import { loadSelectedNote, saveSelectedNote } from './notes/selection'

interface Props {
  registry: DocRegistry
  /** The workspace index document; open for the app's whole lifetime. */
  indexHandle: DocHandle
  index: NotesIndex
}

export function App(props: Props) {
  return (
    <Suspense fallback={<div className="app-loading" aria-busy="true" aria-label="Loading notes" />}>
      <Workspace {...props} />
    </Suspense>
  )
}

function Workspace({ registry, indexHandle, index }: Props) {
  use(indexHandle.whenLoaded) // local IndexedDB only; never the network
  const notes = useSyncExternalStore(index.subscribe, index.getSnapshot)
  const [selected, setSelected] = useState<string | null>(loadSelectedNote)
  const current = notes.find((note) => note.id === selected) ?? null

  const select = (id: string | null): void => {
    setSelected(id)
    saveSelectedNote(id)
  }

  const create = (): void => select(index.create())

  const remove = (id: string): void => {
    const position = notes.findIndex((note) => note.id === id)
    const neighbour = notes[position + 1] ?? notes[position - 1] ?? null
    index.remove(id)
    if (selected === id) select(neighbour?.id ?? null)
    registry.discard(noteRoom(id))
  }

  return (
    <div className="app">
      <NotesSidebar
        notes={notes}
        selectedId={current?.id ?? null}
        onSelect={select}
        onCreate={create}
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
          onDelete={remove}
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
