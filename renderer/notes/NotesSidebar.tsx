import { useRef, useState } from 'react'
import type { ReactNode } from 'react'
import { LIMITS } from '../../protocol/meta/parse'
import type { CatalogSnapshot } from '../catalog/catalog'
import type { RelayReach } from '../catalog/sync-worker'
import type { Refusal } from '../sync/connection-status'
import {
  NOTE_SYNC_LABELS,
  allTags,
  displayTitle,
  folderTree,
  needsReview,
  noteSyncState,
  notesFor,
  type FolderItem,
  type GlobalStatus,
  type ListFilter,
  type NoteItem,
} from '../catalog/selectors'
import { ConfirmDialog, PromptDialog } from '../ui/Dialog'
import { useWindowedRows } from './windowing'

interface Props {
  snapshot: CatalogSnapshot
  reach: RelayReach | null
  /** Notes whose connection the relay refuses, and why. */
  refused: ReadonlyMap<string, Refusal>
  /** The notes the current filter shows, in order. */
  list: readonly NoteItem[]
  filter: ListFilter
  onFilter(filter: ListFilter): void
  selectedId: string | null
  onSelect(id: string): void
  onCreate(): void
  onCreateFolder(name: string): void
  onRenameFolder(id: string, name: string): void
  onDeleteFolder(id: string): void
  onRestore(id: string): void
  onDeleteForever(id: string): void
  onReview(entityKey: string): void
  /** Shown above the footer: e.g. "moved to trash · Undo". */
  notice: ReactNode
  /** The search field and its results, at the top. */
  search?: ReactNode
  /** Import… / Export… (renderer/transfer), above the trash. */
  transfer?: ReactNode
  status: GlobalStatus
  onOpenDetails(): void
  onOpenSettings(): void
}

const sameFilter = (a: ListFilter, b: ListFilter): boolean => JSON.stringify(a) === JSON.stringify(b)
const folderName = (name: string): string | null => (name.trim() === '' ? 'Enter a name.' : name.trim().length > LIMITS.titleLength ? `At most ${LIMITS.titleLength} characters.` : null)

type FolderDialog = { kind: 'create' } | { kind: 'rename'; item: FolderItem } | { kind: 'delete'; item: FolderItem }

export function NotesSidebar(props: Props) {
  const { snapshot, reach, refused, list, filter, onFilter, selectedId, onSelect, onCreate, notice, status } = props
  const [confirming, setConfirming] = useState<NoteItem | null>(null)
  const [folderDialog, setFolderDialog] = useState<FolderDialog | null>(null)
  // Thousands of notes: render only the rows in view (windowing.ts).
  const notesNav = useRef<HTMLElement | null>(null)
  const notesList = useRef<HTMLUListElement | null>(null)
  const { start, end, style } = useWindowedRows(filter.kind === 'trash' ? 0 : list.length, notesNav, notesList)
  const folders = folderTree(snapshot)
  const tags = allTags(snapshot)
  const review = needsReview(snapshot)
  const trashCount = notesFor(snapshot, { kind: 'trash' }).length
  const filterButton = (target: ListFilter, label: ReactNode, name: string): ReactNode => (
    <button type="button" className="filter-link" aria-label={name} aria-pressed={sameFilter(filter, target)} onClick={() => onFilter(target)}>
      {label}
    </button>
  )

  return (
    <aside className="sidebar" aria-label="Notes sidebar">
      <header className="sidebar-header">
        <h1 className="app-name">Skein</h1>
        <button type="button" className="button primary" onClick={onCreate}>
          New note
        </button>
      </header>
      {props.search}
      <nav className="filters" aria-label="Folders and tags">
        {filterButton({ kind: 'all' }, 'All notes', 'All notes')}
        <div className="filter-heading">
          <span>Folders</span>
          <button type="button" className="button subtle-plain" onClick={() => setFolderDialog({ kind: 'create' })}>
            New folder
          </button>
        </div>
        <ul className="filter-list" aria-label="Folders">
          {folders.map((item) => (
            <li key={item.folder.id} className="folder-item" aria-label={item.folder.name} style={{ paddingLeft: item.depth * 14 }}>
              {filterButton({ kind: 'folder', id: item.folder.id }, item.folder.name, `Folder ${item.folder.name}`)}
              <span className="folder-actions">
                <button type="button" className="button subtle-plain" aria-label={`Rename folder ${item.folder.name}`} onClick={() => setFolderDialog({ kind: 'rename', item })}>
                  Rename
                </button>
                <button type="button" className="button subtle-plain" aria-label={`Delete folder ${item.folder.name}`} onClick={() => setFolderDialog({ kind: 'delete', item })}>
                  Delete
                </button>
              </span>
            </li>
          ))}
        </ul>
        {tags.length > 0 && (
          <>
            <div className="filter-heading">
              <span>Tags</span>
            </div>
            <ul className="filter-list tags" aria-label="Tags">
              {tags.map((tag) => (
                <li key={tag}>{filterButton({ kind: 'tag', tag }, `#${tag}`, `Tag ${tag}`)}</li>
              ))}
            </ul>
          </>
        )}
        {review.length > 0 && filterButton({ kind: 'review' }, <span className="attention">Needs review ({review.length})</span>, 'Needs review')}
      </nav>
      {filter.kind === 'trash' ? (
        <nav className="notes-nav" aria-label="Trash">
          <div className="trash-header">
            <h2 className="trash-title">Trash</h2>
            <button type="button" className="button subtle-plain" onClick={() => onFilter({ kind: 'all' })}>
              Back to notes
            </button>
          </div>
          <p className="trash-hint">Notes in the trash keep their content on every device until deleted forever.</p>
          {list.length === 0 ? (
            <p className="empty-list">The trash is empty.</p>
          ) : (
            <ul className="notes-list" role="list" aria-label="Trashed notes">
              {list.map((item) => {
                const title = displayTitle(item.note)
                return (
                  <li key={item.note.id} aria-label={title} className="trash-item">
                    <span className="trash-item-title">{title}</span>
                    <span className="trash-item-actions">
                      <button type="button" className="button small" aria-label={`Restore ${title}`} onClick={() => props.onRestore(item.note.id)}>
                        Restore
                      </button>
                      <button type="button" className="button small subtle" aria-label={`Delete ${title} forever`} onClick={() => setConfirming(item)}>
                        Delete forever
                      </button>
                    </span>
                  </li>
                )
              })}
            </ul>
          )}
        </nav>
      ) : (
        <nav className="notes-nav" aria-label="Notes" ref={notesNav}>
          {list.length === 0 ? (
            <p className="empty-list">{filter.kind === 'all' ? 'No notes yet.' : filter.kind === 'review' ? 'Nothing needs review.' : 'No notes here.'}</p>
          ) : (
            <ul className="notes-list" role="list" aria-label="Notes" ref={notesList} style={style}>
              {list.slice(start, end).map((item) => {
                const title = displayTitle(item.note)
                const state = noteSyncState(item.entity, reach, refused.get(item.note.id) ?? null)
                return (
                  <li key={item.note.id} aria-label={title} data-sync={state} data-note-id={item.note.id}>
                    <button
                      type="button"
                      className="note-link"
                      aria-label={title}
                      aria-description={`${item.note.pinned ? 'Pinned. ' : ''}${NOTE_SYNC_LABELS[state]}`}
                      aria-current={item.note.id === selectedId ? 'true' : undefined}
                      onClick={() => (item.entity.sync === 'conflicted' && filter.kind === 'review' ? props.onReview(item.entity.key) : onSelect(item.note.id))}
                    >
                      {item.note.pinned && (
                        <span className="pin-mark" aria-label="Pinned">
                          ★
                        </span>
                      )}
                      <span className="note-link-title">{title}</span>
                      <span className={`sync-dot sync-${state}`} role="img" aria-label={NOTE_SYNC_LABELS[state]} title={NOTE_SYNC_LABELS[state]} />
                    </button>
                  </li>
                )
              })}
            </ul>
          )}
        </nav>
      )}
      {notice}
      {props.transfer}
      <div className="sidebar-trash">
        <button type="button" className="trash-link" aria-pressed={filter.kind === 'trash'} onClick={() => onFilter(filter.kind === 'trash' ? { kind: 'all' } : { kind: 'trash' })}>
          <span>Trash</span>
          <span className="count" aria-label={`${trashCount} in trash`}>
            {trashCount}
          </span>
        </button>
      </div>
      <footer className="sidebar-footer">
        <button type="button" className="button subtle-plain settings-button" onClick={props.onOpenSettings}>
          Settings
        </button>
        <div className={`sync-status sync-status-${status.kind}`} role="status" aria-label="Sync status">
          <span className="connection-dot" aria-hidden="true" />
          <span>{status.label}</span>
        </div>
        <button type="button" className="button subtle-plain" onClick={props.onOpenDetails}>
          Sync details
        </button>
      </footer>
      {confirming && (
        <ConfirmDialog
          title="Delete this note forever?"
          message={`“${displayTitle(confirming.note)}” will be erased from this device and removed from every device's trash. This cannot be undone. (If another device has edits that were not seen here, the note comes back with them.)`}
          confirmLabel="Delete forever"
          onCancel={() => setConfirming(null)}
          onConfirm={() => {
            props.onDeleteForever(confirming.note.id)
            setConfirming(null)
          }}
        />
      )}
      {folderDialog?.kind === 'create' && (
        <PromptDialog
          title="New folder"
          label="Name"
          initialValue=""
          submitLabel="Create"
          validate={folderName}
          onCancel={() => setFolderDialog(null)}
          onSubmit={(name) => {
            props.onCreateFolder(name)
            setFolderDialog(null)
          }}
        />
      )}
      {folderDialog?.kind === 'rename' && (
        <PromptDialog
          title="Rename folder"
          label="Name"
          initialValue={folderDialog.item.folder.name}
          submitLabel="Rename"
          validate={folderName}
          onCancel={() => setFolderDialog(null)}
          onSubmit={(name) => {
            props.onRenameFolder(folderDialog.item.folder.id, name)
            setFolderDialog(null)
          }}
        />
      )}
      {folderDialog?.kind === 'delete' && (
        <ConfirmDialog
          title={`Delete folder “${folderDialog.item.folder.name}”?`}
          message="The folder goes away; the notes in it are kept and move up one level."
          confirmLabel="Delete folder"
          onCancel={() => setFolderDialog(null)}
          onConfirm={() => {
            props.onDeleteFolder(folderDialog.item.folder.id)
            setFolderDialog(null)
          }}
        />
      )}
    </aside>
  )
}
