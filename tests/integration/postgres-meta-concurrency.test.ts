// Several relays sharing one PostgreSQL database: three PostgresMetaStorage instances (three
// pools, as three relay processes would have) on one database, writing the same workspace at
// once. What must hold across them: an op id is decided once, seqs are contiguous, and a reader
// never sees a seq before every seq below it is committed.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import type { FeedEntry, MetaOp, OpResult } from '../../protocol/meta/types'
import { contentDecider, opDecider } from '../../server/meta/decisions'
import { PostgresMetaStorage, type PostgresMetaStorageOptions } from '../../server/postgres/meta-storage'
import { op } from '../helpers/meta'
import { startPostgres, type PostgresServer } from '../helpers/servers'
import pg from 'pg'
import * as Y from 'yjs'

const NOW = 1_700_000_000_000
const decide = opDecider(() => false, NOW)
const create = (id: string, extra: { opId?: string } = {}): MetaOp => op('note.create', id, { title: id, folderId: null, tags: [] }, extra)
const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i)
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const EMPTY = Y.encodeStateAsUpdate(new Y.Doc())

let postgres: PostgresServer | undefined
beforeAll(async () => {
  postgres = await startPostgres()
})
afterAll(async () => {
  await postgres?.stop()
})

/** Connections per relay's pool (openPool's default): also how many of its calls a relay runs at once. */
const POOL_SIZE = 10

interface Relay {
  meta: PostgresMetaStorage
  /**
   * Runs `call` once fewer than POOL_SIZE of this relay's calls are running, as a relay with that
   * many connections does. Without it, hundreds of calls would wait in the pool's own queue,
   * whose connect timeout (5 s) is about how busy the machine is, not about seqs.
   */
  run<T>(call: (meta: PostgresMetaStorage) => Promise<T>): Promise<T>
}

/** Three "relays" on one fresh database, opened (and so migrated) at once. */
async function threeRelays(options: PostgresMetaStorageOptions = {}): Promise<Relay[]> {
  const url = await postgres!.createDatabase()
  const storages = await Promise.all([0, 1, 2].map(() => PostgresMetaStorage.open(url, { ...options, pool: { max: POOL_SIZE } })))
  onTestFinished(async () => {
    await Promise.all(storages.map((meta) => meta.close()))
  })
  // No limit on calls in flight: a burst far above the pool size must queue inside the storage,
  // not time out waiting for a connection.
  return storages.map((meta) => ({ meta, run: (call) => call(meta) }))
}

/** The whole feed of a workspace, page by page. */
async function feed({ meta }: Relay, workspace: string): Promise<FeedEntry[]> {
  const entries: FeedEntry[] = []
  for (let since = 0, more = true; more; ) {
    const page = await meta.changes(workspace, since, 50)
    entries.push(...page.entries)
    ;({ cursor: since, more } = page)
  }
  return entries
}

describe('PostgresMetaStorage shared by several relays', () => {
  it('decides an op id posted through three relays at once once: one applied, two duplicates, one feed entry', async () => {
    const relays = await threeRelays()
    // The first round also races the creation of the workspace's sequence row.
    for (let round = 1; round <= 15; round++) {
      const same = create(`n${round}`, { opId: `same-${round}` })
      const answers = (await Promise.all(relays.map((r) => r.run((meta) => meta.applyOps('w', [same], decide))))).map((results) => results[0]!)
      expect(answers.map((a) => a.status).sort()).toEqual(['applied', 'duplicate', 'duplicate'])
      for (const answer of answers) expect(answer).toMatchObject({ opId: same.opId, seq: round, record: { id: `n${round}`, version: round } })
      for (const answer of answers.filter((a) => a.status === 'duplicate')) expect(answer.original).toEqual({ status: 'applied', seq: round })
    }
    const entries = await feed(relays[0]!, 'w')
    expect(entries.map((e) => [e.id, e.seq])).toEqual(range(1, 15).map((n) => [`n${n}`, n]))
    expect(await relays[2]!.meta.latestSeq('w')).toBe(15)
  })

  it('gives many concurrent writes from three relays the seqs 1..n, each once, across workspaces', async () => {
    const relays = await threeRelays()
    const n = 300
    const contents = n / 10
    const ops: Promise<OpResult[]>[] = []
    const content: Promise<[w: number, v: number]>[] = []
    for (const i of range(1, n)) {
      ops.push(relays[i % 3]!.run((meta) => meta.applyOps('w', [create(`c${i}`)], decide)))
      if (i % 10 !== 0) continue
      // Content changes of two workspaces, listed in either order: the storage locks them in one
      // order whatever the list says, so they neither deadlock with each other nor with the ops.
      const notes = [
        { workspace: 'w', noteId: `content${i}` },
        { workspace: 'v', noteId: `content${i}` },
      ]
      if (i % 20 === 0) notes.reverse()
      const changes = notes.map((note) => ({ note, decide: contentDecider({ note: () => EMPTY, history: () => EMPTY }, NOW) }))
      const inW = notes.findIndex((nt) => nt.workspace === 'w')
      content.push(relays[(i + 1) % 3]!.run((meta) => meta.recordContentChanges(changes)).then((seqs) => [seqs[inW]!, seqs[1 - inW]!]))
    }
    // Awaited together, so a failure of either is reported as it is, not as the other's rejection.
    const [answers, contentSeqs] = await Promise.all([Promise.all(ops), Promise.all(content)])
    const seqs = answers.map((results) => results[0]!.seq!)
    const total = n + contents
    expect([...seqs, ...contentSeqs.map(([inW]) => inW)].sort((a, b) => a - b)).toEqual(range(1, total))
    expect(contentSeqs.map(([, inV]) => inV).sort((a, b) => a - b)).toEqual(range(1, contents))

    const w = await feed(relays[1]!, 'w')
    expect(w.map((e) => e.seq)).toEqual(range(1, total))
    expect(new Set(w.map((e) => e.id)).size).toBe(total)
    const v = await feed(relays[2]!, 'v')
    expect(v.map((e) => e.seq)).toEqual(range(1, contents))
    // Each answer names the seq its entity holds in the feed.
    for (const [i, seq] of seqs.entries()) expect(w[seq - 1]!.id).toBe(`c${i + 1}`)
    expect(await relays[0]!.meta.latestSeq('w')).toBe(total)
  })

  it('never shows a long-poller a seq before the ones below it, while commits are delayed', async () => {
    // Some transactions linger between their writes and COMMIT: long enough for a later seq to
    // commit first, were seqs not handed out one committed transaction after another.
    const relays = await threeRelays({ beforeCommit: async () => (Math.random() < 0.4 ? sleep(Math.random() * 15) : undefined) })
    const n = 150
    let writing = true
    const writes = Promise.all(range(1, n).map((i) => relays[i % 3]!.run((meta) => meta.applyOps('w', [create(`p${i}`)], decide)))).finally(() => {
      writing = false
    })

    // A poller that moves its cursor as a client does, and one that rereads the whole feed.
    const seen: number[] = []
    const poll = async (): Promise<void> => {
      let since = 0
      for (let done = false; !done; ) {
        // Read before the page: the poll ends on an empty page fetched after the last commit.
        const last = !writing
        const page = await relays[since % 3]!.meta.changes('w', since, 7)
        // Only creates: one entity per seq, so a page is exactly the seqs after the cursor.
        expect(page.entries.map((e) => e.seq)).toEqual(range(since + 1, page.cursor))
        seen.push(...page.entries.map((e) => e.seq))
        since = page.cursor
        done = last && page.entries.length === 0
        if (page.entries.length === 0) await sleep(1)
      }
    }
    const reread = async (): Promise<void> => {
      while (writing) {
        const all = (await relays[2]!.meta.changes('w', 0, 10_000)).entries.map((e) => e.seq)
        expect(all).toEqual(range(1, all.length))
        await sleep(2)
      }
    }
    await Promise.all([writes, poll(), reread()])
    expect(seen).toEqual(range(1, n))
  })
  it('answers a burst to one workspace far larger than its pool, however long the workspace lock is held', async () => {
    const url = await postgres!.createDatabase()
    // Each transaction holds the workspace lock 25 ms: 300 of them take ~7.5 s, longer than the
    // pool lets a request wait for a connection (5 s). Queued inside the storage, none times out.
    const meta = await PostgresMetaStorage.open(url, { pool: { max: 2 }, beforeCommit: () => sleep(25) })
    onTestFinished(() => meta.close())
    const answers = await Promise.all(range(1, 300).map((i) => meta.applyOps('w', [create(`b${i}`)], decide)))
    expect(answers.map((r) => r[0]!.seq).sort((a, b) => a! - b!)).toEqual(range(1, 300))
  }, 60_000)

  it('runs a transaction again when PostgreSQL aborts it to break a deadlock', async () => {
    const url = await postgres!.createDatabase()
    const meta = await PostgresMetaStorage.open(url)
    onTestFinished(() => meta.close())
    await meta.recordContentChanges([{ note: { workspace: 'a', noteId: 'x' }, decide: contentDecider({ note: () => EMPTY, history: () => EMPTY }, NOW) }])
    await meta.recordContentChanges([{ note: { workspace: 'b', noteId: 'x' }, decide: contentDecider({ note: () => EMPTY, history: () => EMPTY }, NOW) }])

    // Another session holds b's row; the storage locks a, then waits for b; the session then asks
    // for a. The storage's wait is the older one, so its deadlock check fires first (the other
    // session checks only after 10 s) and PostgreSQL aborts the storage's transaction.
    const other = new pg.Client({ connectionString: url })
    await other.connect()
    onTestFinished(() => other.end())
    await other.query("SET deadlock_timeout = '10s'")
    await other.query('BEGIN')
    await other.query("SELECT seq FROM meta_workspace_seq WHERE workspace = 'b' FOR UPDATE")
    const both = ['a', 'b'].map((workspace) => ({ note: { workspace, noteId: 'y' }, decide: contentDecider({ note: () => EMPTY, history: () => EMPTY }, NOW) }))
    const recorded = meta.recordContentChanges(both)
    // Judged at the end; meanwhile a rejection is not an unhandled one.
    recorded.catch(() => undefined)
    const waiting = async (): Promise<boolean> => {
      // Inside a transaction, pg_stat_activity is read once and kept: drop that copy each time.
      await other.query('SELECT pg_stat_clear_snapshot()')
      const { rowCount } = await other.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE%' AND pid <> pg_backend_pid()",
      )
      return rowCount! > 0
    }
    for (const deadline = Date.now() + 10_000; !(await waiting()); await sleep(10)) {
      if (Date.now() > deadline) throw new Error('the storage never waited for the row lock the other session holds')
    }
    const otherLocked = other.query("SELECT seq FROM meta_workspace_seq WHERE workspace = 'a' FOR UPDATE")
    // The storage's attempt is aborted, which frees a for the other session; it then commits,
    // and the storage's next attempt finds both rows free.
    await otherLocked
    await other.query('COMMIT')
    expect(await recorded).toEqual([2, 2])
  })
})
