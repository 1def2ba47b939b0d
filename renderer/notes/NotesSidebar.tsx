import { useState } from 'react'
import type { ReactNode } from 'react'
import { ConfirmDialog } from '../ui/Dialog'
import type { NoteSummary } from './notes-index'

interface Props {
  notes: readonly NoteSummary[]
  trash: readonly NoteSummary[]
  view: 'notes' | 'trash'
  onView(view: 'notes' | 'trash'): void
  selectedId: string | null
  onSelect(id: string): void
  onCreate(): void
  onRestore(id: string): void
  onDeleteForever(id: string): void
  /** Shown above the footer: e.g. "moved to trash · Undo". */
  notice: ReactNode
  footer: ReactNode
}

export function NotesSidebar(props: Props) {
  const { notes, trash, view, onView, selectedId, onSelect, onCreate, onRestore, onDeleteForever, notice, footer } = props
  const [confirming, setConfirming] = useState<NoteSummary | null>(null)
  return (
    <aside className="sidebar" aria-label="Notes sidebar">
      <header className="sidebar-header">
        <h1 className="app-name">Skein</h1>
        <button type="button" className="button primary" onClick={onCreate}>
          New note
        </button>
      </header>
      {view === 'notes' ? (
        <nav className="notes-nav" aria-label="Notes">
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
      ) : (
        <nav className="notes-nav" aria-label="Trash">
          <div className="trash-header">
            <h2 className="trash-title">Trash</h2>
            <button type="button" className="button subtle-plain" onClick={() => onView('notes')}>
              Back to notes
            </button>
          </div>
          <p className="trash-hint">Notes in the trash keep their content on every device until deleted forever.</p>
          {trash.length === 0 ? (
            <p className="empty-list">The trash is empty.</p>
          ) : (
            <ul className="notes-list" role="list" aria-label="Trashed notes">
              {trash.map((note) => (
                <li key={note.id} aria-label={note.title} className="trash-item">
                  <span className="trash-item-title">{note.title}</span>
                  <span className="trash-item-actions">
                    <button type="button" className="button small" aria-label={`Restore ${note.title}`} onClick={() => onRestore(note.id)}>
                      Restore
                    </button>
                    <button
                      type="button"
                      className="button small subtle"
                      aria-label={`Delete ${note.title} forever`}
                      onClick={() => setConfirming(note)}
                    >
                      Delete forever
                    </button>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </nav>
      )}
      {notice}
      <div className="sidebar-trash">
        <button
          type="button"
          className="trash-link"
          aria-pressed={view === 'trash'}
          onClick={() => onView(view === 'trash' ? 'notes' : 'trash')}
        >
          <span>Trash</span>
          <span className="count" aria-label={`${trash.length} in trash`}>
            {trash.length}
          </span>
        </button>
      </div>
      <footer className="sidebar-footer">{footer}</footer>
      {confirming && (
        <ConfirmDialog
          title="Delete this note forever?"
          message={`“${confirming.title}” will be erased from this device and removed from every device's trash. This cannot be undone. (If another device has edits that were not seen here, the note comes back with them.)`}
          confirmLabel="Delete forever"
          onCancel={() => setConfirming(null)}
          onConfirm={() => {
            onDeleteForever(confirming.id)
            setConfirming(null)
          }}
        />
      )}
    </aside>
  )
}
