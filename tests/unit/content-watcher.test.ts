import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ContentChangeWatcher } from '../../server/meta/content-watcher'
import { MemoryMetaStorage } from '../../server/meta/memory-store'
import type { ContentReader } from '../../server/meta/note-content'
import type { ContentChange } from '../../server/meta/storage'
import { createLogger } from '../../server/log'

const EMPTY = Y.encodeStateAsUpdate(new Y.Doc())
const readContent: ContentReader = (_rooms, use) => use(() => EMPTY)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A watcher on a memory storage that counts transactions and long-poll wakes. */
function watched(timing: { quietMs: number; maxWaitMs: number }) {
  const storage = new MemoryMetaStorage()
  const transactions: string[][] = []
  const record = storage.recordContentChanges.bind(storage)
  storage.recordContentChanges = (changes: readonly ContentChange[]) => {
    transactions.push(changes.map((c) => c.note.noteId))
    return record(changes)
  }
  const wakes: string[] = []
  const watcher = new ContentChangeWatcher(
    { storage, readContent, log: createLogger('silent'), onRecorded: (w) => wakes.push(w), onRevived: () => {}, onError: (e) => { throw e } },
    timing,
  )
  return { storage, watcher, transactions, wakes }
}

describe('ContentChangeWatcher', () => {
  it('writes a note that keeps changing once per max wait, and promptly once its edits pause', async () => {
    const { watcher, transactions } = watched({ quietMs: 60, maxWaitMs: 300 })
    const started = performance.now()
    while (performance.now() - started < 700) {
      watcher.changed({ workspace: 'w', room: 'note/typed' })
      await sleep(20)
    }
    // 700 ms of steady edits: a write at ~300 and ~600 ms, not one per 60 ms.
    expect(transactions.length).toBeGreaterThanOrEqual(2)
    expect(transactions.length).toBeLessThanOrEqual(3)
    const during = transactions.length
    await sleep(120) // the pause: the last edit is recorded without waiting for the max
    expect(transactions.length).toBe(during + 1)
    expect(watcher.recordedThrough).toBe(watcher.toldCount)
  })

  it('writes every note due at one moment in one transaction and wakes each workspace once', async () => {
    const { watcher, transactions, wakes, storage } = watched({ quietMs: 40, maxWaitMs: 200 })
    for (const id of ['a', 'b', 'c']) watcher.changed({ workspace: 'w', room: `note/${id}` })
    watcher.changed({ workspace: 'v', room: 'note/d' })
    watcher.changed({ workspace: 'w', room: 'index' }) // not a note: ignored
    await sleep(150)
    expect(transactions).toEqual([['a', 'b', 'c', 'd']])
    expect(wakes.sort()).toEqual(['v', 'w'])
    expect((await storage.changes('w', 0, 10)).entries.map((e) => e.id)).toEqual(['a', 'b', 'c'])
  })

  it('counts a history room change as recorded without a write when its note is not purged', async () => {
    const { watcher, transactions } = watched({ quietMs: 20, maxWaitMs: 100 })
    watcher.changed({ workspace: 'w', room: 'history/h' })
    expect(watcher.recordedThrough).toBe(0)
    await watcher.flush()
    expect(transactions).toEqual([])
    expect(watcher.recordedThrough).toBe(1)
  })
})
