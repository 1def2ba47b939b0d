import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import * as Y from 'yjs'
import type { NoteRecord } from '../../protocol/meta/types'
import { contentDecider, opDecider, purgeDecider } from '../../server/meta/decisions'
import { MemoryMetaStorage } from '../../server/meta/memory-store'
import type { MetaStorage } from '../../server/meta/storage'
import { SqliteMetaStorage } from '../../server/meta/store'
import { PostgresMetaStorage } from '../../server/postgres/meta-storage'
import { op } from '../helpers/meta'
import { tempDir } from '../helpers/relay'
import { startPostgres, type PostgresServer } from '../helpers/servers'

const NOW = 1_700_000_000_000
const decideAt = (now = NOW) => opDecider(() => false, now)
const create = (id: string, extra: { opId?: string } = {}) => op('note.create', id, { title: id, folderId: null, tags: [] }, extra)
const note = (noteId: string, workspace = 'w') => ({ workspace, noteId })

function contentOf(text: string): Uint8Array {
  const doc = new Y.Doc()
  doc.getText('t').insert(0, text)
  return Y.encodeStateAsUpdate(doc)
}
const EMPTY = Y.encodeStateAsUpdate(new Y.Doc())
const noContent = { note: () => EMPTY, history: () => EMPTY }

/** Trashes then deletes forever, by a device that saw `seen`; returns the record. */
async function deleteForever(meta: MetaStorage, id: string, seen: Y.Doc, now = NOW): Promise<NoteRecord> {
  const { encodeContentSnapshot } = await import('../../protocol/meta/snapshots')
  const snapshot = encodeContentSnapshot(seen)
  await meta.applyOps('w', [op('note.trash', id, { snapshot }, { baseVersion: 1 })], decideAt(now))
  const [deleted] = await meta.applyOps('w', [op('note.delete', id, { snapshot }, { baseVersion: 2 })], decideAt(now))
  expect(deleted).toMatchObject({ status: 'applied' })
  return deleted!.record as NoteRecord
}

// One PostgreSQL for the file, a fresh database for each test.
let postgres: PostgresServer | undefined
beforeAll(async () => {
  postgres = await startPostgres()
})
afterAll(async () => {
  await postgres?.stop()
})

const implementations: [string, () => Promise<MetaStorage>][] = [
  ['SqliteMetaStorage', async () => SqliteMetaStorage.open(tempDir())],
  ['MemoryMetaStorage', async () => new MemoryMetaStorage()],
  [
    'PostgresMetaStorage',
    async () => {
      const meta = await PostgresMetaStorage.open(await postgres!.createDatabase())
      // Closed even when the test fails before its own close(); a second close does nothing.
      onTestFinished(() => meta.close())
      return meta
    },
  ],
]

describe.each(implementations)('%s (MetaStorage contract)', (_name, open) => {
  it('answers a repeated op id with its first answer and the current record, taking no seq', async () => {
    const meta = await open()
    const first = await meta.applyOps('w', [create('n1', { opId: 'once' })], decideAt())
    expect(first[0]).toMatchObject({ opId: 'once', status: 'applied', seq: 1 })
    await meta.applyOps('w', [op('note.rename', 'n1', { title: 'renamed' }, { baseVersion: 1 })], decideAt())
    const again = await meta.applyOps('w', [create('n1', { opId: 'once' })], decideAt())
    expect(again[0]).toMatchObject({ opId: 'once', status: 'duplicate', seq: 1, original: { status: 'applied', seq: 1 } })
    expect(again[0]!.record).toMatchObject({ id: 'n1', title: 'renamed', version: 2 })
    expect(await meta.latestSeq('w')).toBe(2)
    await meta.close()
  })

  it('keeps each workspace its own gap-free sequence and feed', async () => {
    const meta = await open()
    await meta.applyOps('a', [create('x'), create('y')], decideAt())
    await meta.applyOps('b', [create('x')], decideAt())
    // An op that writes nothing (a second create of one note) takes no seq.
    await meta.applyOps('a', [create('x'), create('z')], decideAt())
    expect((await meta.changes('a', 0, 100)).entries.map((e) => [e.id, e.seq])).toEqual([['x', 1], ['y', 2], ['z', 3]])
    expect((await meta.changes('b', 0, 100)).entries.map((e) => [e.id, e.seq])).toEqual([['x', 1]])
    expect(await meta.latestSeq('c')).toBe(0)
    expect(await meta.changes('c', 0, 100)).toEqual({ entries: [], cursor: 0, more: false })
    await meta.close()
  })

  it('serialises concurrent op calls on one workspace: seqs 1..n without gaps, in feed order', async () => {
    const meta = await open()
    const n = 12
    const calls = Array.from({ length: n }, (_, i) => meta.applyOps('w', [create(`c${i}`)], decideAt()))
    const results = (await Promise.all(calls)).map((r) => r[0]!)
    expect(results.map((r) => r.seq).sort((a, b) => a! - b!)).toEqual(Array.from({ length: n }, (_, i) => i + 1))
    const feed = (await meta.changes('w', 0, 100)).entries
    expect(feed.map((e) => e.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1))
    for (const r of results) expect(feed.find((e) => e.seq === r.seq)?.id).toBe(r.record!.id)
    await meta.close()
  })

  it('never shows a reader a seq before the ones below it are committed', async () => {
    const meta = await open()
    const writes = Array.from({ length: 20 }, (_, i) => meta.applyOps('w', [create(`r${i}`)], decideAt()))
    const seen: number[][] = []
    const reads = Array.from({ length: 20 }, async () => seen.push((await meta.changes('w', 0, 1000)).entries.map((e) => e.seq)))
    await Promise.all([...writes, ...reads])
    for (const seqs of seen) expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1))
    await meta.close()
  })

  it('lets each op of a call see the writes of the ones before it', async () => {
    const meta = await open()
    const results = await meta.applyOps(
      'w',
      [
        op('folder.create', 'f', { name: 'F', parentId: null }),
        op('folder.create', 'g', { name: 'G', parentId: 'f' }),
        op('note.create', 'a', { title: 'a', folderId: 'g', tags: [] }),
        op('folder.delete', 'g', {}), // a moves up into f
        op('folder.delete', 'f', {}), // a (moved within this call) moves to the top; g is gone, so stays
        create('b'),
      ],
      decideAt(),
    )
    expect(results.map((r) => [r.status, r.seq])).toEqual([['applied', 1], ['applied', 2], ['applied', 3], ['applied', 4], ['applied', 5], ['applied', 6]])
    const feed = (await meta.changes('w', 0, 100)).entries
    expect(feed.map((e) => [e.id, e.seq])).toEqual([['g', 4], ['f', 5], ['a', 5], ['b', 6]])
    expect(feed.find((e) => e.id === 'a')!.record).toMatchObject({ folderId: null, version: 5 })
    expect(feed.find((e) => e.id === 'g')!.record).toMatchObject({ deleted: true, parentId: 'f' })
    await meta.close()
  })

  it('gives rules the live folders of a parent (the top level too) and a folder’s ancestors, across calls and within one', async () => {
    const meta = await open()
    const folder = (id: string, name: string, parentId: string | null) => op('folder.create', id, { name, parentId })
    // A chain deeper than a rule may take rounds to read, one level at a time.
    const chain = Array.from({ length: 30 }, (_, i) => folder(`c${i}`, `Level ${i}`, i === 0 ? null : `c${i - 1}`))
    await meta.applyOps('w', [folder('top', 'Ideas', null), folder('gone', 'Gone', null), ...chain], decideAt())
    await meta.applyOps('w', [op('folder.delete', 'gone', {})], decideAt())
    // Same name at the top level, from another call and within one call: suffixed in order.
    const [dup] = await meta.applyOps('w', [folder('dup', 'IDEAS', null)], decideAt())
    expect(dup!.record).toMatchObject({ name: 'IDEAS (2)' })
    const [a, b, c] = await meta.applyOps('w', [folder('a', 'Gone', null), folder('b', 'ideas', null), folder('c', 'Level 5', 'c4')], decideAt())
    expect([a!.record, b!.record, c!.record]).toMatchObject([{ name: 'Gone' }, { name: 'ideas (3)' }, { name: 'Level 5 (2)' }])
    // Moving the chain's root into its deepest folder walks all 30 ancestors: refused.
    const [cycle] = await meta.applyOps('w', [op('folder.move', 'c0', { parentId: 'c29' })], decideAt())
    expect(cycle).toMatchObject({ status: 'rejected', reason: 'a folder cannot go inside itself' })
    const [moved] = await meta.applyOps('w', [op('folder.move', 'c5', { parentId: null })], decideAt())
    expect(moved).toMatchObject({ status: 'applied', record: { parentId: null, name: 'Level 5' } })
    await meta.close()
  })

  it('pages the feed without splitting one seq, and says when there is more', async () => {
    const meta = await open()
    await meta.applyOps('w', [op('folder.create', 'f', { name: 'F', parentId: null })], decideAt())
    await meta.applyOps('w', [op('note.create', 'a', { title: 'a', folderId: 'f', tags: [] }), op('note.create', 'b', { title: 'b', folderId: 'f', tags: [] })], decideAt())
    await meta.applyOps('w', [op('folder.delete', 'f', {}, { baseVersion: 1 })], decideAt()) // moves a and b at seq 4
    await meta.applyOps('w', [create('c')], decideAt())
    const all = await meta.changes('w', 0, 10)
    // Ordered by seq, then type (folder before note), then id.
    expect(all.entries.map((e) => [e.id, e.seq])).toEqual([['f', 4], ['a', 4], ['b', 4], ['c', 5]])
    expect(all).toMatchObject({ cursor: 5, more: false })
    const page = await meta.changes('w', 0, 1)
    expect(page.entries.map((e) => e.seq)).toEqual([4, 4, 4])
    expect(page).toMatchObject({ cursor: 4, more: true })
    expect(await meta.changes('w', 4, 1)).toMatchObject({ cursor: 5, more: false })
    await meta.close()
  })

  it('records content changes of many notes in one call: a seq each, content before the create, records kept', async () => {
    const meta = await open()
    await meta.applyOps('w', [create('known')], decideAt())
    const seqs = await meta.recordContentChanges([
      { note: note('known'), decide: contentDecider(noContent, NOW) },
      { note: note('early'), decide: contentDecider(noContent, NOW) },
      { note: note('other', 'v'), decide: contentDecider(noContent, NOW) },
    ])
    expect(seqs).toEqual([2, 3, 1])
    const feed = (await meta.changes('w', 0, 100)).entries
    expect(feed.find((e) => e.id === 'known')).toMatchObject({ seq: 2, contentSeq: 2, record: { title: 'known', version: 1 } })
    expect(feed.find((e) => e.id === 'early')).toMatchObject({ seq: 3, contentSeq: 3, record: null })
    // A later record write keeps the content seq; the feed position is the newer one.
    await meta.applyOps('w', [op('note.rename', 'known', { title: 'k2' }, { baseVersion: 1 })], decideAt())
    expect((await meta.changes('w', 3, 100)).entries).toMatchObject([{ id: 'known', seq: 4, contentSeq: 2 }])
    await meta.close()
  })

  it('restores a trashed note when content it had not seen arrives', async () => {
    const meta = await open()
    await meta.applyOps('w', [create('t')], decideAt())
    const { encodeContentSnapshot } = await import('../../protocol/meta/snapshots')
    await meta.applyOps('w', [op('note.trash', 't', { snapshot: encodeContentSnapshot(new Y.Doc()) }, { baseVersion: 1 })], decideAt())
    await meta.recordContentChanges([{ note: note('t'), decide: contentDecider({ note: () => contentOf('typed later'), history: () => EMPTY }, NOW) }])
    expect((await meta.changes('w', 2, 100)).entries[0]).toMatchObject({ id: 't', seq: 3, record: { trashed: false, notice: 'Restored: edited while in the trash' } })
    await meta.close()
  })

  it('keeps purge bookkeeping: due notes, tombstone, unfinished until the rooms are gone, late content revives', async () => {
    const meta = await open()
    await meta.applyOps('w', [create('p'), create('live')], decideAt())
    const seen = new Y.Doc()
    seen.getText('t').insert(0, 'purged text')
    await deleteForever(meta, 'p', seen, NOW)
    expect(await meta.notesToPurge(NOW - 1, 10)).toEqual([])
    expect(await meta.notesToPurge(NOW, 10)).toEqual([note('p')])
    // Not due yet: skipped, and still listed for later.
    expect(await meta.beginPurge(note('p'), purgeDecider({ note: null, history: null }, NOW - 1, NOW))).toBe('skip')
    expect(await meta.notesToPurge(NOW, 10)).toEqual([note('p')])

    const held = Y.encodeStateAsUpdate(seen)
    expect(await meta.beginPurge(note('p'), purgeDecider({ note: held, history: null }, NOW, NOW + 5))).toBe('purge')
    expect(await meta.notesToPurge(NOW + 10, 10)).toEqual([])
    expect(await meta.unfinishedPurges()).toEqual([note('p')])
    const state = await meta.purgedState(note('p'))
    expect(state && Y.decodeStateVector(state.note).size).toBe(1)
    expect(await meta.purgedState(note('live'))).toBeNull()
    const tombstone = (await meta.changes('w', 4, 100)).entries.find((e) => e.id === 'p')!
    expect(tombstone.record).toMatchObject({ deleted: true, title: '' })
    await meta.roomsPurged([note('p')])
    expect(await meta.unfinishedPurges()).toEqual([])
    await meta.afterPurge()

    // A copy of what was purged changes nothing; content it never had brings the note back.
    expect(await meta.recordContentChanges([{ note: note('p'), decide: contentDecider({ note: () => held, history: () => EMPTY }, NOW) }])).toEqual([null])
    const late = contentOf('typed offline')
    const [revived] = await meta.recordContentChanges([{ note: note('p'), decide: contentDecider({ note: () => late, history: () => EMPTY }, NOW) }])
    expect(revived).toBe(tombstone.seq + 1)
    expect(await meta.purgedState(note('p'))).toBeNull()
    expect((await meta.changes('w', tombstone.seq, 100)).entries[0]).toMatchObject({ id: 'p', record: { deleted: false } })
    await meta.close()
  })

  it('moves the content cursor forward only, or exactly when asked', async () => {
    const meta = await open()
    expect(await meta.contentCursor()).toBeNull()
    await meta.setContentCursor(10)
    await meta.setContentCursor(5)
    expect(await meta.contentCursor()).toBe(10)
    await meta.setContentCursor(3, { exact: true })
    expect(await meta.contentCursor()).toBe(3)
    await expect(meta.checkWritable()).resolves.toBeUndefined()
    await meta.close()
  })

  it('applies none of a call whose decision throws', async () => {
    const meta = await open()
    await meta.applyOps('w', [create('ok')], decideAt())
    const failing = opDecider(() => {
      throw new Error('content unavailable')
    }, NOW)
    const { encodeContentSnapshot } = await import('../../protocol/meta/snapshots')
    const snapshot = encodeContentSnapshot(new Y.Doc())
    await meta.applyOps('w', [op('note.trash', 'ok', { snapshot }, { baseVersion: 1 })], decideAt())
    await expect(meta.applyOps('w', [create('lost'), op('note.delete', 'ok', { snapshot }, { baseVersion: 2, opId: 'del' })], failing)).rejects.toThrow('content unavailable')
    expect((await meta.changes('w', 0, 100)).entries.map((e) => e.id)).toEqual(['ok'])
    expect(await meta.latestSeq('w')).toBe(2)
    await meta.close()
  })
})

describe('SqliteMetaStorage', () => {
  it('keeps everything in meta.sqlite across reopening', async () => {
    const dir = tempDir()
    const first = SqliteMetaStorage.open(dir)
    await first.applyOps('w', [create('kept', { opId: 'k' })], decideAt())
    await first.setContentCursor(7)
    await first.close()
    const second = SqliteMetaStorage.open(dir)
    expect((await second.applyOps('w', [create('kept', { opId: 'k' })], decideAt()))[0]).toMatchObject({ status: 'duplicate', seq: 1 })
    expect(await second.contentCursor()).toBe(7)
    await second.close()
  })
})
