import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { encodeContentSnapshot } from '../../protocol/meta/snapshots'
import type { FeedEntry, NoteRecord } from '../../protocol/meta/types'
import { MemoryStorage } from '../../server/storage/memory'
import { connectClient, startTestRelay, tempDir, waitFor, whenSynced } from '../helpers/relay'
import { allChanges, getChanges, op, sendOps } from '../helpers/meta'
import { MemoryMetaStorage } from '../../server/meta/memory-store'
import { MemoryBlobStorage } from '../../server/blobs/memory'

const create = (id: string, folderId: string | null = null) => op('note.create', id, { title: `Note ${id}`, folderId, tags: [] })

async function entryFor(url: string, id: string, check: (e: FeedEntry) => boolean = () => true): Promise<FeedEntry> {
  let found: FeedEntry | undefined
  await waitFor(`feed entry for ${id}`, async () => {
    found = (await allChanges(url)).find((e) => e.id === id && check(e))
    return found !== undefined
  })
  return found!
}

describe('GET /v1/changes', () => {
  it('pages through changes in server order with a cursor, each entity once with its current record', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    await sendOps(relay.url, ['a', 'b', 'c', 'd', 'e'].map((id) => create(id)))
    await sendOps(relay.url, [op('note.rename', 'a', { title: 'Renamed' }, { baseVersion: 1 })])
    const pages: string[][] = []
    let cursor = 0
    for (;;) {
      const { body } = await getChanges(relay.url, { since: cursor, limit: 2 })
      pages.push(body.entries.map((e) => e.id))
      expect(body.cursor).toBe(body.entries.at(-1)?.seq ?? cursor)
      cursor = body.cursor
      if (!body.more) break
    }
    expect(pages).toEqual([['b', 'c'], ['d', 'e'], ['a']])
    const last = await getChanges(relay.url, { since: cursor })
    expect(last.body).toEqual({ entries: [], cursor, more: false })
    const a = (await getChanges(relay.url, { since: 5 })).body.entries[0]!
    expect(a).toMatchObject({ type: 'note', id: 'a', seq: 6, contentSeq: 0, record: { title: 'Renamed', version: 6 } })
  })

  it('never splits the changes of one seq across pages (a folder delete moves its notes at its seq)', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    await sendOps(relay.url, [op('folder.create', 'f', { name: 'F', parentId: null }), create('n1', 'f'), create('n2', 'f'), create('n3', 'f')])
    const [del] = await sendOps(relay.url, [op('folder.delete', 'f', {})])
    const page = await getChanges(relay.url, { since: del!.seq! - 1, limit: 2 })
    expect(page.body.entries.map((e) => [e.id, e.seq])).toEqual([
      ['f', del!.seq],
      ['n1', del!.seq],
      ['n2', del!.seq],
      ['n3', del!.seq],
    ])
    expect(page.body).toMatchObject({ cursor: del!.seq, more: false })
    expect(page.body.entries.slice(1).map((e) => (e.record as NoteRecord).folderId)).toEqual([null, null, null])
  })

  it('long-polls: a waiting request is answered by another client\'s change, or empty when the wait ends', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    await sendOps(relay.url, [create('n1')])
    const started = Date.now()
    const waiting = getChanges(relay.url, { since: 1, wait: 10 })
    await new Promise((r) => setTimeout(r, 300))
    await sendOps(relay.url, [op('note.pin', 'n1', { pinned: true })])
    const woken = await waiting
    expect(Date.now() - started).toBeLessThan(3_000)
    expect(woken.body.entries).toMatchObject([{ id: 'n1', seq: 2, record: { pinned: true } }])

    const idleStart = Date.now()
    const idle = await getChanges(relay.url, { since: 2, wait: 1 })
    expect(Date.now() - idleStart).toBeGreaterThanOrEqual(950)
    expect(idle.body).toEqual({ entries: [], cursor: 2, more: false })
  })

  it('answers long-polls at once when the relay closes', async () => {
    const relay = await startTestRelay({ storage: { docs: new MemoryStorage(), meta: new MemoryMetaStorage(), blobs: new MemoryBlobStorage() } })
    const started = Date.now()
    const waiting = getChanges(relay.url, { since: 0, wait: 30 })
    await new Promise((r) => setTimeout(r, 200))
    await relay.close()
    const answer = await waiting
    expect(answer.status).toBe(200)
    expect(answer.body.entries).toEqual([])
    expect(Date.now() - started).toBeLessThan(5_000)
  })
})

describe('content changes in the feed', () => {
  it('lists a note whose content a stock y-websocket client changed, coalescing keystrokes', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const writer = connectClient(relay.wsUrl, 'note/n1')
    await whenSynced(writer.provider)
    const waiting = getChanges(relay.url, { since: 0, wait: 10 })
    for (let i = 0; i < 40; i++) writer.text.insert(i, 'k')
    const woken = await waiting
    expect(woken.body.entries).toMatchObject([{ type: 'note', id: 'n1', record: null }])
    const first = woken.body.entries[0]!
    expect(first.contentSeq).toBe(first.seq)
    await new Promise((r) => setTimeout(r, 400))
    // Forty keystrokes are one or two feed writes, not forty.
    expect((await getChanges(relay.url)).body.entries[0]!.seq).toBeLessThanOrEqual(2)

    const [created] = await sendOps(relay.url, [create('n1')])
    const entry = await entryFor(relay.url, 'n1')
    expect(entry).toMatchObject({ seq: created!.seq, record: { title: 'Note n1' } })
    expect(entry.contentSeq).toBeGreaterThan(0) // the create keeps the content seq
    expect(entry.contentSeq).toBeLessThan(entry.seq)
    // Rooms other than notes (the index) are not metadata.
    const index = connectClient(relay.wsUrl, 'index')
    await whenSynced(index.provider)
    index.doc.getArray('ids').push(['x'])
    writer.text.insert(0, '!')
    const after = await entryFor(relay.url, 'n1', (e) => e.contentSeq > entry.seq)
    expect((await allChanges(relay.url)).map((e) => e.id)).toEqual(['n1'])
    expect(after.seq).toBe(after.contentSeq)
  })

  it('records content changes still being coalesced when the relay closes', async () => {
    const dataDir = tempDir()
    const relay = await startTestRelay({ dataDir })
    const writer = connectClient(relay.wsUrl, 'note/late')
    await whenSynced(writer.provider)
    writer.text.insert(0, 'typed just before shutdown')
    await waitFor('edit reached the relay', async () => (await relay.rooms.peek({ workspace: 'default', room: 'note/late' }))?.doc.getText('t').length === 26)
    await relay.close()
    const again = await startTestRelay({ dataDir })
    expect((await allChanges(again.url)).map((e) => [e.id, e.contentSeq > 0])).toEqual([['late', true]])
  })

  it('restores a trashed note edited by a device whose edit the trash snapshot lacks, and says so', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    await sendOps(relay.url, [create('n1')])
    const editor = connectClient(relay.wsUrl, 'note/n1')
    await whenSynced(editor.provider)
    editor.text.insert(0, 'hello')
    // The trashing device has seen "hello"; its trash arrives before the relay records the edit.
    const trasher = connectClient(relay.wsUrl, 'note/n1', new Y.Doc())
    await whenSynced(trasher.provider)
    await waitFor('trasher has the text', () => trasher.text.toString() === 'hello')
    const [trashed] = await sendOps(relay.url, [op('note.trash', 'n1', { snapshot: encodeContentSnapshot(trasher.doc) }, { device: 'trasher' })])
    expect(trashed!.status).toBe('applied')
    trasher.provider.destroy()
    await new Promise((r) => setTimeout(r, 600)) // past the coalescing window: the seen edit was recorded
    expect((await entryFor(relay.url, 'n1')).record).toMatchObject({ trashed: true })

    editor.text.insert(5, ' world')
    const restored = await entryFor(relay.url, 'n1', (e) => (e.record as NoteRecord).trashed === false)
    expect(restored.record).toMatchObject({ trashed: false, deleted: false, notice: 'Restored: edited while in the trash' })
    expect(restored.seq).toBe(restored.contentSeq)
    expect(restored.record!.version).toBe(restored.seq)
  })

  it('rejects delete forever, and restores the note, when the relay holds edits the deleting device never saw', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    await sendOps(relay.url, [create('n1')])
    const deleter = new Y.Doc()
    const snapshot = encodeContentSnapshot(deleter)
    await sendOps(relay.url, [op('note.trash', 'n1', { snapshot })])
    const other = connectClient(relay.wsUrl, 'note/n1')
    await whenSynced(other.provider)
    const [del] = await sendOps(relay.url, [op('note.delete', 'n1', { snapshot })])
    expect(del).toMatchObject({ status: 'applied', record: { deleted: true } }) // nothing unseen yet
    other.text.insert(0, 'written offline, arriving after delete forever')
    const back = await entryFor(relay.url, 'n1', (e) => (e.record as NoteRecord).deleted === false)
    expect(back.record).toMatchObject({ trashed: false, notice: 'Restored: edited after it was deleted forever' })

    // Trash again, then delete forever from a device that never saw that text: refused.
    await sendOps(relay.url, [op('note.trash', 'n1', { snapshot })])
    const [refused] = await sendOps(relay.url, [op('note.delete', 'n1', { snapshot })])
    expect(refused).toMatchObject({ status: 'rejected', record: { trashed: false, deleted: false } })
    expect(refused!.reason).toMatch(/edits you had not seen/)
  })
})
