// Several relay processes on one PostgreSQL and one Redis, all real, under load and faults. Every
// claim is checked against what PostgreSQL holds and what each relay serves, never against the
// relays' own word: an edit a relay acknowledged as stored must be in the document rebuilt from
// PostgreSQL and on every relay, clients converge byte for byte, and the feed is one gap-free
// sequence per workspace, the same from every relay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import { trackStoredAcks } from '../../renderer/sync/stored-acks'
import { encodeContentSnapshot } from '../../protocol/meta/snapshots'
import { CloseCode } from '../../server/close-codes'
import { PostgresDocStorage } from '../../server/postgres/doc-storage'
import type { FeedEntry } from '../../protocol/meta/types'
import { startCluster, waitReady, type ClusterRelay } from '../helpers/cluster'
import { allChanges, getChanges, op, postOps, metricValue, sendOps } from '../helpers/meta'
import { prng, testSeed } from '../helpers/prng'
import { connectClient, freePort, rawSocket, tempDir, waitFor, whenSynced } from '../helpers/relay'
import { spawnRelayProcess } from '../helpers/relay-process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { startPostgres, startRedis, type PostgresServer, type RedisServer } from '../helpers/servers'

let postgres: PostgresServer
let redis: RedisServer

beforeAll(async () => {
  ;[postgres, redis] = await Promise.all([startPostgres(), startRedis()])
}, 60_000)

afterAll(async () => {
  await Promise.all([postgres?.stop(), redis?.stop()])
})

/** A stock y-websocket client that records the highest clock of its own edits a stored ack covered. */
class Writer {
  readonly doc = new Y.Doc()
  readonly provider: WebsocketProvider
  /** Highest clock of this client's own edits its relay said is stored. */
  acked = 0

  constructor(
    readonly relay: ClusterRelay,
    readonly room: string,
  ) {
    this.provider = new WebsocketProvider(relay.wsUrl, room, this.doc, { WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, disableBc: true })
    trackStoredAcks(this.provider, (sv) => {
      this.acked = Math.max(this.acked, Y.decodeStateVector(sv).get(this.doc.clientID) ?? 0)
    })
  }

  type(r: ReturnType<typeof prng>): void {
    const text = this.doc.getText('t')
    text.insert(r.int(0, text.length), String.fromCharCode(97 + r.int(0, 25)))
  }

  destroy(): void {
    this.provider.destroy()
    this.doc.destroy()
  }
}

/** The room's document as PostgreSQL holds it (snapshot and entries), read by a storage of our own. */
async function storedDoc(url: string, room: string): Promise<Y.Doc> {
  const storage = await PostgresDocStorage.open(url, { migrate: false })
  try {
    const doc = new Y.Doc()
    const state = await storage.load({ workspace: 'default', room })
    if (state) Y.applyUpdate(doc, state)
    return doc
  } finally {
    await storage.close()
  }
}

/** What a fresh stock client gets from `relay` for the room. */
async function servedDoc(relay: ClusterRelay, room: string): Promise<Y.Doc> {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(relay.wsUrl, room, doc, { WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, disableBc: true })
  try {
    await whenSynced(provider)
    return doc
  } finally {
    provider.destroy()
  }
}

const covers = (doc: Y.Doc, clientId: number, clock: number): boolean => (Y.decodeStateVector(Y.encodeStateVector(doc)).get(clientId) ?? 0) >= clock

/** Every acknowledged edit is in PostgreSQL and on every running relay; every client of a room holds the same bytes. */
async function auditRooms(url: string, writers: readonly Writer[], relays: readonly ClusterRelay[], label: string): Promise<void> {
  const rooms = [...new Set(writers.map((w) => w.room))]
  const acked = new Map(writers.map((w) => [w, w.acked]))
  for (const room of rooms) {
    const inRoom = writers.filter((w) => w.room === room)
    // Clients converge: the same bytes as each other and as PostgreSQL (read again until they do:
    // a relay may still be storing what it held while PostgreSQL was away).
    let stored = new Y.Doc()
    await waitFor(
      `${label}: clients of ${room} converge on what PostgreSQL holds`,
      async () => {
        stored.destroy()
        stored = await storedDoc(url, room)
        const expected = Buffer.from(Y.encodeStateAsUpdate(stored))
        return inRoom.every((w) => Buffer.from(Y.encodeStateAsUpdate(w.doc)).equals(expected))
      },
      30_000,
    )
    for (const w of inRoom) expect(covers(stored, w.doc.clientID, acked.get(w)!), `${label}: ${room}: an edit acknowledged to client ${w.doc.clientID} is not in PostgreSQL`).toBe(true)
    const expected = Buffer.from(Y.encodeStateAsUpdate(stored))
    for (const relay of relays.filter((r) => r.running)) {
      const served = await servedDoc(relay, room)
      expect(Buffer.from(Y.encodeStateAsUpdate(served)).equals(expected), `${label}: relay ${relay.port} serves ${room} differently from PostgreSQL`).toBe(true)
      served.destroy()
    }
    stored.destroy()
  }
}

/** The feed from every relay: entities in seq order, each once, the same everywhere. */
async function auditFeed(relays: readonly ClusterRelay[], label: string): Promise<FeedEntry[]> {
  const feeds = await Promise.all(relays.filter((r) => r.running).map((r) => allChanges(r.url)))
  const seqs = feeds[0]!.map((e) => e.seq)
  expect(seqs, `${label}: feed seqs only grow`).toEqual([...new Set(seqs)].sort((x, y) => x - y))
  for (const feed of feeds.slice(1)) expect(feed, `${label}: every relay serves the same feed`).toEqual(feeds[0])
  return feeds[0]!
}

/**
 * A device following the feed with long-polls, each to a random running relay, moving its cursor
 * only forward. Had any relay ever shown seq n + 1 before n committed, the follower would have
 * skipped n for good, and its view would differ from a full read at the end.
 */
function followFeed(relays: readonly ClusterRelay[], r: ReturnType<typeof prng>) {
  const view = new Map<string, number>()
  let cursor = 0
  let running = true
  const done = (async () => {
    while (running) {
      const relay = r.pick(relays.filter((x) => x.running).length > 0 ? relays.filter((x) => x.running) : relays)
      const res = await getChanges(relay.url, { since: cursor, wait: 1 }).catch(() => null)
      if (!res || res.status !== 200) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        continue
      }
      for (const e of res.body.entries) view.set(`${e.type}:${e.id}`, e.seq)
      cursor = res.body.cursor
    }
  })()
  return {
    async stop(): Promise<void> {
      running = false
      await done
    },
    /** Reads up to the end of the feed, then stops: the view it ends with. */
    async finish(relay: ClusterRelay): Promise<Map<string, number>> {
      running = false
      await done
      for (;;) {
        const { body } = await getChanges(relay.url, { since: cursor })
        for (const e of body.entries) view.set(`${e.type}:${e.id}`, e.seq)
        cursor = body.cursor
        if (!body.more) return view
      }
    },
  }
}

describe('several relays on one PostgreSQL and one Redis', () => {
  it('serve as one: edits, presence and the feed cross relays, and an op id posted to all three is applied once', async () => {
    const url = await postgres.createDatabase()
    const relays = await startCluster(3, { postgresUrl: url, redisUrl: redis.url })
    const [a, b, c] = relays.map((relay) => new Writer(relay, 'note/one-service'))
    await Promise.all([a, b, c].map((w) => whenSynced(w!.provider)))

    a!.doc.getText('t').insert(0, 'typed on relay one')
    await waitFor('an edit made on one relay reaches clients of the other two', () => [b, c].every((w) => w!.doc.getText('t').toString() === 'typed on relay one'))
    b!.provider.awareness.setLocalStateField('user', { name: 'Bea' })
    await waitFor("a caret on relay two shows on relay three's client", () => [...c!.provider.awareness.getStates().values()].some((s) => (s as { user?: { name: string } }).user?.name === 'Bea'))

    // One op id, to all three at once: one applied answer, two duplicates, one feed entry.
    const create = op('note.create', 'n-once', { title: 'Once', folderId: null, tags: [] })
    const answers = await Promise.all(relays.map((r) => postOps(r.url, [create])))
    const statuses = answers.map((res) => res.body.results[0]!.status).sort()
    expect(statuses).toEqual(['applied', 'duplicate', 'duplicate'])
    // The typed note's content change is recorded after a quiet spell; let it land first.
    await waitFor('the content change in the feed', async () => (await allChanges(relays[0]!.url)).some((e) => e.id === 'one-service'))
    const feed = await auditFeed(relays, 'one op id')
    expect(feed.filter((e) => e.id === 'n-once')).toHaveLength(1)

    // A long-poll on one relay wakes for an op committed on another.
    const since = feed.at(-1)!.seq
    const polled = getChanges(relays[2]!.url, { since, wait: 20 })
    await new Promise((resolve) => setTimeout(resolve, 300))
    const started = Date.now()
    await postOps(relays[0]!.url, [op('note.create', 'n-woken', { title: 'Woken', folderId: null, tags: [] })])
    const woken = await polled
    expect(woken.body.entries.map((e) => e.id)).toContain('n-woken')
    expect(Date.now() - started, 'the long-poll woke through Redis, not its periodic re-read').toBeLessThan(1_500)

    const ready = await relays[1]!.ready()
    expect(ready).toEqual({ status: 200, body: { status: 'ready', redis: 'up' } })
    for (const w of [a, b, c]) w!.destroy()
  }, 90_000)

  it("forgets the presence of a dead relay's clients after the awareness timeout", async () => {
    const url = await postgres.createDatabase()
    const relays = await startCluster(2, { postgresUrl: url, redisUrl: redis.url })
    // A connection that keeps the room open on the first relay but never speaks presence (stock
    // clients would time the caret out themselves and tell the relay; this one does not).
    const holder = await rawSocket(relays[0]!.wsUrl, 'note/presence')
    holder.on('message', () => undefined)
    const there = new Writer(relays[1]!, 'note/presence')
    await whenSynced(there.provider)
    there.provider.awareness.setLocalStateField('user', { name: 'Gone' })
    const seesGone = (w: Writer) => [...w.provider.awareness.getStates().values()].some((s) => (s as { user?: { name: string } }).user?.name === 'Gone')
    const probe = new Writer(relays[0]!, 'note/presence')
    await waitFor('the caret reaches the other relay', () => seesGone(probe))
    probe.destroy()
    // Its relay dies without a word: no removal is ever announced.
    await relays[1]!.stop('SIGKILL')
    there.destroy()
    await new Promise((resolve) => setTimeout(resolve, 36_000))
    // A client joining now must not be shown a caret nobody has renewed for 30 s.
    const late = new Writer(relays[0]!, 'note/presence')
    await whenSynced(late.provider)
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(seesGone(late)).toBe(false)
    late.destroy()
  }, 90_000)

  const seed = testSeed()
  it(`lose no acknowledged edit through a killed relay, a killed Redis, a PostgreSQL restart and a rolling restart (seed ${seed})`, async () => {
    const r = prng(seed)
    const url = await postgres.createDatabase()
    const relays = await startCluster(3, { postgresUrl: url, redisUrl: redis.url, args: ['--rate-limit', '1000', '--rate-burst', '2000'] })
    // 30 writers in 10 rooms, each room's three on three different relays.
    const writers = Array.from({ length: 30 }, (_, i) => new Writer(relays[i % 3]!, `note/load-${Math.floor(i / 3)}`))
    await Promise.all(writers.map((w) => whenSynced(w.provider)))
    const opAnswers: { entity: string; status: string }[] = []
    const follower = followFeed(relays, r)
    const pause = async (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
    let ops = 0
    /** Writers type and metadata clients post ops to random running relays until the returned stop. */
    const load = () => {
      let running = true
      const done = (async () => {
        for (let tick = 0; running; tick++) {
          for (const w of writers) if (r.next() < 0.5) w.type(r)
          if (tick % 5 === 0) {
            const target = r.pick(relays.filter((x) => x.running))
            const create = op('note.create', `n-${++ops}`, { title: `Note ${ops}`, folderId: null, tags: [] })
            void postOps(target.url, [create]).then(
              (res) => res.status === 200 && opAnswers.push({ entity: create.entity, status: res.body.results[0]!.status }),
              () => undefined, // a relay killed mid-request: the op was applied once or not at all
            )
          }
          await pause(50)
        }
      })()
      return async () => {
        running = false
        await done
      }
    }
    /** Everything the issue asks to hold after each fault, against PostgreSQL and every relay. */
    const afterFault = async (label: string) => {
      await auditRooms(url, writers, relays, label)
      await auditFeed(relays, label)
      // One op id posted to every relay at once: one applied answer, the others duplicates, one feed entry.
      const once = op('note.create', `once-${label.replace(/\W+/g, '-')}`, { title: label, folderId: null, tags: [] })
      const answers = await Promise.all(relays.map((x) => postOps(x.url, [once])))
      expect(answers.map((a) => a.body.results[0]!.status).sort(), `${label}: one op id on every relay`).toEqual(['applied', ...relays.slice(1).map(() => 'duplicate')])
      expect((await auditFeed(relays, label)).filter((e) => e.id === once.entity), `${label}: one feed entry`).toHaveLength(1)
    }
    let stop = load()
    try {
      await pause(1_500)
      expect(writers.some((w) => w.acked > 0), 'nothing was acknowledged under load').toBe(true)

      // 1. SIGKILL one relay mid-load; its clients reconnect to it once it is back.
      await relays[1]!.stop('SIGKILL')
      await pause(r.int(300, 900))
      await relays[1]!.start()
      await pause(1_000)
      await stop()
      await afterFault('after a relay was killed')

      // 2. SIGKILL Redis mid-load and bring it back: writes keep being stored; clients converge after.
      stop = load()
      await pause(500)
      await redis.kill()
      await waitFor('relays to report Redis down', async () => (await relays[0]!.ready()).body.redis === 'down', 15_000)
      const whileDown = await relays[0]!.ready()
      expect(whileDown.status, 'Redis down keeps a relay ready').toBe(200)
      await pause(1_000)
      // Typing stops before Redis returns: only the relays' catching up on reconnect can bring
      // each client what was typed on the other relays meanwhile.
      await stop()
      await pause(500)
      expect(writers.some((w) => w.doc.getText('t').toString() !== writers.find((x) => x.room === w.room)!.doc.getText('t').toString()), 'clients diverged while Redis was down').toBe(true)
      await redis.restart()
      await waitFor('relays to report Redis up', async () => (await Promise.all(relays.map((x) => x.ready()))).every((a) => a.body.redis === 'up'), 20_000)
      await afterFault('after Redis came back')

      // 3. PostgreSQL restarts: every relay is not ready meanwhile, and recovers by itself.
      stop = load()
      await pause(500)
      postgres.halt()
      await waitReady(relays, 503)
      await pause(1_000)
      postgres.resume()
      await waitReady(relays, 200, 30_000)
      await pause(1_000)
      await stop()
      await afterFault('after PostgreSQL restarted')

      // 4. Rolling restart with SIGTERM, one relay at a time, under load.
      stop = load()
      for (const relay of relays) {
        await relay.stop('SIGTERM')
        await relay.start()
        await pause(500)
      }
      await stop()
      await afterFault('after a rolling restart')
      const feed = await auditFeed(relays, 'at the end')
      const created = new Set(feed.filter((e) => e.type === 'note' && e.record !== null).map((e) => e.id))
      const applied = opAnswers.filter((a) => a.status === 'applied')
      expect(applied.length, 'ops were applied under load').toBeGreaterThan(10)
      expect(applied.filter((a) => !created.has(a.entity)), 'every op answered as applied is in the feed').toEqual([])
      const followed = await follower.finish(relays[0]!)
      expect(followed, 'a long-polling follower ends with exactly what a full read shows').toEqual(new Map(feed.map((e) => [`${e.type}:${e.id}`, e.seq])))
      const metrics = await relays[0]!.metrics()
      expect(metricValue(metrics, 'skein_redis_up')).toBe(1)
    } catch (err) {
      for (const relay of relays) console.error(`relay ${relay.port} stderr:\n${relay.log.slice(-4000)}`)
      throw err
    } finally {
      // A failure mid-fault must not leave the servers down for the next tests.
      postgres.resume()
      if (!(await redis.ping())) await redis.restart()
      await stop()
      await follower.stop()
      for (const w of writers) w.destroy()
    }
  }, 240_000)

  it("closes a revoked token's sockets on every relay when one relay's token file is reloaded", async () => {
    const url = await postgres.createDatabase()
    const keep = 'keep-this-token-1234567'
    const revoke = 'revoke-this-token-123456'
    // Each relay reads its own copy of the file, as on separate machines.
    const files = [join(tempDir(), 'auth.json'), join(tempDir(), 'auth.json')]
    const write = (file: string, tokens: string[]) =>
      writeFileSync(file, JSON.stringify({ tokens: tokens.map((token) => ({ token, workspace: 'team', access: 'read-write' })) }))
    const relays = await startCluster(2, { postgresUrl: url, redisUrl: redis.url, args: [] })
    // startCluster started them without auth; restart each on its own file.
    for (const [i, relay] of relays.entries()) {
      write(files[i]!, [keep, revoke])
      await relay.stop()
      relay.extraArgs = ['--auth', files[i]!]
      await relay.start()
    }
    const onSecond = connectClient(relays[1]!.wsUrl, 'note/revoked', new Y.Doc(), { params: { token: revoke } })
    const kept = connectClient(relays[1]!.wsUrl, 'note/revoked', new Y.Doc(), { params: { token: keep } })
    await Promise.all([whenSynced(onSecond.provider), whenSynced(kept.provider)])
    const codes: number[] = []
    onSecond.provider.on('connection-close', (e: CloseEvent | null) => e && codes.push(e.code))

    write(files[0]!, [keep])
    relays[0]!.signal('SIGHUP')
    await waitFor('the revoked token closed on the other relay', () => codes.length > 0)
    expect(codes[0]).toBe(4401)
    // It stays out there (until that relay's own file is reloaded), and the other token stays in.
    // (The stock client treats 44xx as final; a user signing in again is a deliberate reconnect.)
    onSecond.provider.connect()
    await waitFor('the revoked token refused again on reconnect', () => codes.length > 1)
    expect(codes.every((c) => c === 4401)).toBe(true)
    expect(kept.provider.wsconnected).toBe(true)
  }, 60_000)

  it('refuses, in one line, to start against a schema newer than it knows', async () => {
    const url = await postgres.createDatabase()
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      await client.query('CREATE TABLE skein_schema (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())')
      await client.query("INSERT INTO skein_schema (version, name) VALUES (999, 'from the future')")
    } finally {
      await client.end()
    }
    const relay = spawnRelayProcess(await freePort(), tempDir(), ['--postgres', url])
    let stderr = ''
    relay.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
    await relay.exited
    expect(relay.child.exitCode).toBe(1)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toMatch(/schema is at version 999, newer than this relay knows/)
  }, 30_000)

  it('refuses --redis without --postgres, and fails in one line when PostgreSQL cannot be reached', async () => {
    const noPg = spawnRelayProcess(await freePort(), tempDir(), ['--redis', redis.url])
    let stderr = ''
    noPg.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
    await noPg.exited
    expect(noPg.child.exitCode).toBe(2)
    expect(stderr).toMatch(/pass --postgres too/)

    const unreachable = spawnRelayProcess(await freePort(), tempDir(), ['--postgres', `postgres://skein:secret@127.0.0.1:${await freePort()}/skein`])
    let err2 = ''
    unreachable.child.stderr!.on('data', (d: Buffer) => (err2 += d.toString()))
    await unreachable.exited
    expect(unreachable.child.exitCode).toBe(1)
    expect(err2.trim().split('\n')).toHaveLength(1)
    expect(err2).toMatch(/cannot use PostgreSQL at postgres:\/\/skein:\*\*\*@127\.0\.0\.1/)
    expect(err2).not.toContain('secret')
  }, 30_000)

  it('purges a note deleted forever on one relay from every relay: peers elsewhere are closed and cannot store the copy back', async () => {
    const url = await postgres.createDatabase()
    const relays = await startCluster(2, { postgresUrl: url, redisUrl: redis.url, args: ['--purge-after-days', '0'] })
    const secret = `secret-${Date.now()}`
    await sendOps(relays[0]!.url, [op('note.create', 'gone', { title: 'Gone', folderId: null, tags: [] })])
    // The writer has the note open on the second relay, and stays.
    const writer = new Writer(relays[1]!, 'note/gone')
    await whenSynced(writer.provider)
    const closes: number[] = []
    writer.provider.on('connection-close', (e: CloseEvent | null) => e && closes.push(e.code))
    writer.doc.getText('t').insert(0, secret)
    const typed = Y.decodeStateVector(Y.encodeStateVector(writer.doc)).get(writer.doc.clientID)!
    await waitFor('the text stored', () => writer.acked >= typed)
    // Deleted forever through the first relay, which purges at once.
    const snapshot = encodeContentSnapshot(writer.doc)
    const [trashed, deleted] = await sendOps(relays[0]!.url, [op('note.trash', 'gone', { snapshot }), op('note.delete', 'gone', { snapshot })])
    expect([trashed!.status, deleted!.status]).toEqual(['applied', 'applied'])
    await waitFor('the writer on the other relay closed, then refused its copy', () => closes.includes(CloseCode.deletedForever), 20_000)
    expect(closes[0]).toBe(CloseCode.roomPurged)
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      const { rows } = await client.query<{ n: string }>("SELECT count(*) AS n FROM doc_entries WHERE room = 'note/gone' OR position($1::bytea in data) > 0", [Buffer.from(secret)])
      expect(Number(rows[0]!.n), 'nothing of the purged note is stored').toBe(0)
    } finally {
      await client.end()
    }
    writer.destroy()
  }, 60_000)
})
