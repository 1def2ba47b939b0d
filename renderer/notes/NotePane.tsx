import { Suspense, useEffect, useRef, useState, useSyncExternalStore } from 'react'
import type { NoteRecord } from '../../protocol/meta/types'
import { LIMITS } from '../../protocol/meta/parse'
import { noteRoom } from '../../protocol/rooms'
import type { CatalogSnapshot } from '../catalog/catalog'
import type { LocalEntity } from '../catalog/outbox'
import type { RelayReach } from '../catalog/sync-worker'
import { NOTE_SYNC_LABELS, PATH_SEPARATOR, REFUSAL_REASONS, folderItems, noteSyncState } from '../catalog/selectors'
import { MenuButton, type MenuEntry } from '../ui/Menu'
import { Backlinks } from '../links/Backlinks'
import type { Refusal } from '../sync/connection-status'
import type { DocHandle } from '../sync/doc-registry'
import { useDocHandle, useLocalSave } from '../sync/hooks'
import type { Workspace } from '../workspace'
import { NoteEditor } from '../editor/NoteEditor'
import { SchemaGuarded } from '../editor/SchemaGuarded'
import { WordCount } from '../editor/WordCount'
import { AUTO_TITLE_IDLE_MS, UNTITLED, autoTitleFrom } from './title'
import { WhoIsHere } from '../presence/WhoIsHere'
import { HistoryButton } from '../history/HistoryPanel'
import type { FocusMatch } from '../search/match-position'

interface Props {
  workspace: Workspace
  entity: LocalEntity
  note: NoteRecord
  snapshot: CatalogSnapshot
  reach: RelayReach | null
  /** Why the relay refuses this note's connection, if it does. */
  refusal: Refusal | null
  /** Put the caret in the editor once it is ready (a note just created). */
  autoFocus: boolean
  act(work: () => Promise<unknown>): void
  actions: NoteActions
  onReview(): void
  /** Narrow layout: back to the list. */
  onBack?: (() => void) | undefined
  /** A search match to select in the editor (see NoteEditor). */
  focusMatch?: FocusMatch | null
}

/** "Saving…" until IndexedDB has every local change; then the note's sync state. */
function SyncLabel({ handle, entity, reach, refusal }: { handle: DocHandle; entity: LocalEntity; reach: RelayReach | null; refusal: Refusal | null }) {
  const local = useLocalSave(handle)
  const saveError = useSyncExternalStore(handle.localSave.error.subscribe, handle.localSave.error.get)
  const state = noteSyncState(entity, reach, refusal)
  if (local === 'failed')
    return (
      <span className="save-state sync-unsaved" role="status" aria-label="Save status">
        {`Not saved on this device: ${saveError ?? 'the write failed'} · kept open, retrying`}
      </span>
    )
  const label = local === 'saving' ? 'Saving…' : NOTE_SYNC_LABELS[state]
  const reason = state === 'failed' && entity.lastError ? `: ${entity.lastError}` : state === 'blocked' && refusal ? `: ${REFUSAL_REASONS[refusal]}` : ''
  return (
    <span className={`save-state sync-${local === 'saving' ? 'saving' : state}`} role="status" aria-label="Save status" title={label + reason}>
      {label + reason}
    </span>
  )
}

function TitleField({ note, autoFocus, onRename }: { note: NoteRecord; autoFocus: boolean; onRename(title: string): void }) {
  const [draft, setDraft] = useState(note.title)
  const editing = useRef(false)
  // Follow renames from elsewhere unless the user is typing in the field right now.
  useEffect(() => {
    if (!editing.current) setDraft(note.title)
  }, [note.title])
  const commit = (): void => {
    editing.current = false
    if (draft.trim() !== note.title) onRename(draft)
  }
  return (
    <input
      className="title-input"
      aria-label="Title"
      placeholder={UNTITLED}
      value={draft}
      maxLength={LIMITS.titleLength}
      autoFocus={autoFocus}
      onFocus={() => (editing.current = true)}
      onChange={(event) => setDraft(event.target.value)}
      onBlur={commit}
      onKeyDown={(event) => {
        if (event.key === 'Enter') event.currentTarget.blur()
        if (event.key === 'Escape') {
          setDraft(note.title)
          editing.current = false
          event.currentTarget.blur()
        }
      }}
    />
  )
}

function TagsField({ note, onAdd, onRemove }: { note: NoteRecord; onAdd(tag: string): void; onRemove(tag: string): void }) {
  const [draft, setDraft] = useState('')
  return (
    <div className="tags-field" role="group" aria-label="Tags">
      {note.tags.map((tag) => (
        <span key={tag} className="tag-chip">
          #{tag}
          <button type="button" className="tag-remove" aria-label={`Remove tag ${tag}`} onClick={() => onRemove(tag)}>
            ×
          </button>
        </span>
      ))}
      <input
        className="tag-input"
        aria-label="Add tag"
        placeholder="Add tag"
        value={draft}
        maxLength={64}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={(event) => {
          if (event.key !== 'Enter' || draft.trim() === '') return
          onAdd(draft.trim().replace(/^#/, ''))
          setDraft('')
        }}
      />
    </div>
  )
}

/** The note's folder (by path) and tags, above its text. */
function NoteProperties({ note, snapshot, act, catalog, handle, readOnly }: { note: NoteRecord; snapshot: CatalogSnapshot; act: Props['act']; catalog: Workspace['catalog']; handle: DocHandle; readOnly: boolean }) {
  const folders = folderItems(snapshot)
  const folderLive = note.folderId === null || folders.some((f) => f.folder.id === note.folderId)
  return (
    <div className="note-properties" aria-label="Note properties" role="group">
      <label className="folder-select">
        <span className="visually-hidden">Folder</span>
        <select className="select" aria-label="Folder" disabled={readOnly} value={folderLive ? (note.folderId ?? '') : ''} onChange={(event) => act(() => catalog.moveNote(note.id, event.target.value || null))}>
          <option value="">No folder</option>
          {folders.map((f) => (
            <option key={f.folder.id} value={f.folder.id}>
              {f.path.join(PATH_SEPARATOR)}
            </option>
          ))}
        </select>
      </label>
      {readOnly ? (
        <span className="tags-field">{note.tags.map((tag) => `#${tag}`).join(' ')}</span>
      ) : (
        <TagsField note={note} onAdd={(tag) => act(() => catalog.tagNote(note.id, tag))} onRemove={(tag) => act(() => catalog.untagNote(note.id, tag))} />
      )}
      <span className="spacer" />
      <WordCount doc={handle.doc} />
    </div>
  )
}

/** What the note's "More actions" menu and the command palette can do to it. */
export interface NoteActions {
  onTrash(id: string): void
  onRestore(id: string): void
  onDeleteForever(id: string): void
  onMove(ids: readonly string[]): void
  onExport(id: string): void
  onOpen(id: string): void
}

/** One open note: a one-row header, banners, its folder and tags, and its editor. Mount keyed by note id. */
export function NotePane({ workspace, entity, note, snapshot, reach, refusal, autoFocus, act, actions, onReview, onBack, focusMatch }: Props) {
  const { catalog, registry } = workspace
  const handle = useDocHandle(registry, noteRoom(note.id))
  const firstLine = useRef('')
  const idle = useRef<ReturnType<typeof setTimeout> | null>(null)
  // A note opened from the trash is shown read-only. One trashed elsewhere while it is open here
  // stays editable (the writer may be mid-sentence), and editing it brings it back.
  const [openedInTrash] = useState(note.trashed)
  const readOnly = note.trashed && openedInTrash

  // A new note takes its first title from its first line, once, when the writer pauses or leaves
  // it; after that only an explicit rename changes it (docs/sync-rules.md, "Titles").
  const titleNow = (): void => {
    const title = autoTitleFrom(firstLine.current)
    const latest = catalog.get('note', note.id)?.view
    if (title && latest?.type === 'note' && latest.title === '' && !latest.trashed) act(() => catalog.renameNote(note.id, title))
  }
  const onFirstLine = (line: string, local: boolean): void => {
    if (!local) return // only the writer's own device names the note, so devices never race
    firstLine.current = line
    if (idle.current) clearTimeout(idle.current)
    idle.current = setTimeout(titleNow, AUTO_TITLE_IDLE_MS)
  }
  useEffect(
    () => () => {
      if (idle.current) {
        clearTimeout(idle.current)
        titleNow()
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps -- on leaving the note only
    [],
  )

  const more: MenuEntry[] = note.trashed
    ? [
        { label: 'Restore', onSelect: () => actions.onRestore(note.id) },
        { label: 'Delete forever…', danger: true, onSelect: () => actions.onDeleteForever(note.id) },
      ]
    : [
        { label: note.pinned ? 'Unpin' : 'Pin', onSelect: () => act(() => catalog.pinNote(note.id, !note.pinned)) },
        { label: 'Move to folder…', onSelect: () => actions.onMove([note.id]) },
        { label: 'Export this note…', onSelect: () => actions.onExport(note.id) },
        'separator',
        { label: 'Move to trash', danger: true, onSelect: () => actions.onTrash(note.id) },
      ]

  return (
    <main className="pane note-pane" aria-label={`Note: ${note.title || UNTITLED}`}>
      <header className="note-header">
        {onBack && (
          <button type="button" className="icon-button" aria-label="Back to notes" title="Back to notes" onClick={onBack}>
            ‹
          </button>
        )}
        {readOnly ? (
          <h2 className="title-input read-only" title={note.title || UNTITLED}>
            {note.title || UNTITLED}
          </h2>
        ) : (
          <TitleField note={note} autoFocus={false} onRename={(title) => act(() => catalog.renameNote(note.id, title))} />
        )}
        {note.pinned && (
          <span className="pin-mark" aria-label="Pinned" title="Pinned">
            ★
          </span>
        )}
        <SyncLabel handle={handle} entity={entity} reach={reach} refusal={refusal} />
        <WhoIsHere handle={handle} />
        <HistoryButton registry={registry} noteId={note.id} note={handle} />
        <MenuButton label="More actions" items={more}>
          ⋯
        </MenuButton>
      </header>
      {note.trashed && (
        <div className="banner" role="status" aria-label="Trash notice">
          <span>{readOnly ? 'This note is in the trash. It is shown read-only; restore it to edit it.' : 'This note is in the trash. Editing it brings it back.'}</span>
          <span className="banner-actions">
            <button type="button" className="button" onClick={() => actions.onRestore(note.id)}>
              Restore
            </button>
            {readOnly && (
              <button type="button" className="button subtle" onClick={() => actions.onDeleteForever(note.id)}>
                Delete forever
              </button>
            )}
          </span>
        </div>
      )}
      {entity.sync === 'conflicted' && (
        <div className="banner attention" role="alert" aria-label="Conflict notice">
          <span>This note was changed in two places at once.</span>
          <button type="button" className="button" onClick={onReview}>
            Review
          </button>
        </div>
      )}
      {entity.sync === 'failed' && (
        <div className="banner attention" role="alert" aria-label="Sync failure notice">
          <span>A change was refused by the relay: {entity.lastError}</span>
        </div>
      )}
      {note.notice && !note.trashed && (
        <div className="banner" role="status" aria-label="Relay notice">
          <span>{note.notice}</span>
        </div>
      )}
      <Suspense fallback={<div className="editor-loading" aria-busy="true" aria-label="Loading note" />}>
        {/* Keyed by the doc: the editor binds to one Y.Doc for its lifetime, and a replaced handle is a new doc. */}
        <SchemaGuarded key={`${handle.doc.guid}:${readOnly}`} handle={handle}>
          <NoteEditor
            handle={handle}
            onFirstLine={onFirstLine}
            autoFocus={autoFocus}
            focusMatch={focusMatch}
            readOnly={readOnly}
            attachments={workspace.attachments}
            after={<Backlinks workspace={workspace} noteId={note.id} onOpen={actions.onOpen} />}
            before={<NoteProperties note={note} snapshot={snapshot} act={act} catalog={catalog} handle={handle} readOnly={readOnly} />}
          />
        </SchemaGuarded>
      </Suspense>
    </main>
  )
}
