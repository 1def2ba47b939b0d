import { describe, expect, it } from 'vitest'
import { newFolder, newNote } from '../../protocol/meta/rules'
import type { Actor, EntityRecord, FolderRecord, MetaOp, NoteRecord } from '../../protocol/meta/types'
import type { CatalogSnapshot } from '../../renderer/catalog/catalog'
import { entityKey, type LocalEntity, type OutboxEntry } from '../../renderer/catalog/outbox'
import { NOTE_SYNC_LABELS, folderItems, folderPath, folderTree, globalStatus, noteSyncState, notesFor, type NoteSyncState } from '../../renderer/catalog/selectors'
import type { RelayReach } from '../../renderer/catalog/sync-worker'

const ACTOR: Actor = { device: 'dev', name: 'Dev' }
const ONLINE: RelayReach = { state: 'online', since: null, error: null }
const CONNECTING: RelayReach = { state: 'connecting', since: null, error: null }
// Local time, so the label reads 09:05 in any time zone.
const NINE_OH_FIVE = new Date(2024, 0, 2, 9, 5, 30).getTime()
const OFFLINE: RelayReach = { state: 'offline', since: NINE_OH_FIVE, error: 'relay unreachable' }
const REFUSED: RelayReach = { state: 'refused', since: NINE_OH_FIVE, error: 'unknown token' }

function noteRecord(id: string, extra: Partial<NoteRecord> = {}): NoteRecord {
  return { ...newNote(id, { title: id, folderId: null, tags: [] }, 1, ACTOR, 1000), ...extra }
}

/** An entity the relay confirmed: base and view are the same record, nothing pending. */
function entity(record: EntityRecord, extra: Partial<LocalEntity> = {}): LocalEntity {
  return { key: entityKey(record.type, record.id), type: record.type, id: record.id, base: record, view: record, sync: 'synced', attempts: 0, lastError: null, contentSeq: 0, contentPulled: 0, contentDirty: false, ...extra }
}

function outboxEntry(seq: number, extra: Partial<OutboxEntry> = {}): OutboxEntry {
  const op = { opId: `op${seq}`, kind: 'note.pin', entity: `n${seq}`, baseVersion: 0, actor: ACTOR, payload: { pinned: true } } as MetaOp
  return { seq, op, entityType: 'note', state: 'pending', attempts: 0, nextAttemptAt: 0, lastError: null, createdAt: 0, ...extra }
}

function snapshot(entities: LocalEntity[], outbox: OutboxEntry[] = []): CatalogSnapshot {
  return { entities: new Map(entities.map((e) => [e.key, e])), outbox }
}

describe('noteSyncState: what a note says about where it is', () => {
  const confirmed = entity(noteRecord('n1'))

  it('says on the relay only when the relay holds the record and has acknowledged the content', () => {
    expect(noteSyncState(confirmed, ONLINE)).toBe('on-relay')
    expect(noteSyncState({ ...confirmed, contentDirty: true }, ONLINE)).toBe('pending')
    expect(noteSyncState({ ...confirmed, base: null }, ONLINE)).toBe('pending')
    expect(noteSyncState({ ...confirmed, sync: 'pending' }, ONLINE)).toBe('pending')
  })

  it('never says on the relay for unconfirmed work, whatever the connection', () => {
    const unconfirmed: LocalEntity[] = [{ ...confirmed, contentDirty: true }, { ...confirmed, base: null }, { ...confirmed, sync: 'pending' }]
    for (const e of unconfirmed) for (const reach of [ONLINE, CONNECTING, OFFLINE, REFUSED, null]) expect(noteSyncState(e, reach)).not.toBe('on-relay')
  })

  it('tells offline, refused and still-trying apart for unconfirmed work', () => {
    const pending = { ...confirmed, sync: 'pending' as const }
    const states: [RelayReach, NoteSyncState][] = [
      [OFFLINE, 'offline'],
      [REFUSED, 'refused'],
      [CONNECTING, 'pending'],
      [ONLINE, 'pending'],
    ]
    for (const [reach, state] of states) expect(noteSyncState(pending, reach)).toBe(state)
  })

  it('keeps saying on the relay for confirmed work while offline: the relay already has it', () => {
    expect(noteSyncState(confirmed, OFFLINE)).toBe('on-relay-offline')
    expect(NOTE_SYNC_LABELS['on-relay-offline']).toBe('On the relay · offline now')
  })

  it('says saved on this device when there is no relay', () => {
    expect(noteSyncState(confirmed, null)).toBe('local')
    expect(noteSyncState({ ...confirmed, sync: 'pending', contentDirty: true }, null)).toBe('local')
  })

  it('puts a conflict, then a refusal, before anything else', () => {
    expect(noteSyncState({ ...confirmed, sync: 'conflicted', contentDirty: true }, OFFLINE)).toBe('conflicted')
    expect(noteSyncState({ ...confirmed, sync: 'failed' }, ONLINE)).toBe('failed')
    expect(noteSyncState({ ...confirmed, sync: 'failed' }, null)).toBe('failed')
  })
})

describe('globalStatus: the window\'s one line', () => {
  const synced = entity(noteRecord('n1'))
  const dirty = entity(noteRecord('n2'), { contentDirty: true })

  it('says all synced when nothing waits and the relay answers', () => {
    expect(globalStatus(snapshot([synced]), ONLINE)).toMatchObject({ kind: 'synced', label: 'All synced', pending: 0 })
    // An image still to upload, or one the relay refused, is not synced either.
    expect(globalStatus(snapshot([synced]), ONLINE, 0, 0, { waiting: 1, refused: 0 })).toMatchObject({ kind: 'pending', label: '1 pending' })
    expect(globalStatus(snapshot([synced]), ONLINE, 0, 0, { waiting: 0, refused: 1 })).toMatchObject({ kind: 'attention', label: '1 needs attention' })
  })

  it('counts live outbox entries and notes with unacknowledged content as pending', () => {
    const outbox = [outboxEntry(1), outboxEntry(2, { state: 'inflight' }), outboxEntry(3, { state: 'failed' })]
    expect(globalStatus(snapshot([synced, dirty], outbox), ONLINE)).toMatchObject({ kind: 'pending', label: '3 pending', pending: 3 })
  })

  it('says since when it is offline, and how much waits', () => {
    expect(globalStatus(snapshot([synced, dirty], [outboxEntry(1)]), OFFLINE)).toMatchObject({ kind: 'offline', label: 'Offline since 09:05 · 2 pending' })
    expect(globalStatus(snapshot([synced]), OFFLINE).label).toBe('Everything saved on this device · offline since 09:05')
  })

  it('says how many need attention, before anything else', () => {
    const one = entity(noteRecord('c1'), { sync: 'conflicted' })
    const two = entity(noteRecord('f1'), { sync: 'failed' })
    expect(globalStatus(snapshot([synced, one]), OFFLINE)).toMatchObject({ kind: 'attention', label: '1 needs attention' })
    expect(globalStatus(snapshot([synced, one, two]), ONLINE)).toMatchObject({ kind: 'attention', label: '2 need attention', attention: 2 })
  })

  it('does not say all synced while the relay has a newer version of a note than this device pulled, and does not count it as unsent', () => {
    const behind = entity(noteRecord('n3'), { contentSeq: 5, contentPulled: 2 })
    expect(globalStatus(snapshot([synced, behind]), ONLINE)).toMatchObject({ kind: 'pending', label: '1 pending', pending: 1, unsent: 0 })
  })

  it('says how many notes cannot sync, and never all synced while one cannot', () => {
    expect(globalStatus(snapshot([synced]), ONLINE, 2)).toMatchObject({ kind: 'blocked', label: '2 notes cannot sync' })
    expect(globalStatus(snapshot([synced]), ONLINE, 1).label).toBe('1 note cannot sync')
    expect(noteSyncState(synced, ONLINE, 'too-large')).toBe('blocked')
  })

  it('says the relay refused this device', () => {
    expect(globalStatus(snapshot([synced], [outboxEntry(1)]), REFUSED)).toMatchObject({ kind: 'refused', label: 'Relay refused this device' })
  })

  it('does not say all synced while still connecting', () => {
    expect(globalStatus(snapshot([synced]), CONNECTING).label).toBe('Connecting…')
  })
})

describe('notesFor: the lists', () => {
  const folder = (id: string, extra: Partial<FolderRecord> = {}) => entity({ ...newFolder(id, { name: id, parentId: null }, 1, ACTOR, 1000), ...extra })
  const note = (id: string, extra: Partial<NoteRecord> = {}, local: Partial<LocalEntity> = {}) => entity(noteRecord(id, extra), local)
  const ids = (list: ReturnType<typeof notesFor>) => list.map((i) => i.note.id)

  const snap = snapshot([
    folder('work'),
    folder('gone', { deleted: true }),
    note('in-work', { folderId: 'work', createdAt: 5 }),
    note('in-gone', { folderId: 'gone', createdAt: 4 }),
    note('tagged', { tags: ['urgent'], createdAt: 3 }),
    note('trashed-tagged', { trashed: true, tags: ['urgent'], folderId: 'work', createdAt: 2 }),
    note('deleted', { deleted: true, createdAt: 1 }),
    note('conflicted', { createdAt: 6 }, { sync: 'conflicted' }),
    note('failed', { createdAt: 7 }, { sync: 'failed' }),
  ])

  it('shows a note whose folder was deleted at the top level, not in the gone folder', () => {
    expect(ids(notesFor(snap, { kind: 'folder', id: 'gone' }))).toEqual([])
    expect(ids(notesFor(snap, { kind: 'all' }))).toContain('in-gone')
  })

  it('shows a folder\'s live notes, and not its trashed ones', () => {
    expect(ids(notesFor(snap, { kind: 'folder', id: 'work' }))).toEqual(['in-work'])
  })

  it('keeps trashed notes in the trash only, and deleted ones nowhere', () => {
    expect(ids(notesFor(snap, { kind: 'trash' }))).toEqual(['trashed-tagged'])
    expect(ids(notesFor(snap, { kind: 'all' }))).toEqual(['failed', 'conflicted', 'in-work', 'in-gone', 'tagged'])
    for (const filter of [{ kind: 'all' }, { kind: 'trash' }, { kind: 'review' }, { kind: 'tag', tag: 'urgent' }] as const) expect(ids(notesFor(snap, filter))).not.toContain('deleted')
  })

  it('lists a tag\'s notes outside the trash', () => {
    expect(ids(notesFor(snap, { kind: 'tag', tag: 'urgent' }))).toEqual(['tagged'])
  })

  it('lists conflicted and failed notes for review', () => {
    expect(ids(notesFor(snap, { kind: 'review' }))).toEqual(['failed', 'conflicted'])
  })

  it('puts pinned notes first, then the newest', () => {
    const list = snapshot([note('old-pinned', { pinned: true, createdAt: 1 }), note('new', { createdAt: 9 }), note('older', { createdAt: 2 }), note('new-pinned', { pinned: true, createdAt: 3 })])
    expect(ids(notesFor(list, { kind: 'all' }))).toEqual(['new-pinned', 'old-pinned', 'new', 'older'])
  })
})

describe('folderTree: nested folders as the sidebar shows them', () => {
  it('lists each folder under its parent, by name, with its depth; an orphan shows at the top level', () => {
    const folder = (id: string, name: string, parentId: string | null, deleted = false): LocalEntity =>
      entity({ ...newFolder(id, { name, parentId }, 1, ACTOR, 0), deleted })
    const tree = folderTree(
      snapshot([folder('w', 'Work', null), folder('p', 'Projects', 'w'), folder('a', 'Archive', 'w'), folder('h', 'Home', null), folder('gone', 'Gone', null, true), folder('o', 'Orphan', 'gone')]),
    )
    expect(tree.map((f) => [f.folder.name, f.depth])).toEqual([
      ['Home', 0],
      ['Orphan', 0],
      ['Work', 0],
      ['Archive', 1],
      ['Projects', 1],
    ])
  })
})

describe('folder paths for pickers', () => {
  const folder = (id: string, name: string, parentId: string | null): LocalEntity => entity(newFolder(id, { name, parentId }, 1, ACTOR, 0))

  it('names a folder by its path from the top, and sorts folders by path so subfolders follow their parent', () => {
    const s = snapshot([folder('w', 'Work', null), folder('c', 'Clients', 'w'), folder('a', 'Acme', 'c'), folder('w2', 'Work (2)', null), folder('b', 'Archive', null)])
    expect(folderPath(s, 'a')).toBe('Work / Clients / Acme')
    expect(folderPath(s, 'w')).toBe('Work')
    expect(folderPath(s, 'missing')).toBeNull()
    expect(folderItems(s).map((f) => f.path.join(' / '))).toEqual(['Archive', 'Work', 'Work / Clients', 'Work / Clients / Acme', 'Work (2)'])
  })

  it('shows every folder of a cycle of pending moves (the relay will refuse one), with finite paths', () => {
    // Here A was moved into B while the feed brought B into A.
    const s = snapshot([folder('a', 'A', 'b'), folder('b', 'B', 'a'), folder('t', 'Top', null)])
    expect(folderTree(s).map((f) => f.folder.id).sort()).toEqual(['a', 'b', 't'])
    expect(folderPath(s, 'a')).toBe('B / A')
  })
})
