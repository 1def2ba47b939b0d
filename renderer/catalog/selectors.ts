// What the UI shows, computed from the catalog snapshot and the relay's reachability. Pure, so
// the labels users rely on ("on the relay", "N pending") are tested without a browser.

import { specOf } from '../../protocol/meta/op-specs'
import type { ConflictField, FieldConflict, FolderRecord, NoteRecord } from '../../protocol/meta/types'
import { noteIdOfHistoryRoom, noteIdOfRoom } from '../../protocol/rooms'
import { UNTITLED } from '../notes/title'
import type { CatalogSnapshot } from './catalog'
import { holdsUnsent, isBehindRelay } from './content-ledger'
import { entityKey, isWaiting, type LocalEntity, type OutboxEntry } from './outbox'
import type { RelayReach } from './sync-worker'
import type { Refusal } from '../sync/connection-status'

export interface NoteItem {
  readonly entity: LocalEntity
  readonly note: NoteRecord
}

export interface FolderItem {
  readonly entity: LocalEntity
  readonly folder: FolderRecord
  /** Names from the top level down to this folder, e.g. ['Work', 'Clients', 'Acme']. */
  readonly path: readonly string[]
}

export { UNTITLED }

export function displayTitle(note: NoteRecord): string {
  return note.title === '' ? UNTITLED : note.title
}

function noteItems(snapshot: CatalogSnapshot): NoteItem[] {
  const items: NoteItem[] = []
  for (const entity of snapshot.entities.values()) {
    const view = entity.view
    if (entity.type === 'note' && view?.type === 'note' && !view.deleted) items.push({ entity, note: view })
  }
  return items
}

/** Pinned first, then newest first by creation (the relay's order once it has the note). */
const byPinThenNewest = (a: NoteItem, b: NoteItem): number =>
  Number(b.note.pinned) - Number(a.note.pinned) || b.note.createdAt - a.note.createdAt || a.note.id.localeCompare(b.note.id)

function liveFolders(snapshot: CatalogSnapshot): Map<string, { entity: LocalEntity; folder: FolderRecord }> {
  const folders = new Map<string, { entity: LocalEntity; folder: FolderRecord }>()
  for (const entity of snapshot.entities.values()) {
    const view = entity.view
    if (entity.type === 'folder' && view?.type === 'folder' && !view.deleted) folders.set(view.id, { entity, folder: view })
  }
  return folders
}

/**
 * The names from the top down to folder `id`. A parent that is gone (deleted elsewhere, not yet
 * moved up by the relay) ends the path, and so does a cycle (two pending moves the relay will
 * refuse one of): a path is always finite.
 */
function pathIn(folders: ReadonlyMap<string, { folder: FolderRecord }>, id: string): string[] {
  const names: string[] = []
  const seen = new Set<string>()
  for (let at = folders.get(id)?.folder; at && !seen.has(at.id); at = at.parentId === null ? undefined : folders.get(at.parentId)?.folder) {
    seen.add(at.id)
    names.unshift(at.name)
  }
  return names
}

export const PATH_SEPARATOR = ' / '

/** A live folder's path for pickers, e.g. "Work / Clients / Acme"; null for no such folder. */
export function folderPath(snapshot: CatalogSnapshot, id: string): string | null {
  const folders = liveFolders(snapshot)
  return folders.has(id) ? pathIn(folders, id).join(PATH_SEPARATOR) : null
}

/** Segment by segment, so a folder's subfolders follow it directly ("Work", "Work / A", "Work (2)"). */
function byPath(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const order = a[i]!.localeCompare(b[i]!)
    if (order !== 0) return order
  }
  return a.length - b.length
}

/** Live folders with their paths, sorted by path (for pickers). */
export function folderItems(snapshot: CatalogSnapshot): FolderItem[] {
  const folders = liveFolders(snapshot)
  return [...folders.values()]
    .map((item) => ({ ...item, path: pathIn(folders, item.folder.id) }))
    .sort((a, b) => byPath(a.path, b.path) || a.folder.id.localeCompare(b.folder.id))
}

/**
 * Folders in tree order (each parent followed by its children, by name), with their depth. A
 * folder whose parent is gone (deleted elsewhere, not yet moved up by the relay) shows at the top,
 * and so do folders in a cycle of pending moves (until the relay refuses one): none is hidden.
 */
export function folderTree(snapshot: CatalogSnapshot): (FolderItem & { depth: number })[] {
  const items = folderItems(snapshot)
  const live = new Set(items.map((f) => f.folder.id))
  const children = new Map<string | null, FolderItem[]>()
  for (const item of items) {
    const parent = item.folder.parentId !== null && live.has(item.folder.parentId) ? item.folder.parentId : null
    children.set(parent, [...(children.get(parent) ?? []), item])
  }
  for (const list of children.values()) list.sort((a, b) => a.folder.name.localeCompare(b.folder.name) || a.folder.id.localeCompare(b.folder.id))
  const out: (FolderItem & { depth: number })[] = []
  const placed = new Set<string>()
  const visit = (item: FolderItem, depth: number): void => {
    if (placed.has(item.folder.id)) return
    placed.add(item.folder.id)
    out.push({ ...item, depth })
    for (const child of children.get(item.folder.id) ?? []) visit(child, depth + 1)
  }
  for (const item of children.get(null) ?? []) visit(item, 0)
  for (const item of items) visit(item, 0)
  return out
}

/** Which notes a list shows: everything, one folder (and its subfolders' notes stay there), one tag, or the trash. */
export type ListFilter = { kind: 'all' } | { kind: 'folder'; id: string } | { kind: 'tag'; tag: string } | { kind: 'trash' } | { kind: 'review' }

export function notesFor(snapshot: CatalogSnapshot, filter: ListFilter): NoteItem[] {
  const live = new Set(folderItems(snapshot).map((f) => f.folder.id))
  return noteItems(snapshot)
    .filter(({ entity, note }) => {
      switch (filter.kind) {
        case 'trash':
          return note.trashed
        case 'review':
          return entity.sync === 'conflicted' || entity.sync === 'failed'
        case 'all':
          return !note.trashed
        case 'tag':
          return !note.trashed && note.tags.includes(filter.tag)
        case 'folder':
          // A note whose folder is gone (deleted here, not yet moved by the relay) shows at the top level.
          return !note.trashed && note.folderId === filter.id && live.has(filter.id)
      }
    })
    .sort(byPinThenNewest)
}

export function allTags(snapshot: CatalogSnapshot): string[] {
  const tags = new Set<string>()
  for (const { note } of noteItems(snapshot)) if (!note.trashed) for (const tag of note.tags) tags.add(tag)
  return [...tags].sort()
}

export function needsReview(snapshot: CatalogSnapshot): LocalEntity[] {
  return [...snapshot.entities.values()].filter((e) => e.view && !e.view.deleted && (e.sync === 'conflicted' || e.sync === 'failed'))
}

export type NoteSyncState = 'local' | 'on-relay' | 'on-relay-offline' | 'pending' | 'offline' | 'refused' | 'blocked' | 'failed' | 'conflicted'

/** Why the relay refused a note's connection (its text or its versions), as a writer reads it. */
export const REFUSAL_REASONS: Record<Refusal, string> = {
  unauthorized: 'the relay does not accept this device’s token',
  'too-large': 'larger than the relay accepts',
  deleted: 'it was deleted forever on another device',
  refused: 'the relay refused the connection',
}

/**
 * One note's sync state, from facts only: an open conflict or a refused op first; then a note
 * whose connection the relay refused (`refusal`: it cannot sync, whatever the rest says); then
 * anything this device has that the relay has not confirmed (metadata ops or unacknowledged
 * content); "on the relay" only when the relay holds the record, has acknowledged the content,
 * and is reachable now.
 */
export function noteSyncState(entity: LocalEntity, reach: RelayReach | null, refusal: Refusal | null = null): NoteSyncState {
  if (entity.sync === 'conflicted') return 'conflicted'
  if (entity.sync === 'failed') return 'failed'
  if (reach === null) return 'local'
  if (refusal !== null) return 'blocked'
  const unconfirmed = entity.sync === 'pending' || holdsUnsent(entity) || entity.base === null
  // The relay has it all; while it cannot be reached, the label says that too.
  if (!unconfirmed) return reach.state === 'offline' ? 'on-relay-offline' : 'on-relay'
  if (reach.state === 'offline') return 'offline'
  if (reach.state === 'refused') return 'refused'
  return 'pending'
}

export const NOTE_SYNC_LABELS: Record<NoteSyncState, string> = {
  local: 'Saved on this device',
  'on-relay': 'On the relay',
  'on-relay-offline': 'On the relay · offline now',
  pending: 'Saved on this device · syncing',
  offline: 'Saved on this device · offline',
  refused: 'Saved on this device · relay refused',
  blocked: 'Saved on this device · cannot sync',
  failed: 'Not synced',
  conflicted: 'Needs review',
}

export interface GlobalStatus {
  readonly kind: 'synced' | 'pending' | 'offline' | 'attention' | 'local' | 'refused' | 'blocked' | 'unsaved'
  readonly label: string
  /** Items not in sync: outbox entries, notes with unacknowledged content, notes not yet pulled. */
  readonly pending: number
  /** Of those, what only this device has (what closing it now could lose): outbox and unacknowledged content. */
  readonly unsent: number
  readonly attention: number
}

const hhmm = (ms: number): string => {
  const d = new Date(ms)
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`
}

export function pendingEntries(snapshot: CatalogSnapshot): OutboxEntry[] {
  return snapshot.outbox.filter((e) => e.state !== 'synced' && e.state !== 'conflicted' && e.held !== true)
}

/**
 * Per note, from a per-room map of the registry's (refused rooms, failed saves): a note's text
 * room or its versions room. Only notes the user can see: one deleted since is not theirs to fix.
 */
export function byNote<T>(rooms: ReadonlyMap<string, T>, snapshot: CatalogSnapshot): ReadonlyMap<string, T> {
  const notes = new Map<string, T>()
  for (const [room, refusal] of rooms) {
    const id = noteIdOfRoom(room) ?? noteIdOfHistoryRoom(room)
    const view = id === null ? undefined : snapshot.entities.get(entityKey('note', id))?.view
    if (id !== null && view && !view.deleted && !notes.has(id)) notes.set(id, refusal)
  }
  return notes
}

/** Notes holding text or saved versions the relay has not acknowledged. */
export function dirtyNotes(snapshot: CatalogSnapshot): NoteItem[] {
  return noteItems(snapshot).filter(({ entity }) => holdsUnsent(entity))
}

/** Notes the relay has newer content of than this device has pulled (background sync brings it). */
export function behindNotes(snapshot: CatalogSnapshot): NoteItem[] {
  return noteItems(snapshot).filter(({ entity }) => !holdsUnsent(entity) && isBehindRelay(entity))
}

/** The window's one-line status: all synced / N pending / offline since HH:MM / N need attention. */
/** Attachments (renderer/attachments) the relay does not have: still to upload, or refused. */
export interface AttachmentsNotOnRelay {
  readonly waiting: number
  readonly refused: number
}

export function globalStatus(snapshot: CatalogSnapshot, reach: RelayReach | null, blockedNotes = 0, unsavedNotes = 0, files: AttachmentsNotOnRelay = { waiting: 0, refused: 0 }): GlobalStatus {
  // A draft's held create is nothing to sync (and nothing a closed window would lose).
  // An image or file not on the relay keeps "All synced" from being said, as a note's text does.
  const live = snapshot.outbox.filter(isWaiting).length + files.waiting
  // Both ways: what the relay has not confirmed, and what it has that this device has not pulled yet
  // ("All synced" also promises that this device holds the latest of every note).
  const unsent = live + dirtyNotes(snapshot).length
  const pending = unsent + behindNotes(snapshot).length
  const attention = needsReview(snapshot).length + files.refused
  const s = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`
  // A refusal of the device explains everything else that failed, so it is said first.
  // Edits only in memory come before everything: they are the ones a closed window would lose.
  if (unsavedNotes > 0) return { kind: 'unsaved', label: `${s(unsavedNotes, 'note', 'notes')} not saved on this device`, pending, unsent, attention }
  if (reach?.state === 'refused') return { kind: 'refused', label: 'Relay refused this device', pending, unsent, attention }
  if (reach !== null && blockedNotes > 0) return { kind: 'blocked', label: `${s(blockedNotes, 'note', 'notes')} cannot sync`, pending, unsent, attention }
  if (attention > 0) return { kind: 'attention', label: `${s(attention, 'needs', 'need')} attention`, pending, unsent, attention }
  if (reach === null) return { kind: 'local', label: 'Saved on this device (no relay)', pending, unsent, attention }
  if (reach.state === 'offline') {
    const since = reach.since === null ? '' : ` since ${hhmm(reach.since)}`
    // Nothing waits: all of it is safe here, and the relay had all of it when last reached.
    return { kind: 'offline', label: pending > 0 ? `Offline${since} · ${pending} pending` : `Everything saved on this device · offline${since}`, pending, unsent, attention }
  }
  if (pending > 0 || reach.state === 'connecting') return { kind: 'pending', label: pending > 0 ? `${pending} pending` : 'Connecting…', pending, unsent, attention }
  return { kind: 'synced', label: 'All synced', pending, unsent, attention }
}

export function openConflicts(entity: LocalEntity): [field: ConflictField, conflict: FieldConflict][] {
  const record = entity.base
  if (!record) return []
  return Object.entries(record.conflicts).filter((pair): pair is [ConflictField, FieldConflict] => pair[1] !== undefined)
}

/** A Sync details row: what the op does, in the words of its spec, e.g. 'Rename note to “Plan”'. */
export function describeEntry(entry: OutboxEntry): string {
  const spec = specOf(entry.op.kind)
  return spec.label + (spec.detail?.(entry.op.payload) ?? '')
}
