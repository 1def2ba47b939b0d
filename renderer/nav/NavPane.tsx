// The left pane: where notes live. All notes, the folder tree, tags, what needs review, and the
// trash. Folders and tags are sections that collapse and scroll by themselves, so a long list of
// either never pushes the rest away. Folders take dropped notes (and folders, to nest them).

import { useState } from 'react'
import type { DragEvent, ReactNode } from 'react'
import type { CatalogSnapshot } from '../catalog/catalog'
import { allTags, folderTree, needsReview, notesFor, type FolderItem, type ListFilter } from '../catalog/selectors'
import { NOTES_DRAG_TYPE } from '../notes/NoteList'

/** The drag payload of a folder (its id). */
export const FOLDER_DRAG_TYPE = 'application/x-skein-folder'

export type Drop = { kind: 'notes'; ids: string[] } | { kind: 'folder'; id: string }

/** What is being dragged, if it is ours. */
export function dropOf(event: DragEvent): Drop | null {
  const notes = event.dataTransfer.getData(NOTES_DRAG_TYPE)
  if (notes) {
    try {
      const ids: unknown = JSON.parse(notes)
      if (Array.isArray(ids) && ids.every((id) => typeof id === 'string')) return { kind: 'notes', ids }
    } catch {
      return null
    }
  }
  const folder = event.dataTransfer.getData(FOLDER_DRAG_TYPE)
  return folder ? { kind: 'folder', id: folder } : null
}

const ours = (event: DragEvent): boolean => event.dataTransfer.types.includes(NOTES_DRAG_TYPE) || event.dataTransfer.types.includes(FOLDER_DRAG_TYPE)

interface Props {
  snapshot: CatalogSnapshot
  filter: ListFilter
  onFilter(filter: ListFilter): void
  onNewFolder(parentId: string | null): void
  onFolderMenu(item: FolderItem, at: { x: number; y: number }): void
  /** Something was dropped on a folder (null: the top level, "All notes"). */
  onDrop(drop: Drop, folderId: string | null): void
  onDropOnTrash(ids: string[]): void
  /** Import / export, at the bottom. */
  transfer: ReactNode
  /** Narrow layout: collapses into the list on choosing a view. */
  onChosen?: (() => void) | undefined
  onCollapse?: (() => void) | undefined
}

const sameFilter = (a: ListFilter, b: ListFilter): boolean => JSON.stringify(a) === JSON.stringify(b)
const SECTIONS_KEY = 'skein:nav-collapsed'

function loadCollapsed(): Set<string> {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(SECTIONS_KEY) ?? '[]')
    return new Set(Array.isArray(value) ? value.filter((v) => typeof v === 'string') : [])
  } catch {
    return new Set()
  }
}

export function NavPane(props: Props) {
  const { snapshot, filter, onFilter } = props
  const [collapsed, setCollapsed] = useState(loadCollapsed)
  const [over, setOver] = useState<string | null>(null)
  const folders = folderTree(snapshot)
  const tags = allTags(snapshot)
  const review = needsReview(snapshot)
  const trashCount = notesFor(snapshot, { kind: 'trash' }).length

  const toggleSection = (name: string): void => {
    const next = new Set(collapsed)
    if (next.has(name)) next.delete(name)
    else next.add(name)
    setCollapsed(next)
    try {
      localStorage.setItem(SECTIONS_KEY, JSON.stringify([...next]))
    } catch {
      // not remembered
    }
  }
  const choose = (target: ListFilter): void => {
    onFilter(target)
    props.onChosen?.()
  }
  const item = (target: ListFilter, label: ReactNode, name: string, extra: ReactNode = null): ReactNode => (
    <button type="button" className="nav-item" aria-label={name} aria-pressed={sameFilter(filter, target)} onClick={() => choose(target)}>
      <span className="nav-item-label">{label}</span>
      {extra}
    </button>
  )
  /** Drag-over handlers for a drop target keyed `key`, landing in `folderId`. */
  const target = (key: string, land: (drop: Drop) => void) => ({
    'data-drop-over': over === key || undefined,
    onDragOver: (event: DragEvent) => {
      if (!ours(event)) return
      event.preventDefault()
      event.dataTransfer.dropEffect = 'move'
      if (over !== key) setOver(key)
    },
    onDragLeave: () => setOver((current) => (current === key ? null : current)),
    onDrop: (event: DragEvent) => {
      event.preventDefault()
      setOver(null)
      const drop = dropOf(event)
      if (drop) land(drop)
    },
  })
  const section = (name: string, label: string, body: ReactNode, action: ReactNode = null): ReactNode => {
    const open = !collapsed.has(name)
    return (
      <section className="nav-section" data-open={open} aria-label={label}>
        <div className="nav-section-heading">
          <button type="button" className="nav-section-toggle" aria-expanded={open} onClick={() => toggleSection(name)}>
            <span className="chevron" aria-hidden="true">
              {open ? '▾' : '▸'}
            </span>
            {label}
          </button>
          {action}
        </div>
        {open && <div className="nav-section-body">{body}</div>}
      </section>
    )
  }

  return (
    <aside className="pane nav-pane" aria-label="Notes sidebar">
      <header className="pane-header">
        <h1 className="app-name">Skein</h1>
        {props.onCollapse && (
          <button type="button" className="icon-button" aria-label="Hide sidebar" title="Hide sidebar" onClick={props.onCollapse}>
            «
          </button>
        )}
      </header>
      <nav className="nav-sections" aria-label="Folders and tags">
        <div className="nav-fixed" {...target('all', (drop) => props.onDrop(drop, null))}>
          {item({ kind: 'all' }, 'All notes', 'All notes')}
        </div>
        {section(
          'folders',
          'Folders',
          folders.length === 0 ? (
            <p className="nav-empty">No folders yet.</p>
          ) : (
            <ul className="nav-list" aria-label="Folders">
              {folders.map((entry) => {
                const { folder } = entry
                return (
                  <li key={folder.id} className="folder-item" aria-label={folder.name} {...target(folder.id, (drop) => props.onDrop(drop, folder.id))}>
                    <button
                      type="button"
                      className="nav-item"
                      aria-label={`Folder ${folder.name}`}
                      aria-pressed={filter.kind === 'folder' && filter.id === folder.id}
                      style={{ paddingLeft: 10 + entry.depth * 14 }}
                      draggable
                      onDragStart={(event) => {
                        event.dataTransfer.setData(FOLDER_DRAG_TYPE, folder.id)
                        event.dataTransfer.setData('text/plain', folder.name)
                        event.dataTransfer.effectAllowed = 'move'
                      }}
                      onClick={() => choose({ kind: 'folder', id: folder.id })}
                      onContextMenu={(event) => {
                        event.preventDefault()
                        props.onFolderMenu(entry, { x: event.clientX, y: event.clientY })
                      }}
                      onKeyDown={(event) => {
                        if (event.key === 'ContextMenu' || (event.key === 'F10' && event.shiftKey)) {
                          event.preventDefault()
                          const rect = event.currentTarget.getBoundingClientRect()
                          props.onFolderMenu(entry, { x: rect.left + 24, y: rect.bottom })
                        }
                      }}
                    >
                      <span className="nav-item-label">{folder.name}</span>
                    </button>
                    <button
                      type="button"
                      className="icon-button folder-more"
                      aria-label={`Actions for folder ${folder.name}`}
                      title="Folder actions"
                      aria-haspopup="menu"
                      onClick={(event) => {
                        const rect = event.currentTarget.getBoundingClientRect()
                        props.onFolderMenu(entry, { x: rect.left, y: rect.bottom + 4 })
                      }}
                    >
                      ⋯
                    </button>
                  </li>
                )
              })}
            </ul>
          ),
          <button type="button" className="icon-button small" aria-label="New folder" title="New folder" onClick={() => props.onNewFolder(null)}>
            +
          </button>,
        )}
        {tags.length > 0 &&
          section(
            'tags',
            'Tags',
            <ul className="nav-list" aria-label="Tags">
              {tags.map((tag) => (
                <li key={tag}>{item({ kind: 'tag', tag }, `#${tag}`, `Tag ${tag}`)}</li>
              ))}
            </ul>,
          )}
        <div className="nav-fixed">
          {review.length > 0 && item({ kind: 'review' }, <span className="attention">Needs review</span>, 'Needs review', <span className="count">{review.length}</span>)}
          <div {...target('trash', (drop) => drop.kind === 'notes' && props.onDropOnTrash(drop.ids))}>
            <button type="button" className="nav-item trash-link" aria-pressed={filter.kind === 'trash'} onClick={() => choose(filter.kind === 'trash' ? { kind: 'all' } : { kind: 'trash' })}>
              <span className="nav-item-label">Trash</span>
              <span className="count" aria-label={`${trashCount} in trash`}>
                {trashCount}
              </span>
            </button>
          </div>
        </div>
      </nav>
      <footer className="nav-footer">{props.transfer}</footer>
    </aside>
  )
}
