import Database from 'better-sqlite3'
import { randomUUID } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { WebsocketProvider } from 'y-websocket'
import { PURGED_REVIVED_NOTICE } from '../../protocol/meta/rules'
import { encodeContentSnapshot } from '../../protocol/meta/snapshots'
import type { FeedEntry, NoteRecord } from '../../protocol/meta/types'
import { isStoredOnRelay } from '../../protocol/stored-acks'
import { trackStoredAcks } from '../../renderer/sync/stored-acks'
import { CloseCode } from '../../server/close-codes'
import { purgeDecider } from '../../server/meta/decisions'
import { SqliteMetaStorage } from '../../server/meta/store'
import { SqliteStorage } from '../../server/storage/sqlite'
import { allChanges, op, sendOps } from '../helpers/meta'
import { connectClient, startTestRelay, tempDir, waitFor, whenSynced } from '../helpers/relay'

const DAY_MS = 24 * 3600_000
const NOTE_ROOM = (id: string) => `default/note/${id}`
const HISTORY_ROOM = (id: string) => `default/history/${id}`

/** Every file SQLite keeps for the relay's two databases, as raw bytes. */
function relayFiles(dataDir: string): Buffer {
  const names = ['skein.sqlite', 'skein.sqlite-wal', 'meta.sqlite', 'meta.sqlite-wal']
  return Buffer.concat(names.map((n) => join(dataDir, n)).filter(existsSync).map((f) => readFileSync(f)))
}

/** Entries the document storage holds for these rooms (read beside the running relay). */
function storedEntries(dataDir: string, rooms: string[]): number {
  const db = new Database(join(dataDir, 'skein.sqlite'), { readonly: true, fileMustExist: true })
  try {
    return (db.prepare(`SELECT count(*) AS n FROM updates WHERE room IN (${rooms.map(() => '?').join(',')})`).get(...rooms) as { n: number }).n
  } finally {
    db.close()
  }
}

/** Resolves once the relay has acknowledged storing everything `doc` holds. */
function storedOnRelay(provider: WebsocketProvider, doc: Y.Doc): Promise<void> {
  return new Promise((resolve) => {
    const stop = trackStoredAcks(provider, (sv) => {
      if (!isStoredOnRelay(doc, sv)) return
      stop()
      resolve()
    })
  })
}

/** The close codes a provider's connections ended with, as they happen. */
function closeCodes(provider: WebsocketProvider): number[] {
  const codes: number[] = []
  provider.on('connection-close', (event) => {
    if (event) codes.push(event.code)
  })
  return codes
}

async function noteEntry(url: string, id: string, check: (record: NoteRecord) => boolean): Promise<FeedEntry> {
  let found: FeedEntry | undefined
  await waitFor(`feed entry for ${id}`, async () => {
    found = (await allChanges(url)).find((e) => e.id === id && e.record !== null && check(e.record as NoteRecord))
    return found !== undefined
  })
  return found!
}

const isTombstone = (r: NoteRecord) => r.deleted && r.title === ''

/** A note created with `text` typed into it by a stock client, stored on the relay; the client has left. Returns its doc. */
async function writtenNote(relay: { url: string; wsUrl: string }, id: string, title: string, text: string): Promise<Y.Doc> {
  await sendOps(relay.url, [op('note.create', id, { title, folderId: null, tags: [] })])
  const writer = connectClient(relay.wsUrl, `note/${id}`)
  await whenSynced(writer.provider)
  writer.text.insert(0, text)
  await storedOnRelay(writer.provider, writer.doc)
  writer.provider.destroy()
  return writer.doc
}

/** Trashes and deletes forever, as a device that saw all of `doc` would. */
async function deleteForever(url: string, id: string, doc: Y.Doc): Promise<void> {
  const snapshot = encodeContentSnapshot(doc)
  const [trashed, deleted] = await sendOps(url, [op('note.trash', id, { snapshot }), op('note.delete', id, { snapshot })])
  expect([trashed!.status, deleted!.status]).toEqual(['applied', 'applied'])
}

describe('purging notes deleted forever', () => {
  it('deletes the text, versions and title from every SQLite file and keeps a tombstone; connected peers are closed and cannot store the copy back', async () => {
    const dataDir = tempDir()
    const relay = await startTestRelay({ dataDir, purgeAfterMs: 0, compactAfter: 4 })
    const title = `title-${randomUUID()}`
    const text = `text-${randomUUID()}`
    const tag = `tag-${randomUUID().slice(0, 8)}`
    await sendOps(relay.url, [op('note.create', 'p1', { title, folderId: null, tags: [tag] })])

    const writer = connectClient(relay.wsUrl, 'note/p1')
    await whenSynced(writer.provider)
    const writerCloses = closeCodes(writer.provider)
    writer.text.insert(0, text)
    // Several stored entries, so compactions delete some: their pages must not keep the text.
    for (let i = 0; i < 12; i++) {
      writer.text.insert(writer.text.length, ` line ${i} ${text}`)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await storedOnRelay(writer.provider, writer.doc)
    const history = connectClient(relay.wsUrl, 'history/p1')
    await whenSynced(history.provider)
    history.doc.getArray('versions').push([{ id: 'v1', name: `version of ${title}`, at: 0, auto: false, by: 'dev-a', state: Y.encodeStateAsUpdate(writer.doc) }])
    await storedOnRelay(history.provider, history.doc)
    expect(relayFiles(dataDir).includes(text)).toBe(true)
    expect(relayFiles(dataDir).includes(title)).toBe(true)

    await deleteForever(relay.url, 'p1', writer.doc)
    const tombstone = await noteEntry(relay.url, 'p1', isTombstone)
    expect(tombstone.record).toMatchObject({ deleted: true, trashed: true, title: '', folderId: null, tags: [], tagAdded: {}, trashSnapshot: null, notice: null })
    expect(JSON.stringify(tombstone)).not.toContain('dev-a')

    // The writer still had the note open: closed (transient), it reconnects, sends its copy, and
    // the purged room refuses it for good (4410) rather than storing the purged text again.
    await waitFor('writer refused with 4410', () => writerCloses.includes(CloseCode.deletedForever))
    expect(writerCloses[0]).toBe(CloseCode.roomPurged)
    expect(storedEntries(dataDir, [NOTE_ROOM('p1'), HISTORY_ROOM('p1')])).toBe(0)
    for (const secret of [text, title, tag]) expect(relayFiles(dataDir).includes(secret), secret).toBe(false)

    // The id stays deleted: a late op is rejected with the reason.
    const [rename] = await sendOps(relay.url, [op('note.rename', 'p1', { title: 'late' }, { baseVersion: 1 })])
    expect(rename).toMatchObject({ status: 'rejected', reason: 'the note was deleted forever' })

    await relay.close()
    for (const secret of [text, title, tag]) expect(relayFiles(dataDir).includes(secret), secret).toBe(false)
  })

  it('keeps a note deleted forever, with its content, until the retention window has passed', async () => {
    const dataDir = tempDir()
    const relay = await startTestRelay({ dataDir, purgeAfterMs: 1500, purgeSweepMs: 100 })
    const written = await writtenNote(relay, 'w1', 'Kept a while', 'still here')
    const deletedAt = Date.now()
    await deleteForever(relay.url, 'w1', written)

    await new Promise((resolve) => setTimeout(resolve, 700))
    expect((await allChanges(relay.url)).find((e) => e.id === 'w1')?.record).toMatchObject({ deleted: true, title: 'Kept a while' })
    expect(storedEntries(dataDir, [NOTE_ROOM('w1')])).toBeGreaterThan(0)

    await noteEntry(relay.url, 'w1', isTombstone)
    expect(Date.now() - deletedAt).toBeGreaterThanOrEqual(1500)
    expect(storedEntries(dataDir, [NOTE_ROOM('w1')])).toBe(0)
  })

  it('takes a late edit to a purged note back as a fresh, untitled note saying why; a stale copy is refused and stores nothing', async () => {
    const dataDir = tempDir()
    const relay = await startTestRelay({ dataDir, purgeAfterMs: 0 })
    const written = await writtenNote(relay, 'l1', 'Gone', 'old text')
    // Two devices that were offline with the note: one only holds it, the other types into it.
    const staleDoc = new Y.Doc()
    const lateDoc = new Y.Doc()
    Y.applyUpdate(staleDoc, Y.encodeStateAsUpdate(written))
    Y.applyUpdate(lateDoc, Y.encodeStateAsUpdate(written))
    await deleteForever(relay.url, 'l1', written)
    const tombstone = await noteEntry(relay.url, 'l1', isTombstone)

    const stale = connectClient(relay.wsUrl, 'note/l1', staleDoc)
    const staleCloses = closeCodes(stale.provider)
    await waitFor('stale copy refused', () => staleCloses.includes(CloseCode.deletedForever))
    expect(staleCloses).toEqual([CloseCode.deletedForever]) // permanent: the stock client stops
    expect(storedEntries(dataDir, [NOTE_ROOM('l1')])).toBe(0)
    expect((await allChanges(relay.url)).find((e) => e.id === 'l1')).toEqual(tombstone)

    lateDoc.getText('t').insert(0, 'typed offline: ')
    const late = connectClient(relay.wsUrl, 'note/l1', lateDoc)
    const lateCloses = closeCodes(late.provider)
    await whenSynced(late.provider)
    await storedOnRelay(late.provider, lateDoc)
    const back = await noteEntry(relay.url, 'l1', (r) => !r.deleted)
    expect(back.record).toMatchObject({ deleted: false, trashed: false, title: '', folderId: null, tags: [], notice: PURGED_REVIVED_NOTICE })
    expect(back.seq).toBeGreaterThan(tombstone.seq)
    expect(lateCloses).toEqual([])

    const reader = connectClient(relay.wsUrl, 'note/l1')
    await whenSynced(reader.provider)
    await waitFor('reader has the text', () => reader.text.toString() === 'typed offline: old text')
    // The note is live again: ops apply to it.
    const [rename] = await sendOps(relay.url, [op('note.rename', 'l1', { title: 'Found again' }, { baseVersion: back.seq })])
    expect(rename!.status).toBe('applied')
  })

  it('brings a purged note back when a device sends versions the purged history room never had', async () => {
    const relay = await startTestRelay({ dataDir: tempDir(), purgeAfterMs: 0 })
    const written = await writtenNote(relay, 'h1', 'Versions', 'text')
    await deleteForever(relay.url, 'h1', written)
    await noteEntry(relay.url, 'h1', isTombstone)

    const history = connectClient(relay.wsUrl, 'history/h1')
    await whenSynced(history.provider)
    history.doc.getArray('versions').push([{ id: 'v-offline', name: '', at: 0, auto: true, by: 'dev-b', state: Y.encodeStateAsUpdate(written) }])
    await storedOnRelay(history.provider, history.doc)
    const back = await noteEntry(relay.url, 'h1', (r) => !r.deleted)
    expect(back.record).toMatchObject({ notice: PURGED_REVIVED_NOTICE })
  })

  it('purges notes deleted forever before the relay could purge (meta.sqlite from the previous version)', async () => {
    const dataDir = tempDir()
    const first = await startTestRelay({ dataDir, purgeAfterMs: DAY_MS })
    await sendOps(first.url, [op('note.create', 'old', { title: 'Deleted long ago', folderId: null, tags: [] })])
    await deleteForever(first.url, 'old', new Y.Doc())
    await first.close()
    // The schema as the previous version left it: no deleted_at column, user_version 1.
    const db = new Database(join(dataDir, 'meta.sqlite'))
    db.exec('DROP INDEX meta_entities_to_purge; ALTER TABLE meta_entities DROP COLUMN deleted_at; DROP TABLE meta_purges; DROP TABLE meta_state')
    db.pragma('user_version = 1')
    db.close()

    const store = SqliteMetaStorage.open(dataDir)
    expect(await store.notesToPurge(Date.now(), 10)).toEqual([{ workspace: 'default', noteId: 'old' }])
    expect(await store.notesToPurge(Date.now() - DAY_MS, 10)).toEqual([])
    await store.close()
  })

  it('finishes at start-up a purge that stopped between the tombstone and deleting the rooms', async () => {
    const dataDir = tempDir()
    const first = await startTestRelay({ dataDir, purgeAfterMs: DAY_MS })
    const written = await writtenNote(first, 'c1', 'Half purged', 'interrupted')
    await deleteForever(first.url, 'c1', written)
    await first.close()

    // The first step of a purge, as a relay that died right after it would have left it.
    const store = SqliteMetaStorage.open(dataDir)
    const storage = new SqliteStorage(dataDir)
    const stored = { note: await storage.load({ workspace: 'default', room: 'note/c1' }), history: null }
    expect(await store.beginPurge({ workspace: 'default', noteId: 'c1' }, purgeDecider(stored, Date.now(), Date.now()))).toBe('purge')
    await storage.close()
    await store.close()
    expect(storedEntries(dataDir, [NOTE_ROOM('c1')])).toBeGreaterThan(0)

    const second = await startTestRelay({ dataDir, purgeAfterMs: DAY_MS })
    expect(storedEntries(dataDir, [NOTE_ROOM('c1')])).toBe(0)
    expect((await allChanges(second.url)).find((e) => e.id === 'c1')?.record).toMatchObject({ deleted: true, title: '' })
    expect(relayFiles(dataDir).includes('interrupted')).toBe(false)
  })
})
