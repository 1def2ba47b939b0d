import type { ReactNode } from 'react'
import type { NoteSummary } from './notes-index'

interface Props {
  notes: readonly NoteSummary[]
  selectedId: string | null
  onSelect(id: string): void
  onCreate(): void
  footer: ReactNode
}

export function NotesSidebar({ notes, selectedId, onSelect, onCreate, footer }: Props) {
  return (
    <aside className="sidebar" aria-label="Notes sidebar">
      <header className="sidebar-header">
        <h1 className="app-name">Skein</h1>
        <button type="button" className="button primary" onClick={onCreate}>
          New note
        </button>
      </header>
      <nav className="notes-nav">
        {notes.length === 0 ? (
          <p className="empty-list">No notes yet.</p>
        ) : (
          <ul className="notes-list" role="list" aria-label="Notes">
            {notes.map((note) => (
              <li key={note.id} aria-label={note.title}>
                <button
                  type="button"
                  className="note-link"
                  aria-current={note.id === selectedId ? 'true' : undefined}
                  onClick={() => onSelect(note.id)}
                >
                  {note.title}
                </button>
              </li>
            ))}
          </ul>
        )}
      </nav>
      <footer className="sidebar-footer">{footer}</footer>
    </aside>
  )
}
