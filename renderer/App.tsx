import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react'
import type { Workspace } from './workspace'
import type { RelayReach } from './catalog/sync-worker'
import { byNote, displayTitle, folderPath, globalStatus, notesFor, type FolderItem, type ListFilter } from './catalog/selectors'
import { NoteList } from './notes/NoteList'
import { NotePane, type NoteActions } from './notes/NotePane'
import { ReviewDialog } from './notes/ReviewDialog'
import { loadSelectedNote, saveSelectedNote } from './notes/selection'
import { loadSort, modifiedAt, saveSort, sortNotes, type NoteSort } from './notes/note-list'
import { localContentSnapshot } from './notes/note-snapshot'
import { SyncDetailsDialog } from './sync/SyncDetailsDialog'
import { useUnloadWarning } from './sync/unload-warning'
import { onAppCommand, onOpenNote, reportSyncState } from './platform'
import { useShell } from './shell/shell-context'
import { SearchPanel } from './search/SearchPanel'
import { TransferDialogs, type TransferOpen } from './transfer/TransferDialogs'
import { searchIndexerFor } from './search/workspace-search'
import type { FocusMatch } from './search/match-position'
import { NavPane, type Drop } from './nav/NavPane'
import { FolderPickerDialog } from './nav/FolderPickerDialog'
import { folderNameProblem, insideOf } from './nav/folder-name'
import { ConfirmDialog, PromptDialog } from './ui/Dialog'
import { Menu, type MenuEntry } from './ui/Menu'
import { Splitter } from './layout/Splitter'
import { StatusBar } from './layout/StatusBar'
import { NARROW_BELOW, fitted, loadLayout, resize, saveLayout, toggle, type PaneId, type PaneLayout } from './layout/pane-layout'
import { CommandPalette, type PaletteCommand, type PaletteNote } from './palette/CommandPalette'
import { fold } from './palette/fuzzy'
import { useProfile } from './presence/use-presence'
import { setNoteLinkHost } from './editor/note-link'
import { noteLinkHost } from './links/host'

const UNDO_MS = 10_000
const OFFLINE: RelayReach | null = null
const noReach = (): (() => void) => () => {}
const NO_SELECTION: ReadonlySet<string> = new Set()
const NO_TEXT = (): undefined => undefined

function useViewportWidth(): number {
  const [width, setWidth] = useState(() => window.innerWidth)
  useEffect(() => {
    const onResize = (): void => setWidth(window.innerWidth)
    window.addEventListener('resize', onResize)
    return () => window.removeEventListener('resize', onResize)
  }, [])
  return width
}

type FolderDialog = { kind: 'create'; parentId: string | null } | { kind: 'rename'; item: FolderItem } | { kind: 'delete'; item: FolderItem }
type ContextMenu = { label: string; items: MenuEntry[]; at: { x: number; y: number } }
/** Narrow windows show one pane at a time. */
type NarrowView = 'nav' | 'list' | 'note'

export function App({ workspace }: { workspace: Workspace }) {
  const { catalog, registry } = workspace
  const snapshot = useSyncExternalStore(catalog.subscribe, catalog.getSnapshot)
  const reach = useSyncExternalStore(workspace.reach?.subscribe ?? noReach, workspace.reach?.get ?? (() => OFFLINE))
  const [filter, setFilter] = useState<ListFilter>({ kind: 'all' })
  const [selected, setSelected] = useState<string | null>(loadSelectedNote)
  const [selection, setSelection] = useState<ReadonlySet<string>>(NO_SELECTION)
  /** The note just created here: its editor takes the focus when it mounts. */
  const [created, setCreated] = useState<string | null>(null)
  const [undo, setUndo] = useState<{ ids: readonly string[]; title: string } | null>(null)
  const [details, setDetails] = useState(false)
  const [palette, setPalette] = useState(false)
  const [transfer, setTransfer] = useState<TransferOpen>(null)
  const [reviewing, setReviewing] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [folderDialog, setFolderDialog] = useState<FolderDialog | null>(null)
  const [moving, setMoving] = useState<readonly string[] | null>(null)
  const [movingFolder, setMovingFolder] = useState<FolderItem | null>(null)
  const [tagging, setTagging] = useState<readonly string[] | null>(null)
  const [deleting, setDeleting] = useState<string | null>(null)
  const [menu, setMenu] = useState<ContextMenu | null>(null)
  const [sort, setSort] = useState<NoteSort>(loadSort)
  const [layout, setLayout] = useState<PaneLayout>(loadLayout)
  const [narrowView, setNarrowView] = useState<NarrowView>(selected ? 'note' : 'list')
  const viewport = useViewportWidth()
  const narrow = viewport < NARROW_BELOW
  const profile = useProfile()
  const searchIndexer = useMemo(() => searchIndexerFor(workspace), [workspace])
  const searchField = useRef<HTMLInputElement>(null)
  /** The search match to select once the note opens (a new object per click). */
  const [focusMatch, setFocusMatch] = useState<{ id: string; match: FocusMatch } | null>(null)

  const roomRefusals = useSyncExternalStore(registry.refusals.subscribe, registry.refusals.get)
  const refused = useMemo(() => byNote(roomRefusals, snapshot), [roomRefusals, snapshot])
  const failedRooms = useSyncExternalStore(registry.failedSaves.subscribe, registry.failedSaves.get)
  const unsavedNotes = useMemo(() => byNote(failedRooms, snapshot).size, [failedRooms, snapshot])
  const attachmentRows = useSyncExternalStore(workspace.attachments.rows.subscribe, workspace.attachments.rows.get)
  const files = useMemo(() => ({ waiting: attachmentRows.filter((r) => r.status === 'waiting' || r.status === 'uploading').length, refused: attachmentRows.filter((r) => r.status === 'refused').length }), [attachmentRows])
  const status = useMemo(() => globalStatus(snapshot, reach, refused.size, unsavedNotes, files), [snapshot, reach, refused, unsavedNotes, files])
  // With no relay configured nothing is ever "pending": everything is where it will stay.
  const unsynced = reach === null ? 0 : status.unsent
  // The unsaved count goes up and down with every keystroke (for the few ms IndexedDB takes), so
  // it is read by the warnings as it changes, never rendered: typing must not re-render the app.
  useUnloadWarning(unsynced, workspace.registry.unsavedDocs)
  const { openSettings } = useShell()
  useEffect(() => {
    const { unsavedDocs } = workspace.registry
    const report = (): void => reportSyncState({ unsaved: unsavedDocs.get(), pending: unsynced })
    report()
    return unsavedDocs.subscribe(report)
  }, [workspace, unsynced])

  // The list's previews and dates come from the search index; a new revision re-reads them.
  const textRevision = useSyncExternalStore(searchIndexer.changes.subscribe, searchIndexer.changes.get)
  // eslint-disable-next-line react-hooks/exhaustive-deps -- textRevision: the index changed in place
  const textOf = useCallback((id: string) => searchIndexer.index.get(id), [searchIndexer, textRevision])
  // Only the "modified" order reads the index; the others are not re-sorted each time a note is re-indexed.
  const sortText = sort === 'modified' ? textOf : undefined
  const list = useMemo(() => sortNotes(notesFor(snapshot, filter), sort, sortText ?? NO_TEXT), [snapshot, filter, sort, sortText])
  const current = selected ? catalog.get('note', selected) : undefined
  const currentNote = current?.view?.type === 'note' && !current.view.deleted ? current.view : null

  useEffect(() => {
    if (!undo) return
    const timer = setTimeout(() => setUndo(null), UNDO_MS)
    return () => clearTimeout(timer)
  }, [undo])

  /** Every action goes through here: a failed local write is shown, never swallowed. */
  const act = (work: () => Promise<unknown>): void => {
    work().catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)))
  }

  const select = (id: string | null): void => {
    // Leaving a new note nobody touched drops it (docs/sync-rules.md, "Empty notes").
    if (selected !== null && selected !== id) act(() => catalog.discardIfUntouched(selected))
    setCreated(null)
    setSelected(id)
    setSelection(id === null ? NO_SELECTION : new Set([id]))
    saveSelectedNote(id)
    if (id !== null) setNarrowView('note')
  }

  const chooseFilter = (next: ListFilter): void => {
    setFilter(next)
    setSelection(NO_SELECTION)
  }

  const create = (): void =>
    act(async () => {
      const folderId = filter.kind === 'folder' ? filter.id : null
      const id = await catalog.createNote({ folderId, tags: filter.kind === 'tag' ? [filter.tag] : [], draft: true })
      if (filter.kind !== 'folder' && filter.kind !== 'tag') setFilter({ kind: 'all' })
      select(id)
      setCreated(id)
    })

  const titleOf = (id: string): string => {
    const view = catalog.get('note', id)?.view
    return view?.type === 'note' ? displayTitle(view) : ''
  }

  const trash = (ids: readonly string[]): void =>
    act(async () => {
      if (ids.length === 0) return
      const gone = new Set(ids)
      const position = list.findIndex((item) => gone.has(item.note.id))
      const neighbour = list.slice(position).find((item) => !gone.has(item.note.id)) ?? list.slice(0, position).reverse().find((item) => !gone.has(item.note.id)) ?? null
      const title = ids.length === 1 ? `“${titleOf(ids[0]!)}”` : `${ids.length} notes`
      await catalog.trashNotes(ids, (id) => localContentSnapshot(registry, id))
      if (selected !== null && gone.has(selected)) select(neighbour?.note.id ?? null)
      else setSelection(NO_SELECTION)
      setUndo({ ids, title })
    })

  const restore = (ids: readonly string[]): void =>
    act(async () => {
      for (const id of ids) await catalog.restoreNote(id)
      setUndo((u) => (u && u.ids.every((id) => ids.includes(id)) ? null : u))
    })

  const deleteForever = (id: string): void =>
    act(async () => {
      await catalog.deleteNoteForever(id, await localContentSnapshot(registry, id))
      if (selected === id) select(null)
      setUndo((u) => (u?.ids.includes(id) ? null : u))
    })

  const moveNotes = (ids: readonly string[], folderId: string | null): void => act(() => catalog.moveNotes(ids, folderId))
  const tagNotes = (ids: readonly string[], tag: string): void => act(() => catalog.tagNotes(ids, tag))

  const noteActions: NoteActions = {
    onTrash: (id) => trash([id]),
    onRestore: (id) => restore([id]),
    onDeleteForever: setDeleting,
    onMove: setMoving,
    onExport: (id) => setTransfer({ kind: 'export', noteId: id }),
    onOpen: (id) => openNote(id),
  }

  const noteMenu = (ids: readonly string[], at: { x: number; y: number }): void => {
    if (ids.length === 0) return
    const one = ids.length === 1 ? ids[0]! : null
    const view = one ? catalog.get('note', one)?.view : null
    const note = view?.type === 'note' ? view : null
    const items: MenuEntry[] =
      filter.kind === 'trash'
        ? [
            { label: ids.length > 1 ? `Restore ${ids.length} notes` : 'Restore', onSelect: () => restore(ids) },
            ...(one ? [{ label: 'Delete forever…', danger: true, onSelect: () => setDeleting(one) }] : []),
          ]
        : [
            ...(one ? [{ label: 'Open', onSelect: () => select(one) }] : []),
            ...(note ? [{ label: note.pinned ? 'Unpin' : 'Pin', onSelect: () => act(() => catalog.pinNote(note.id, !note.pinned)) }] : []),
            { label: 'Move to folder…', onSelect: () => setMoving(ids) },
            { label: 'Add tag…', onSelect: () => setTagging(ids) },
            ...(one ? [{ label: 'Export…', onSelect: () => setTransfer({ kind: 'export', noteId: one }) }] : []),
            'separator' as const,
            { label: ids.length > 1 ? `Move ${ids.length} notes to trash` : 'Move to trash', danger: true, onSelect: () => trash(ids) },
          ]
    setMenu({ label: ids.length > 1 ? `Actions for ${ids.length} notes` : `Actions for ${titleOf(ids[0]!)}`, items, at })
  }

  const folderMenu = (item: FolderItem, at: { x: number; y: number }): void =>
    setMenu({
      label: `Actions for folder ${item.folder.name}`,
      at,
      items: [
        { label: 'New note here', onSelect: () => act(async () => select(await catalog.createNote({ folderId: item.folder.id }))) },
        { label: 'New subfolder…', onSelect: () => setFolderDialog({ kind: 'create', parentId: item.folder.id }) },
        { label: 'Rename…', onSelect: () => setFolderDialog({ kind: 'rename', item }) },
        { label: 'Move to…', onSelect: () => setMovingFolder(item) },
        'separator',
        { label: 'Delete folder…', danger: true, onSelect: () => setFolderDialog({ kind: 'delete', item }) },
      ],
    })

  const dropped = (drop: Drop, folderId: string | null): void => {
    if (drop.kind === 'notes') moveNotes(drop.ids, folderId)
    else if (drop.id !== folderId) act(() => catalog.moveFolder(drop.id, folderId))
  }

  const updateLayout = (next: PaneLayout): void => {
    setLayout(next)
    saveLayout(next)
  }
  const togglePane = (pane: PaneId): void => updateLayout(toggle(layout, pane))

  const openNote = (id: string): void => {
    if (catalog.get('note', id)?.view) {
      const view = catalog.get('note', id)!.view!
      if (view.type === 'note' && view.trashed && filter.kind !== 'trash') chooseFilter({ kind: 'trash' })
      else if (view.type === 'note' && !view.trashed && filter.kind === 'trash') chooseFilter({ kind: 'all' })
      select(id)
    } else setError('That note is not on this device (yet). It appears once it syncs.')
  }

  /** Into the open note's editor; the note may have been chosen a moment ago and still be loading. */
  const focusEditor = (): void => {
    let frames = 180 // about 3 s
    const attempt = (): void => {
      const editor = document.querySelector<HTMLElement>('.note-pane .ProseMirror[contenteditable="true"]')
      if (editor) editor.focus()
      else if (--frames > 0) requestAnimationFrame(attempt)
    }
    attempt()
  }

  const commands: PaletteCommand[] = [
    { id: 'new-note', label: 'New note', shortcut: 'Ctrl+N', run: create },
    { id: 'new-folder', label: 'New folder…', run: () => setFolderDialog({ kind: 'create', parentId: filter.kind === 'folder' ? filter.id : null }) },
    { id: 'search', label: 'Search notes', shortcut: 'Ctrl+Shift+F', run: () => setTimeout(() => searchField.current?.select(), 0) },
    { id: 'all-notes', label: 'Show all notes', run: () => chooseFilter({ kind: 'all' }) },
    { id: 'trash', label: 'Show trash', run: () => chooseFilter({ kind: 'trash' }) },
    { id: 'sync-details', label: 'Sync details', shortcut: 'Ctrl+Shift+D', run: () => setDetails(true) },
    { id: 'settings', label: 'Settings', shortcut: 'Ctrl+,', run: openSettings },
    { id: 'import', label: 'Import Markdown…', run: () => setTransfer({ kind: 'import' }) },
    { id: 'export', label: 'Export notes…', run: () => setTransfer({ kind: 'export', noteId: currentNote?.id ?? null }) },
    { id: 'toggle-nav', label: layout.navCollapsed ? 'Show sidebar' : 'Hide sidebar', run: () => togglePane('nav') },
    { id: 'toggle-list', label: layout.listCollapsed ? 'Show note list' : 'Hide note list', run: () => togglePane('list') },
    ...(['modified', 'created', 'title'] as const).map((by) => ({ id: `sort-${by}`, label: `Sort notes by ${by === 'title' ? 'title' : `date ${by}`}`, run: () => changeSort(by) })),
    ...(currentNote
      ? [
          { id: 'focus-editor', label: 'Go to editor', run: () => setTimeout(focusEditor, 0) },
          { id: 'pin', label: currentNote.pinned ? 'Unpin note' : 'Pin note', run: () => act(() => catalog.pinNote(currentNote.id, !currentNote.pinned)) },
          { id: 'move', label: 'Move note to folder…', run: () => setMoving([currentNote.id]) },
          { id: 'tag', label: 'Add tag to note…', run: () => setTagging([currentNote.id]) },
          currentNote.trashed
            ? { id: 'restore', label: 'Restore note', run: () => restore([currentNote.id]) }
            : { id: 'trash-note', label: 'Move note to trash', run: () => trash([currentNote.id]) },
        ]
      : []),
  ]
  // Only while the palette is open: sorting every note again on each catalog or index change
  // costs tens of ms with thousands of notes, and those changes come while the writer types.
  const paletteNotes = useMemo<PaletteNote[]>(
    () =>
      !palette
        ? []
        : notesFor(snapshot, { kind: 'all' })
        .sort((a, b) => modifiedAt(b.note, textOf(b.note.id)) - modifiedAt(a.note, textOf(a.note.id)))
        .map(({ note }) => ({ id: note.id, title: displayTitle(note), folded: fold(displayTitle(note)), where: note.folderId ? (folderPath(snapshot, note.folderId) ?? '') : '' })),
    [palette, snapshot, textOf],
  )

  function changeSort(next: NoteSort): void {
    setSort(next)
    saveSort(next)
  }

  // The menu's commands (desktop) and their shortcuts (browser too); refs keep the latest handlers.
  const handlers = useRef({ create, openDetails: () => setDetails(true), open: (_id: string) => {} })
  useEffect(() => {
    handlers.current = { create, openDetails: () => setDetails(true), open: openNote }
  })
  useEffect(
    () =>
      onAppCommand((command) => {
        if (command === 'new-note') handlers.current.create()
        else if (command === 'sync-details') handlers.current.openDetails()
        else if (command === 'command-palette') setPalette(true)
        else if (command === 'search') {
          setNarrowView('list')
          setTimeout(() => searchField.current?.select(), 0)
        }
      }),
    [],
  )
  useEffect(() => onOpenNote((id) => handlers.current.open(id)), [])
  // Links between notes resolve against this catalog and open through the same command.
  useEffect(() => setNoteLinkHost(noteLinkHost(catalog, (id) => handlers.current.open(id))), [catalog])
  // Ctrl/Cmd+K opens the palette too, except in the editor, where it makes a link.
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if ((event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey && event.code === 'KeyK' && !(event.target as HTMLElement | null)?.closest?.('.ProseMirror')) {
        event.preventDefault()
        setPalette(true)
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  const heading =
    filter.kind === 'all'
      ? 'All notes'
      : filter.kind === 'folder'
        ? folderPath(snapshot, filter.id) || 'Folder'
        : filter.kind === 'tag'
          ? `#${filter.tag}`
          : filter.kind === 'trash'
            ? 'Trash'
            : 'Needs review'
  const emptyText = filter.kind === 'all' ? 'No notes yet.' : filter.kind === 'review' ? 'Nothing needs review.' : filter.kind === 'trash' ? 'The trash is empty.' : 'No notes here.'
  const widths = fitted(layout, viewport)
  const show = (pane: NarrowView): boolean => !narrow || narrowView === pane

  const notice = (
    <div className="notices">
      {undo && (
        <div className="toast" role="status" aria-label="Undo trash">
          <span className="toast-text">{undo.title} moved to trash.</span>
          <button
            type="button"
            className="button small"
            onClick={() => {
              restore(undo.ids)
              if (undo.ids.length === 1) select(undo.ids[0]!)
            }}
          >
            Undo
          </button>
        </div>
      )}
      {error && (
        <div className="toast error" role="alert" aria-label="Error">
          <span className="toast-text">{error}</span>
          <button type="button" className="button small" onClick={() => setError(null)}>
            Dismiss
          </button>
        </div>
      )}
    </div>
  )

  const bulk =
    selection.size > 1 ? (
      <div className="bulk-bar" role="toolbar" aria-label="Selected notes">
        <span className="bulk-count">{selection.size} selected</span>
        {filter.kind === 'trash' ? (
          <button type="button" className="button small" onClick={() => restore([...selection])}>
            Restore
          </button>
        ) : (
          <>
            <button type="button" className="button small" onClick={() => setMoving([...selection])}>
              Move…
            </button>
            <button type="button" className="button small" onClick={() => setTagging([...selection])}>
              Tag…
            </button>
            <button type="button" className="button small subtle" onClick={() => trash([...selection])}>
              Trash
            </button>
          </>
        )}
        <button type="button" className="icon-button small" aria-label="Clear selection" title="Clear selection" onClick={() => setSelection(currentNote ? new Set([currentNote.id]) : NO_SELECTION)}>
          ×
        </button>
      </div>
    ) : null

  return (
    <div className="app" data-layout={narrow ? 'narrow' : 'wide'} data-view={narrow ? narrowView : undefined}>
      <div className="panes">
        {show('nav') && (narrow || widths.nav > 0) && (
          <div className="pane-slot" style={narrow ? undefined : { width: widths.nav }}>
            <NavPane
              snapshot={snapshot}
              filter={filter}
              onFilter={chooseFilter}
              onNewFolder={(parentId) => setFolderDialog({ kind: 'create', parentId })}
              onFolderMenu={folderMenu}
              onDrop={dropped}
              onDropOnTrash={(ids) => trash(ids)}
              transfer={
                <div className="transfer-actions">
                  <button type="button" className="button subtle-plain small" onClick={() => setTransfer({ kind: 'import' })}>
                    Import…
                  </button>
                  <button type="button" className="button subtle-plain small" onClick={() => setTransfer({ kind: 'export', noteId: currentNote?.id ?? null })}>
                    Export…
                  </button>
                </div>
              }
              onChosen={narrow ? () => setNarrowView('list') : undefined}
              onCollapse={narrow ? undefined : () => togglePane('nav')}
            />
          </div>
        )}
        {!narrow && <Splitter pane="nav" label="Resize sidebar" width={layout.nav} collapsed={widths.nav === 0} onResize={(w) => updateLayout(resize({ ...layout, navCollapsed: false }, 'nav', w))} onToggle={() => togglePane('nav')} />}
        {show('list') && (narrow || widths.list > 0) && (
          <div className="pane-slot" style={narrow ? undefined : { width: widths.list }}>
            <NoteList
              heading={heading}
              items={list}
              trash={filter.kind === 'trash'}
              emptyText={emptyText}
              textOf={textOf}
              reach={reach}
              refused={refused}
              openId={currentNote?.id ?? null}
              selection={selection}
              onSelection={setSelection}
              onOpen={(id) => {
                const entity = snapshot.entities.get(`note:${id}`)
                if (entity?.sync === 'conflicted' && filter.kind === 'review') setReviewing(entity.key)
                else select(id)
              }}
              onEnter={focusEditor}
              onTrash={trash}
              onContextMenu={noteMenu}
              sort={sort}
              onSort={changeSort}
              onBack={narrow ? () => setNarrowView('nav') : undefined}
              actions={
                <>
                  {!narrow && widths.nav === 0 && (
                    <button type="button" className="icon-button" aria-label="Show sidebar" title="Show sidebar" onClick={() => togglePane('nav')}>
                      »
                    </button>
                  )}
                  {filter.kind !== 'trash' && (
                    <button type="button" className="button primary small" onClick={create}>
                      New note
                    </button>
                  )}
                </>
              }
              bulk={bulk}
              trashActions={(item) => (
                <span className="trash-item-actions">
                  <button type="button" className="button small" aria-label={`Restore: ${displayTitle(item.note)}`} onClick={() => restore([item.note.id])}>
                    Restore
                  </button>
                  <button type="button" className="button small subtle" aria-label={`Delete forever: ${displayTitle(item.note)}`} onClick={() => setDeleting(item.note.id)}>
                    Delete forever
                  </button>
                </span>
              )}
              search={
                <SearchPanel
                  indexer={searchIndexer}
                  inputRef={searchField}
                  onOpen={(hit) => {
                    openNote(hit.id)
                    setFocusMatch(hit.match ? { id: hit.id, match: hit.match } : null)
                  }}
                />
              }
            />
          </div>
        )}
        {!narrow && <Splitter pane="list" label="Resize note list" width={layout.list} collapsed={widths.list === 0} onResize={(w) => updateLayout(resize({ ...layout, listCollapsed: false }, 'list', w))} onToggle={() => togglePane('list')} />}
        {show('note') && (
          <div className="pane-slot note-slot">
            {current && currentNote ? (
              <NotePane
                key={current.id}
                workspace={workspace}
                entity={current}
                note={currentNote}
                snapshot={snapshot}
                reach={reach}
                refusal={refused.get(current.id) ?? null}
                autoFocus={current.id === created}
                act={act}
                actions={noteActions}
                onReview={() => setReviewing(current.key)}
                onBack={narrow ? () => setNarrowView('list') : undefined}
                focusMatch={focusMatch?.id === current.id ? focusMatch.match : null}
              />
            ) : (
              <main className="pane note-pane empty" aria-label="No note selected">
                {narrow && (
                  <button type="button" className="button subtle-plain" onClick={() => setNarrowView('list')}>
                    ‹ Notes
                  </button>
                )}
                <p>{list.length === 0 && filter.kind === 'all' ? 'Create your first note.' : 'Select a note, or create a new one.'}</p>
                <button type="button" className="button primary" onClick={create}>
                  Create a note
                </button>
                {profile && (
                  <p className="identity-hint">
                    Collaborators see you as <span className="identity-dot" style={{ background: profile.color }} aria-hidden="true" /> <strong>{profile.name}</strong>.{' '}
                    <button type="button" className="link-button" onClick={openSettings}>
                      Change
                    </button>
                  </p>
                )}
              </main>
            )}
          </div>
        )}
      </div>
      {notice}
      <StatusBar status={status} profile={profile} onOpenDetails={() => setDetails(true)} onOpenSettings={openSettings} onOpenPalette={() => setPalette(true)} />
      {menu && <Menu label={menu.label} items={menu.items} at={menu.at} onClose={() => setMenu(null)} />}
      {palette && <CommandPalette commands={commands} notes={paletteNotes} onOpenNote={openNote} onClose={() => setPalette(false)} />}
      <TransferDialogs workspace={workspace} open={transfer} folderId={filter.kind === 'folder' ? filter.id : null} onClose={() => setTransfer(null)} />
      {details && <SyncDetailsDialog snapshot={snapshot} reach={reach} refused={refused} catalog={catalog} attachments={workspace.attachments} onRetry={workspace.kick} onClose={() => setDetails(false)} act={act} />}
      {reviewing && snapshot.entities.get(reviewing) && (
        <ReviewDialog entity={snapshot.entities.get(reviewing)!} snapshot={snapshot} catalog={catalog} act={act} onClose={() => setReviewing(null)} />
      )}
      {moving && (
        <FolderPickerDialog
          title={moving.length === 1 ? `Move “${titleOf(moving[0]!)}” to…` : `Move ${moving.length} notes to…`}
          snapshot={snapshot}
          current={moving.length === 1 ? ((catalog.get('note', moving[0]!)?.view as { folderId?: string | null } | null)?.folderId ?? null) : null}
          onCancel={() => setMoving(null)}
          onPick={(folderId) => {
            moveNotes(moving, folderId)
            setMoving(null)
          }}
        />
      )}
      {movingFolder && (
        <FolderPickerDialog
          title={`Move folder “${movingFolder.folder.name}” to…`}
          snapshot={snapshot}
          current={movingFolder.folder.parentId}
          excluded={insideOf(snapshot, movingFolder.folder.id)}
          onCancel={() => setMovingFolder(null)}
          onPick={(parentId) => {
            act(() => catalog.moveFolder(movingFolder.folder.id, parentId))
            setMovingFolder(null)
          }}
        />
      )}
      {tagging && (
        <PromptDialog
          title={tagging.length === 1 ? `Add a tag to “${titleOf(tagging[0]!)}”` : `Add a tag to ${tagging.length} notes`}
          label="Tag"
          initialValue=""
          submitLabel="Add tag"
          validate={(tag) => (tag.trim().replace(/^#/, '') === '' ? 'Enter a tag.' : null)}
          onCancel={() => setTagging(null)}
          onSubmit={(tag) => {
            tagNotes(tagging, tag.replace(/^#/, ''))
            setTagging(null)
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title="Delete this note forever?"
          message={`“${titleOf(deleting)}” will be erased from this device and removed from every device's trash. This cannot be undone. (If another device has edits that were not seen here, the note comes back with them.)`}
          confirmLabel="Delete forever"
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            deleteForever(deleting)
            setDeleting(null)
          }}
        />
      )}
      {folderDialog?.kind === 'create' && (
        <PromptDialog
          title={folderDialog.parentId ? `New folder in “${folderPath(snapshot, folderDialog.parentId)}”` : 'New folder'}
          label="Name"
          initialValue=""
          submitLabel="Create"
          validate={(name) => folderNameProblem(snapshot, name, folderDialog.parentId, null)}
          onCancel={() => setFolderDialog(null)}
          onSubmit={(name) => {
            act(() => catalog.createFolder(name, folderDialog.parentId))
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
          validate={(name) => folderNameProblem(snapshot, name, folderDialog.item.folder.parentId, folderDialog.item.folder.id)}
          onCancel={() => setFolderDialog(null)}
          onSubmit={(name) => {
            act(() => catalog.renameFolder(folderDialog.item.folder.id, name))
            setFolderDialog(null)
          }}
        />
      )}
      {folderDialog?.kind === 'delete' && (
        <ConfirmDialog
          title={`Delete folder “${folderDialog.item.folder.name}”?`}
          message="The folder goes away; the notes and folders in it are kept and move up one level."
          confirmLabel="Delete folder"
          onCancel={() => setFolderDialog(null)}
          onConfirm={() => {
            const id = folderDialog.item.folder.id
            act(async () => {
              await catalog.deleteFolder(id)
              if (filter.kind === 'folder' && filter.id === id) setFilter({ kind: 'all' })
            })
            setFolderDialog(null)
          }}
        />
      )}
    </div>
  )
}
