import { Suspense, useEffect, useRef, useState, useSyncExternalStore } from 'react'
import type { NoteRecord } from '../../protocol/meta/types'
import { LIMITS } from '../../protocol/meta/parse'
import { noteRoom } from '../../protocol/rooms'
import type { CatalogSnapshot } from '../catalog/catalog'
import type { LocalEntity } from '../catalog/outbox'
import type { RelayReach } from '../catalog/sync-worker'
import { NOTE_SYNC_LABELS, REFUSAL_REASONS, folderItems, noteSyncState } from '../catalog/selectors'
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
  onTrash(id: string): void
  onRestore(id: string): void
  onReview(): void
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
    <span className={`save-state sync-${local === 'saving' ? 'saving' : state}`} role="status" aria-label="Save status">
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

/** One open note: its metadata bar, banners, and its editor. Mount keyed by note id. */
export function NotePane({ workspace, entity, note, snapshot, reach, refusal, autoFocus, act, onTrash, onRestore, onReview, focusMatch }: Props) {
  const { catalog, registry } = workspace
  const handle = useDocHandle(registry, noteRoom(note.id))
  const folders = folderItems(snapshot)
  const folderLive = note.folderId === null || folders.some((f) => f.folder.id === note.folderId)
  const firstLine = useRef('')
  const idle = useRef<ReturnType<typeof setTimeout> | null>(null)

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

  return (
    <main className="note-pane" aria-label={`Note: ${note.title || UNTITLED}`}>
      <header className="note-header">
        <TitleField note={note} autoFocus={false} onRename={(title) => act(() => catalog.renameNote(note.id, title))} />
        <div className="note-meta">
          <label className="folder-select">
            <span className="visually-hidden">Folder</span>
            <select aria-label="Folder" value={folderLive ? (note.folderId ?? '') : ''} onChange={(event) => act(() => catalog.moveNote(note.id, event.target.value || null))}>
              <option value="">No folder</option>
              {folders.map((f) => (
                <option key={f.folder.id} value={f.folder.id}>
                  {f.folder.name}
                </option>
              ))}
            </select>
          </label>
          <TagsField note={note} onAdd={(tag) => act(() => catalog.tagNote(note.id, tag))} onRemove={(tag) => act(() => catalog.untagNote(note.id, tag))} />
          <button type="button" className="button subtle-plain" aria-pressed={note.pinned} onClick={() => act(() => catalog.pinNote(note.id, !note.pinned))}>
            {note.pinned ? 'Unpin' : 'Pin'}
          </button>
          <WordCount doc={handle.doc} />
          <SyncLabel handle={handle} entity={entity} reach={reach} refusal={refusal} />
          <WhoIsHere handle={handle} />
          <HistoryButton registry={registry} noteId={note.id} note={handle} />
          {!note.trashed && (
            <button type="button" className="button subtle" onClick={() => onTrash(note.id)}>
              Move to trash
            </button>
          )}
        </div>
      </header>
      {note.trashed && (
        <div className="banner" role="status" aria-label="Trash notice">
          <span>This note is in the trash. Editing it brings it back.</span>
          <button type="button" className="button" onClick={() => onRestore(note.id)}>
            Restore
          </button>
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
        <SchemaGuarded key={handle.doc.guid} handle={handle}>
          <NoteEditor handle={handle} onFirstLine={onFirstLine} autoFocus={autoFocus} focusMatch={focusMatch} attachments={workspace.attachments} />
        </SchemaGuarded>
      </Suspense>
    </main>
  )
}
