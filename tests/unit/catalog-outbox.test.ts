import { describe, expect, it } from 'vitest'
import { newNote } from '../../protocol/meta/rules'
import type { Actor, MetaOp, NoteRecord, OpPayloads, OpResult } from '../../protocol/meta/types'
import {
  RETRY_BASE_MS,
  RETRY_CAP_MS,
  entitySync,
  isTransientStatus,
  nextBatch,
  outcomeOf,
  project,
  rebaseAfter,
  retryDelay,
  type EntryState,
  type OutboxEntry,
} from '../../renderer/catalog/outbox'

const ME: Actor = { device: 'dev-me', name: 'Me' }
const THEM: Actor = { device: 'dev-them', name: 'Them' }
let opCounter = 0

function op<K extends keyof OpPayloads>(kind: K, entity: string, payload: OpPayloads[K], baseVersion = 0): MetaOp {
  return { opId: `op-${++opCounter}`, kind, entity, baseVersion, actor: ME, payload } as MetaOp
}

function entry(seq: number, o: MetaOp, extra: Partial<OutboxEntry> = {}): OutboxEntry {
  return { seq, op: o, entityType: o.kind.startsWith('note.') ? 'note' : 'folder', state: 'pending', attempts: 0, nextAttemptAt: 0, lastError: null, createdAt: 0, ...extra }
}

const note = (id = 'n1', seq = 3): NoteRecord => newNote(id, { title: 'Relay title', folderId: null, tags: [] }, seq, THEM, 1000)

/** The note with an open title conflict, as the relay sends it. */
function conflicted(record: NoteRecord): NoteRecord {
  return {
    ...record,
    conflicts: {
      title: {
        seq: record.version + 1,
        candidates: [
          { value: record.title, actor: THEM, seq: record.version, at: 1 },
          { value: 'Mine', actor: ME, seq: record.version + 1, at: 2 },
        ],
      },
    },
  }
}

describe('project: what the user sees', () => {
  it('replays pending and inflight ops over the relay record', () => {
    const view = project(note(), [entry(1, op('note.rename', 'n1', { title: 'Renamed' })), entry(2, op('note.pin', 'n1', { pinned: true }), { state: 'inflight' })])
    expect(view).toMatchObject({ title: 'Renamed', pinned: true })
  })

  it('does not show ops the relay rejected or found in conflict as if they had happened', () => {
    const view = project(note(), [entry(1, op('note.rename', 'n1', { title: 'Refused' }), { state: 'failed', rejected: true }), entry(2, op('note.pin', 'n1', { pinned: true }), { state: 'conflicted' })])
    expect(view).toMatchObject({ title: 'Relay title', pinned: false })
  })

  it('keeps showing a change whose request was refused as a whole (e.g. a bad token), until retried or discarded', () => {
    const view = project(note(), [entry(1, op('note.rename', 'n1', { title: 'Still mine' }), { state: 'failed', lastError: 'unknown token' })])
    expect(view).toMatchObject({ title: 'Still mine' })
  })

  it('shows a note created here before the relay has it, and nothing for an unknown entity', () => {
    expect(project(null, [entry(1, op('note.create', 'n1', { title: 'New', folderId: null, tags: ['b', 'a'] }))])).toMatchObject({ id: 'n1', title: 'New', tags: ['a', 'b'] })
    expect(project(null, [entry(1, op('note.rename', 'n1', { title: 'x' }))])).toBeNull()
  })

  it('dates a note created offline by when it was written, however late it is shown again', () => {
    const first = project(null, [entry(1, op('note.create', 'n1', { title: 'First', folderId: null, tags: [] }), { createdAt: 5_000 })])
    const second = project(null, [entry(2, op('note.create', 'n2', { title: 'Second', folderId: null, tags: [] }), { createdAt: 9_000 })])
    // Re-projected any time later, the order of the two is the order they were written in.
    expect(first).toMatchObject({ createdAt: 5_000, updatedAt: 5_000 })
    expect(second).toMatchObject({ createdAt: 9_000 })
  })
})

describe('entitySync: one state per entity', () => {
  it('is synced, with no retries and no error, when nothing is queued', () => {
    expect(entitySync(note(), [])).toEqual({ sync: 'synced', attempts: 0, lastError: null })
  })

  it('is pending while an op waits, carrying its retry count and last error', () => {
    const waiting = entry(1, op('note.rename', 'n1', { title: 'x' }), { attempts: 3, lastError: 'relay unreachable' })
    expect(entitySync(note(), [waiting])).toEqual({ sync: 'pending', attempts: 3, lastError: 'relay unreachable' })
  })

  it('is failed over pending, and reports the failed entry\'s reason', () => {
    const entries = [
      entry(1, op('note.rename', 'n1', { title: 'x' }), { attempts: 2, lastError: 'relay unreachable' }),
      entry(2, op('note.pin', 'n1', { pinned: true }), { state: 'failed', attempts: 1, lastError: 'the note was deleted forever' }),
    ]
    expect(entitySync(note(), entries)).toEqual({ sync: 'failed', attempts: 2, lastError: 'the note was deleted forever' })
  })

  it('is conflicted over failed, from a conflicted entry', () => {
    const entries = [
      entry(1, op('note.pin', 'n1', { pinned: true }), { state: 'failed', lastError: 'refused' }),
      entry(2, op('note.rename', 'n1', { title: 'x' }), { state: 'conflicted', lastError: 'title was changed elsewhere' }),
    ]
    expect(entitySync(note(), entries).sync).toBe('conflicted')
  })

  it('is conflicted when the relay record holds an open conflict, even with nothing queued here', () => {
    expect(entitySync(conflicted(note()), []).sync).toBe('conflicted')
  })
})

describe('rebaseAfter: our own earlier op does not conflict with our later one', () => {
  it('rebases a later op on the same field onto the seq the earlier one landed at', () => {
    const later = op('note.rename', 'n1', { title: 'Second' }, 3)
    expect(rebaseAfter(op('note.rename', 'n1', { title: 'First' }, 3), 7, later).baseVersion).toBe(7)
  })

  it('does not rebase an op on another field: our rename landing says nothing about whether someone else moved the note meanwhile', () => {
    const later = op('note.move', 'n1', { folderId: 'f1' }, 3)
    expect(rebaseAfter(op('note.rename', 'n1', { title: 'First' }, 3), 7, later)).toBe(later)
  })

  it('rebases every later op on an entity onto its create', () => {
    const create = op('note.create', 'n1', { title: '', folderId: null, tags: [] })
    for (const later of [op('note.rename', 'n1', { title: 'x' }), op('note.move', 'n1', { folderId: null }), op('note.untag', 'n1', { tag: 't' }), op('note.pin', 'n1', { pinned: true })]) {
      expect(rebaseAfter(create, 4, later).baseVersion).toBe(4)
    }
  })

  it('rebases removing a tag onto our own adding of that tag, but not of another tag', () => {
    const tag = op('note.tag', 'n1', { tag: 'work' }, 3)
    expect(rebaseAfter(tag, 9, op('note.untag', 'n1', { tag: 'work' }, 3)).baseVersion).toBe(9)
    const other = op('note.untag', 'n1', { tag: 'home' }, 3)
    expect(rebaseAfter(tag, 9, other)).toBe(other)
  })

  it('leaves ops on other entities, and ops already based at or after the seq, alone', () => {
    const elsewhere = op('note.rename', 'n2', { title: 'x' }, 3)
    expect(rebaseAfter(op('note.rename', 'n1', { title: 'y' }, 3), 7, elsewhere)).toBe(elsewhere)
    const newer = op('note.rename', 'n1', { title: 'x' }, 8)
    expect(rebaseAfter(op('note.rename', 'n1', { title: 'y' }, 3), 7, newer)).toBe(newer)
  })
})

describe('outcomeOf: what an answer means for the entry', () => {
  const result = (r: Partial<OpResult>): OpResult => ({ opId: 'op', status: 'applied', seq: 5, record: note(), ...r })

  it('is done at the op\'s seq when applied', () => {
    expect(outcomeOf(result({}))).toEqual({ kind: 'done', record: note(), seq: 5 })
  })

  it('counts a duplicate as its original answer, at the original seq', () => {
    expect(outcomeOf(result({ status: 'duplicate', seq: null, original: { status: 'applied', seq: 4 } }))).toMatchObject({ kind: 'done', seq: 4 })
    expect(outcomeOf(result({ status: 'duplicate', seq: 6, original: { status: 'conflict', seq: 6, reason: 'title was changed elsewhere' } }))).toMatchObject({
      kind: 'conflicted',
      reason: 'title was changed elsewhere',
    })
    expect(outcomeOf(result({ status: 'duplicate', seq: null, record: null, original: { status: 'rejected', seq: null, reason: 'no such note' } }))).toEqual({
      kind: 'failed',
      record: null,
      reason: 'no such note',
    })
  })

  it('is conflicted with the current record on a conflict, and failed with the relay\'s reason on a rejection', () => {
    const record = conflicted(note())
    expect(outcomeOf(result({ status: 'conflict', record }))).toMatchObject({ kind: 'conflicted', record })
    expect(outcomeOf(result({ status: 'rejected', seq: null, reason: 'the note was deleted forever' }))).toMatchObject({ kind: 'failed', reason: 'the note was deleted forever' })
  })
})

describe('retryDelay: capped exponential backoff with jitter', () => {
  const ceiling = (attempts: number) => Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1))

  it('stays within [ceiling/2, ceiling] for any jitter', () => {
    for (const attempts of [1, 2, 5, 9, 30])
      for (const r of [0, 0.001, 0.25, 0.5, 0.999, 0.999999]) {
        const delay = retryDelay(attempts, () => r)
        expect(delay).toBeGreaterThanOrEqual(ceiling(attempts) / 2)
        expect(delay).toBeLessThanOrEqual(ceiling(attempts))
      }
  })

  it('spreads retries: different jitter, different delays', () => {
    expect(retryDelay(4, () => 0)).toBe(4_000)
    expect(retryDelay(4, () => 0.5)).toBe(6_000)
    expect(retryDelay(4, () => 0.99)).toBeGreaterThan(7_900)
  })

  it('doubles with each attempt until the cap', () => {
    const lowest = [1, 2, 3, 4, 5].map((a) => retryDelay(a, () => 0))
    expect(lowest).toEqual([500, 1_000, 2_000, 4_000, 8_000])
    expect(retryDelay(0, () => 0)).toBe(500)
  })

  it('never exceeds the cap however many attempts failed', () => {
    for (const attempts of [10, 20, 100, 10_000]) expect(retryDelay(attempts, () => 0.999999)).toBeLessThanOrEqual(RETRY_CAP_MS)
    expect(retryDelay(100, () => 0)).toBe(RETRY_CAP_MS / 2)
  })
})

describe('isTransientStatus', () => {
  it.each([null, 408, 425, 429, 500, 502, 503, 504])('retries after %s', (status) => {
    expect(isTransientStatus(status)).toBe(true)
  })

  it.each([400, 401, 403, 404, 405, 413])('fails at once after %s', (status) => {
    expect(isTransientStatus(status)).toBe(false)
  })
})

describe('nextBatch: in order per entity', () => {
  const rename = (entity: string, title: string) => op('note.rename', entity, { title })

  it('takes only the first live entry of each entity, in local order', () => {
    const entries = [entry(4, rename('b', '2')), entry(1, rename('a', '1')), entry(3, rename('a', '2')), entry(2, rename('b', '1')), entry(5, rename('c', '1'))]
    expect(nextBatch(entries, 0, 10).map((e) => e.seq)).toEqual([1, 2, 5])
  })

  it('holds an entity back while its head is inflight', () => {
    const entries = [entry(1, rename('a', '1'), { state: 'inflight' }), entry(2, rename('a', '2')), entry(3, rename('b', '1'))]
    expect(nextBatch(entries, 0, 10).map((e) => e.seq)).toEqual([3])
  })

  it('holds an entity back while its head waits for its retry time, and sends it once the time comes', () => {
    const entries = [entry(1, rename('a', '1'), { nextAttemptAt: 5_000, attempts: 1 }), entry(2, rename('a', '2')), entry(3, rename('b', '1'))]
    expect(nextBatch(entries, 4_999, 10).map((e) => e.seq)).toEqual([3])
    expect(nextBatch(entries, 5_000, 10).map((e) => e.seq)).toEqual([1, 3])
  })

  it('skips entries that are no longer live', () => {
    const states: EntryState[] = ['synced', 'conflicted', 'failed']
    const entries = states.map((state, i) => entry(i + 1, rename(`x${i}`, 't'), { state }))
    expect(nextBatch(entries, 0, 10)).toEqual([])
  })

  it('sends at most `max` entries', () => {
    const entries = Array.from({ length: 7 }, (_, i) => entry(i + 1, rename(`n${i}`, 't')))
    expect(nextBatch(entries, 0, 3).map((e) => e.seq)).toEqual([1, 2, 3])
  })
})
