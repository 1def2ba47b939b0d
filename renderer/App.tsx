import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react'
import type { Workspace } from './workspace'
import type { RelayReach } from './catalog/sync-worker'
import { byNote, displayTitle, globalStatus, notesFor, type ListFilter } from './catalog/selectors'
import { NotesSidebar } from './notes/NotesSidebar'
import { NotePane } from './notes/NotePane'
import { ReviewDialog } from './notes/ReviewDialog'
import { loadSelectedNote, saveSelectedNote } from './notes/selection'
import { localContentSnapshot } from './notes/note-snapshot'
import { SyncDetailsDialog } from './sync/SyncDetailsDialog'
import { useUnloadWarning } from './sync/unload-warning'
import { onAppCommand, onOpenNote, reportSyncState } from './platform'
import { useShell } from './shell/shell-context'
import { SearchPanel } from './search/SearchPanel'
import { TransferMenu } from './transfer/TransferMenu'
import { searchIndexerFor } from './search/workspace-search'
import type { FocusMatch } from './search/match-position'

const UNDO_MS = 10_000
const OFFLINE: RelayReach | null = null
const noReach = (): (() => void) => () => {}

export function App({ workspace }: { workspace: Workspace }) {
  const { catalog, registry } = workspace
  const snapshot = useSyncExternalStore(catalog.subscribe, catalog.getSnapshot)
  const reach = useSyncExternalStore(workspace.reach?.subscribe ?? noReach, workspace.reach?.get ?? (() => OFFLINE))
  const [filter, setFilter] = useState<ListFilter>({ kind: 'all' })
  const [selected, setSelected] = useState<string | null>(loadSelectedNote)
  /** The note just created here: its title field takes the focus when it mounts. */
  const [created, setCreated] = useState<string | null>(null)
  const [undo, setUndo] = useState<{ id: string; title: string } | null>(null)
  const [details, setDetails] = useState(false)
  const [reviewing, setReviewing] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const searchIndexer = useMemo(() => searchIndexerFor(workspace), [workspace])
  const searchField = useRef<HTMLInputElement>(null)
  /** The search match to select once the note opens (a new object per click). */
  const [focusMatch, setFocusMatch] = useState<{ id: string; match: FocusMatch } | null>(null)

  const roomRefusals = useSyncExternalStore(registry.refusals.subscribe, registry.refusals.get)
  const refused = useMemo(() => byNote(roomRefusals, snapshot), [roomRefusals, snapshot])
  const failedRooms = useSyncExternalStore(registry.failedSaves.subscribe, registry.failedSaves.get)
  const unsavedNotes = useMemo(() => byNote(failedRooms, snapshot).size, [failedRooms, snapshot])
  const status = useMemo(() => globalStatus(snapshot, reach, refused.size, unsavedNotes), [snapshot, reach, refused, unsavedNotes])
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
  const list = useMemo(() => notesFor(snapshot, filter), [snapshot, filter])
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
    setCreated(null)
    setSelected(id)
    saveSelectedNote(id)
  }

  const create = (): void =>
    act(async () => {
      const folderId = filter.kind === 'folder' ? filter.id : null
      const id = await catalog.createNote({ folderId, tags: filter.kind === 'tag' ? [filter.tag] : [] })
      if (filter.kind !== 'folder' && filter.kind !== 'tag') setFilter({ kind: 'all' })
      select(id)
      setCreated(id)
    })

  const trash = (id: string): void =>
    act(async () => {
      const view = catalog.get('note', id)?.view
      const title = view?.type === 'note' ? displayTitle(view) : ''
      const position = list.findIndex((item) => item.note.id === id)
      const neighbour = list[position + 1] ?? list[position - 1] ?? null
      await catalog.trashNote(id, await localContentSnapshot(registry, id))
      if (selected === id) select(neighbour?.note.id ?? null)
      setUndo({ id, title })
    })

  const restore = (id: string): void =>
    act(async () => {
      await catalog.restoreNote(id)
      if (undo?.id === id) setUndo(null)
    })

  const deleteForever = (id: string): void =>
    act(async () => {
      await catalog.deleteNoteForever(id, await localContentSnapshot(registry, id))
      if (selected === id) select(null)
      if (undo?.id === id) setUndo(null)
    })

  // The menu's commands (desktop) and their shortcuts (browser too); refs keep the latest handlers.
  const commands = useRef({ create, openDetails: () => setDetails(true), open: (_id: string) => {} })
  useEffect(() => {
    commands.current = {
      create,
      openDetails: () => setDetails(true),
      open: (id) => {
        if (catalog.get('note', id)?.view) {
          setFilter({ kind: 'all' })
          select(id)
        } else setError('That note is not on this device (yet). It appears once it syncs.')
      },
    }
  })
  useEffect(
    () =>
      onAppCommand((command) => {
        if (command === 'new-note') commands.current.create()
        else if (command === 'sync-details') commands.current.openDetails()
        else if (command === 'search') searchField.current?.select()
      }),
    [],
  )
  useEffect(() => onOpenNote((id) => commands.current.open(id)), [])

  const notice = (
    <>
      {undo && (
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
      )}
      {error && (
        <div className="toast error" role="alert" aria-label="Error">
          <span className="toast-text">{error}</span>
          <button type="button" className="button small" onClick={() => setError(null)}>
            Dismiss
          </button>
        </div>
      )}
    </>
  )

  return (
    <div className="app">
      <NotesSidebar
        snapshot={snapshot}
        reach={reach}
        refused={refused}
        list={list}
        filter={filter}
        onFilter={setFilter}
        selectedId={currentNote?.id ?? null}
        onSelect={select}
        onCreate={create}
        onCreateFolder={(name) => act(() => catalog.createFolder(name))}
        onRenameFolder={(id, name) => act(() => catalog.renameFolder(id, name))}
        onDeleteFolder={(id) =>
          act(async () => {
            await catalog.deleteFolder(id)
            if (filter.kind === 'folder' && filter.id === id) setFilter({ kind: 'all' })
          })
        }
        onRestore={restore}
        onDeleteForever={deleteForever}
        onReview={setReviewing}
        notice={notice}
        status={status}
        onOpenDetails={() => setDetails(true)}
        onOpenSettings={openSettings}
        transfer={<TransferMenu workspace={workspace} noteId={currentNote?.id ?? null} folderId={filter.kind === 'folder' ? filter.id : null} />}
        search={
          <SearchPanel
            indexer={searchIndexer}
            inputRef={searchField}
            onOpen={(hit) => {
              select(hit.id)
              setFocusMatch(hit.match ? { id: hit.id, match: hit.match } : null)
            }}
          />
        }
      />
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
          onTrash={trash}
          onRestore={restore}
          onReview={() => setReviewing(current.key)}
          focusMatch={focusMatch?.id === current.id ? focusMatch.match : null}
        />
      ) : (
        <main className="note-pane empty" aria-label="No note selected">
          <p>{list.length === 0 && filter.kind === 'all' ? 'Create your first note.' : 'Select a note, or create a new one.'}</p>
          <button type="button" className="button primary" onClick={create}>
            New note
          </button>
        </main>
      )}
      {details && <SyncDetailsDialog snapshot={snapshot} reach={reach} refused={refused} catalog={catalog} attachments={workspace.attachments} onRetry={workspace.kick} onClose={() => setDetails(false)} act={act} />}
      {reviewing && snapshot.entities.get(reviewing) && (
        <ReviewDialog entity={snapshot.entities.get(reviewing)!} snapshot={snapshot} catalog={catalog} act={act} onClose={() => setReviewing(null)} />
      )}
    </div>
  )
}
