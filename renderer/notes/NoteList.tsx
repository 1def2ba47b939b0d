// The middle pane: the notes of the current folder, tag or view. Each row shows the title, the
// date and a line of the text. Thousands of rows stay fast (windowing.ts renders only those in
// view). Keyboard: ↑/↓ open the next note, Shift+↑/↓ and Shift/Ctrl-click select several,
// Ctrl/Cmd+A selects all, Enter moves to the editor, Delete trashes, the menu key (or Shift+F10)
// opens the row's menu. Rows can be dragged onto folders.

import { useEffect, useLayoutEffect, useRef, useState } from 'react'
import type { KeyboardEvent, MouseEvent, ReactNode } from 'react'
import type { RelayReach } from '../catalog/sync-worker'
import type { Refusal } from '../sync/connection-status'
import { NOTE_SYNC_LABELS, displayTitle, noteSyncState, type NoteItem } from '../catalog/selectors'
import { exactDate, listDate, modifiedAt, previewText, SORT_LABELS, type NoteSort, type TextLookup } from './note-list'
import { useWindowedRows } from './windowing'

/** The drag payload of notes (their ids, JSON). */
export const NOTES_DRAG_TYPE = 'application/x-skein-notes'

interface Props {
  /** The heading: the folder's path, the tag, "All notes", "Trash". */
  heading: string
  items: readonly NoteItem[]
  trash: boolean
  emptyText: string
  textOf: TextLookup
  reach: RelayReach | null
  refused: ReadonlyMap<string, Refusal>
  /** The open note. */
  openId: string | null
  /** The selected notes (the open note, or several for bulk actions). */
  selection: ReadonlySet<string>
  onSelection(ids: ReadonlySet<string>): void
  onOpen(id: string): void
  /** Enter on a row: go to the open note's editor. */
  onEnter(): void
  onTrash(ids: readonly string[]): void
  onContextMenu(ids: readonly string[], at: { x: number; y: number }): void
  sort: NoteSort
  onSort(sort: NoteSort): void
  /** The search field, shown above the rows. */
  search: ReactNode
  /** Bulk actions when several notes are selected. */
  bulk: ReactNode
  /** Actions in the header (New note). */
  actions: ReactNode
  /** Narrow layout: back to navigation. */
  onBack?: (() => void) | undefined
  /** Row actions for trashed notes. */
  trashActions?: ((item: NoteItem) => ReactNode) | undefined
}

export function NoteList(props: Props) {
  const { items, trash, textOf, reach, refused, openId, selection, onSelection, onOpen } = props
  const scroller = useRef<HTMLDivElement | null>(null)
  const list = useRef<HTMLUListElement | null>(null)
  const { start, end, style } = useWindowedRows(items.length, scroller, list)
  const anchor = useRef<string | null>(null)
  /** A row to focus once it is rendered (keyboard moves may scroll it into the window first). */
  const [focusId, setFocusId] = useState<string | null>(null)
  const [now, setNow] = useState(Date.now)
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000)
    return () => clearInterval(timer)
  }, [])

  useLayoutEffect(() => {
    if (focusId === null) return
    const row = list.current?.querySelector<HTMLElement>(`[data-note-id="${CSS.escape(focusId)}"] .note-row`)
    if (row) {
      row.focus()
      row.scrollIntoView({ block: 'nearest' })
      setFocusId(null)
    }
  }, [focusId, start, end])

  const indexOf = (id: string | null): number => (id === null ? -1 : items.findIndex((item) => item.note.id === id))
  const range = (from: number, to: number): Set<string> => new Set(items.slice(Math.min(from, to), Math.max(from, to) + 1).map((item) => item.note.id))

  /** Brings row `index` into the rendered window and focuses it. */
  const reveal = (index: number): void => {
    const element = scroller.current
    const row = list.current?.firstElementChild as HTMLElement | null | undefined
    if (element && row && (index < start || index >= end)) element.scrollTop = index * row.offsetHeight - element.clientHeight / 2
    setFocusId(items[index]!.note.id)
  }

  const click = (event: MouseEvent, item: NoteItem): void => {
    const id = item.note.id
    if (event.shiftKey && anchor.current !== null) {
      onSelection(range(indexOf(anchor.current), indexOf(id)))
      return
    }
    if (event.metaKey || event.ctrlKey) {
      const next = new Set(selection)
      if (next.has(id)) next.delete(id)
      else next.add(id)
      anchor.current = id
      onSelection(next)
      return
    }
    anchor.current = id
    onOpen(id)
  }

  const keyDown = (event: KeyboardEvent): void => {
    const current = indexOf((document.activeElement?.closest('[data-note-id]') as HTMLElement | null)?.dataset.noteId ?? openId)
    const go = (index: number): void => {
      if (items.length === 0) return
      const target = Math.max(0, Math.min(items.length - 1, index))
      const id = items[target]!.note.id
      if (event.shiftKey) {
        if (anchor.current === null) anchor.current = items[Math.max(0, current)]?.note.id ?? id
        onSelection(range(indexOf(anchor.current), target))
      } else {
        anchor.current = id
        onOpen(id)
      }
      reveal(target)
    }
    const selected = (): string[] => (selection.size > 0 ? [...selection] : openId ? [openId] : [])
    switch (event.key) {
      case 'ArrowDown':
        go(current + 1)
        break
      case 'ArrowUp':
        go(current < 0 ? 0 : current - 1)
        break
      case 'Home':
        go(0)
        break
      case 'End':
        go(items.length - 1)
        break
      case 'Enter':
        props.onEnter()
        break
      case 'Delete':
      case 'Backspace':
        if (trash) return
        props.onTrash(selected())
        break
      case 'a':
        if (!(event.ctrlKey || event.metaKey)) return
        onSelection(new Set(items.map((item) => item.note.id)))
        break
      case 'ContextMenu':
      case 'F10': {
        if (event.key === 'F10' && !event.shiftKey) return
        const row = (document.activeElement as HTMLElement | null)?.getBoundingClientRect()
        props.onContextMenu(selected(), { x: row ? row.left + 24 : 0, y: row ? row.bottom : 0 })
        break
      }
      default:
        return
    }
    event.preventDefault()
  }

  return (
    <section className="pane list-pane" aria-label="Note list">
      <header className="pane-header">
        {props.onBack && (
          <button type="button" className="icon-button" aria-label="Back to folders" title="Back to folders" onClick={props.onBack}>
            ‹
          </button>
        )}
        <h2 className="pane-title" title={props.heading}>
          {props.heading}
        </h2>
        {props.actions}
      </header>
      {props.search}
      <div className="list-tools">
        <span className="list-count" aria-live="polite">
          {items.length === 1 ? '1 note' : `${items.length} notes`}
        </span>
        <label className="sort-field">
          <span className="visually-hidden">Sort by</span>
          <select className="select" aria-label="Sort by" value={props.sort} onChange={(event) => props.onSort(event.target.value as NoteSort)}>
            {Object.entries(SORT_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {props.bulk}
      <nav className="notes-nav" aria-label={trash ? 'Trash' : 'Notes'}>
        {trash && <p className="trash-hint">Notes in the trash keep their content on every device until deleted forever.</p>}
        <div className="list-scroll" ref={scroller}>
          {items.length === 0 ? (
            <p className="empty-list">{props.emptyText}</p>
          ) : (
            <ul className="notes-list" role="list" aria-label={trash ? 'Trashed notes' : 'Notes'} ref={list} style={style} onKeyDown={keyDown}>
              {items.slice(start, end).map((item) => {
                const { note } = item
                const title = displayTitle(note)
                const text = textOf(note.id)
                const state = noteSyncState(item.entity, reach, refused.get(note.id) ?? null)
                const when = modifiedAt(note, text)
                const isSelected = selection.has(note.id)
                return (
                  <li key={note.id} aria-label={title} data-sync={state} data-note-id={note.id} data-selected={isSelected || undefined} className={trash ? 'note-item trash-item' : 'note-item'}>
                    {/* The button holds only the title (its name); it covers the whole row (CSS), so a click anywhere opens the note. */}
                    <button
                      type="button"
                      className="note-row"
                      aria-description={`${note.pinned ? 'Pinned. ' : ''}${isSelected && selection.size > 1 ? 'Selected. ' : ''}${NOTE_SYNC_LABELS[state]}`}
                      aria-current={note.id === openId ? 'true' : undefined}
                      tabIndex={note.id === openId || (openId === null && item === items[0]) ? 0 : -1}
                      draggable={!trash}
                      onDragStart={(event) => {
                        const ids = isSelected && selection.size > 1 ? [...selection] : [note.id]
                        event.dataTransfer.setData(NOTES_DRAG_TYPE, JSON.stringify(ids))
                        event.dataTransfer.setData('text/plain', ids.length === 1 ? title : `${ids.length} notes`)
                        event.dataTransfer.effectAllowed = 'move'
                      }}
                      onClick={(event) => click(event, item)}
                      onContextMenu={(event) => {
                        event.preventDefault()
                        const ids = isSelected && selection.size > 1 ? [...selection] : [note.id]
                        if (!isSelected) onSelection(new Set([note.id]))
                        props.onContextMenu(ids, { x: event.clientX, y: event.clientY })
                      }}
                    >
                      {title}
                    </button>
                    <span className="note-row-marks">
                      {note.pinned && (
                        <span className="pin-mark" role="img" aria-label="Pinned">
                          ★
                        </span>
                      )}
                      <span className={`sync-dot sync-${state}`} role="img" aria-label={NOTE_SYNC_LABELS[state]} title={NOTE_SYNC_LABELS[state]} />
                    </span>
                    <span className="note-row-bottom" aria-hidden="true">
                      <time className="note-row-date" dateTime={new Date(when).toISOString()} title={exactDate(when)}>
                        {listDate(when, now)}
                      </time>
                      <span className="note-row-preview">{previewText(note.title, text?.text) || (note.tags.length > 0 ? note.tags.map((t) => `#${t}`).join(' ') : '')}</span>
                    </span>
                    {trash && props.trashActions?.(item)}
                  </li>
                )
              })}
            </ul>
          )}
        </div>
      </nav>
    </section>
  )
}
