import { describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { OLDEST_PENDING_HEADER } from '../../protocol/http-api'
import { AuthTable } from '../../server/auth'
import { META_FILE_NAME } from '../../server/meta/store'
import { startTestRelay, tempDir } from '../helpers/relay'
import { allChanges, getChanges, metricValue, op, postOps, rawRequest, sendOps } from '../helpers/meta'

const TOKENS = {
  aliceRw: 'alice-read-write-token-0001',
  aliceRo: 'alice-read-only-token-00001',
  bobRw: 'bob-read-write-token-000001',
}
const authTable = () =>
  AuthTable.parse(
    JSON.stringify({
      tokens: [
        { token: TOKENS.aliceRw, workspace: 'alice', access: 'read-write' },
        { token: TOKENS.aliceRo, workspace: 'alice', access: 'read-only' },
        { token: TOKENS.bobRw, workspace: 'bob', access: 'read-write' },
      ],
    }),
  )

const create = (id: string, extra: Parameters<typeof op>[3] = {}) => op('note.create', id, { title: `Note ${id}`, folderId: null, tags: [] }, extra)

describe('POST /v1/ops', () => {
  it('answers applied, conflict, rejected and duplicate, each with the current record', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const [created] = await sendOps(relay.url, [create('n1')])
    expect(created).toMatchObject({ status: 'applied', seq: 1, record: { id: 'n1', title: 'Note n1', version: 1 } })
    const base = created!.record!.version
    const ghostOp = op('note.pin', 'nobody', { pinned: true })
    const [mine, theirs, ghost] = await sendOps(relay.url, [
      op('note.rename', 'n1', { title: 'Mine' }, { baseVersion: base, device: 'dev-a' }),
      op('note.rename', 'n1', { title: 'Theirs' }, { baseVersion: base, device: 'dev-b' }),
      ghostOp,
    ])
    expect(mine).toMatchObject({ status: 'applied', seq: 2 })
    expect(theirs).toMatchObject({ status: 'conflict', seq: 3, record: { title: 'Mine', version: 3 } })
    expect(theirs!.record!.type === 'note' && theirs!.record!.conflicts.title!.candidates.map((c) => c.value)).toEqual(['Mine', 'Theirs'])
    expect(ghost).toMatchObject({ status: 'rejected', seq: null, record: null, reason: 'no such note' })

    const repeat = create('n1', { opId: created!.opId })
    const [dup] = await sendOps(relay.url, [repeat])
    expect(dup).toMatchObject({ opId: created!.opId, status: 'duplicate', seq: 1, original: { status: 'applied', seq: 1 } })
    expect(dup!.record).toMatchObject({ title: 'Mine', version: 3 }) // the record as it is now
    const [dupRejected] = await sendOps(relay.url, [ghostOp])
    expect(dupRejected).toMatchObject({ status: 'duplicate', original: { status: 'rejected', seq: null, reason: 'no such note' } })
  })

  it('applies an op id once when it is sent twice in a row, twice in one request, or concurrently', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    await sendOps(relay.url, [create('n1')])
    const tag = op('note.tag', 'n1', { tag: 'x' })
    const [first] = await sendOps(relay.url, [tag])
    const [second] = await sendOps(relay.url, [tag])
    expect(first!.status).toBe('applied')
    expect(second).toMatchObject({ status: 'duplicate', original: { status: 'applied', seq: first!.seq } })

    const pin = op('note.pin', 'n1', { pinned: true })
    const both = await sendOps(relay.url, [pin, pin])
    expect(both.map((r) => r.status)).toEqual(['applied', 'duplicate'])

    const untag = op('note.untag', 'n1', { tag: 'x' }, { baseVersion: first!.seq! })
    const answers = await Promise.all(Array.from({ length: 8 }, () => sendOps(relay.url, [untag])))
    const statuses = answers.map(([r]) => r!.status)
    expect(statuses.filter((s) => s === 'applied')).toHaveLength(1)
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(7)
    const seqs = new Set(answers.map(([r]) => r!.seq ?? r!.original?.seq))
    expect(seqs.size).toBe(1)
    const feed = await allChanges(relay.url)
    expect(feed).toHaveLength(1)
    expect(feed[0]!.record).toMatchObject({ tags: [], pinned: true })
  })

  it('answers 503 with Retry-After on a storage failure and leaves nothing of the request applied', async () => {
    const dataDir = tempDir()
    const relay = await startTestRelay({ dataDir })
    // A real SQLite error in the middle of the request's transaction, after its first op wrote.
    const db = new Database(join(dataDir, META_FILE_NAME))
    db.exec(`CREATE TRIGGER fail_op BEFORE INSERT ON meta_ops WHEN NEW.op_id = 'op-boom' BEGIN SELECT RAISE(ABORT, 'disk I/O error (simulated)'); END`)
    const batch = [create('n1'), create('n2', { opId: 'op-boom' })]
    const failed = await postOps(relay.url, batch)
    expect(failed.status).toBe(503)
    expect(failed.headers.get('retry-after')).toBe('5')
    expect(failed.body.error).toMatch(/unavailable/)
    expect(await allChanges(relay.url)).toEqual([])
    db.exec('DROP TRIGGER fail_op')
    db.close()
    const retried = await sendOps(relay.url, batch)
    expect(retried.map((r) => r.status)).toEqual(['applied', 'applied'])
    expect((await allChanges(relay.url)).map((e) => e.id)).toEqual(['n1', 'n2'])
  })
})

describe('metadata API auth', () => {
  it('answers 401 without a token or with a wrong one, on both endpoints', async () => {
    const relay = await startTestRelay({ dataDir: tempDir(), auth: authTable() })
    const missing = await postOps(relay.url, [create('n1')])
    expect(missing).toMatchObject({ status: 401, body: { error: 'missing token' } })
    const wrong = await getChanges(relay.url, {}, 'not-a-real-token-at-all')
    expect(wrong).toMatchObject({ status: 401, body: { error: 'unknown token' } })
    expect((await getChanges(relay.url, { token: TOKENS.aliceRw })).status).toBe(200) // query parameter, as for WebSockets
  })

  it('lets a read-only token read the feed but answers its ops with 403', async () => {
    const relay = await startTestRelay({ dataDir: tempDir(), auth: authTable() })
    await sendOps(relay.url, [create('n1')], TOKENS.aliceRw)
    const refused = await postOps(relay.url, [op('note.rename', 'n1', { title: 'x' })], TOKENS.aliceRo)
    expect(refused).toMatchObject({ status: 403, body: { error: 'this token is read-only' } })
    const feed = await getChanges(relay.url, {}, TOKENS.aliceRo)
    expect(feed.body.entries.map((e) => e.record)).toMatchObject([{ title: 'Note n1' }])
  })

  it('keeps workspaces apart: records, op ids and feeds', async () => {
    const relay = await startTestRelay({ dataDir: tempDir(), auth: authTable() })
    const shared = create('n1', { opId: 'same-op-id' })
    expect((await sendOps(relay.url, [shared], TOKENS.aliceRw))[0]!.status).toBe('applied')
    // The same op id in another workspace is another op, and alice's note is not bob's.
    expect((await sendOps(relay.url, [op('note.pin', 'n1', { pinned: true }, { opId: 'other' })], TOKENS.bobRw))[0]).toMatchObject({ status: 'rejected', reason: 'no such note' })
    const bobCreated = (await sendOps(relay.url, [shared], TOKENS.bobRw))[0]!
    expect(bobCreated.status).toBe('applied')
    await sendOps(relay.url, [op('note.rename', 'n1', { title: 'Bob only' }, { baseVersion: bobCreated.seq! })], TOKENS.bobRw)
    const alice = await allChanges(relay.url, 0, TOKENS.aliceRw)
    const bob = await allChanges(relay.url, 0, TOKENS.bobRw)
    expect(alice.map((e) => e.record)).toMatchObject([{ title: 'Note n1' }])
    expect(bob.map((e) => e.record)).toMatchObject([{ title: 'Bob only' }])
  })

  it('rejects an op whose baseVersion is newer than anything in the workspace, with a reason, and writes nothing', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const created = (await sendOps(relay.url, [create('n1')]))[0]!
    await sendOps(relay.url, [op('note.rename', 'n1', { title: 'Seen' }, { baseVersion: created.seq! })])
    // A device that claims to have seen a future change must not win over a concurrent rename.
    const [future] = await sendOps(relay.url, [op('note.rename', 'n1', { title: 'From the future' }, { baseVersion: 10_000 })])
    expect(future).toMatchObject({ status: 'rejected', seq: null })
    expect(future!.reason).toMatch(/baseVersion 10000 is newer than the workspace's newest change \(\d+\)/)
    const feed = await allChanges(relay.url, 0)
    expect(feed.map((e) => e.record)).toMatchObject([{ title: 'Seen' }])
  })

  it('numbers each workspace\'s changes on its own, so one workspace cannot watch another\'s activity', async () => {
    const relay = await startTestRelay({ dataDir: tempDir(), auth: authTable() })
    for (let i = 0; i < 5; i++) await sendOps(relay.url, [create(`b${i}`)], TOKENS.bobRw)
    const [first] = await sendOps(relay.url, [create('a1')], TOKENS.aliceRw)
    expect(first!.seq).toBe(1)
    const alice = await getChanges(relay.url, { since: 0 }, TOKENS.aliceRw)
    expect(alice.body.cursor).toBe(1)
  })

  it('upgrades a metadata file written with one shared sequence: cursors and versions stay valid', async () => {
    const dir = tempDir()
    const old = new Database(join(dir, META_FILE_NAME))
    // The schema and rows as the relay wrote them before per-workspace sequences.
    old.exec(`
      CREATE TABLE meta_entities (workspace TEXT NOT NULL, type TEXT NOT NULL, id TEXT NOT NULL, record TEXT,
        version INTEGER NOT NULL DEFAULT 0, content_seq INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL, parent TEXT,
        PRIMARY KEY (workspace, type, id)) WITHOUT ROWID;
      CREATE TABLE meta_counter (only INTEGER PRIMARY KEY CHECK (only = 1), seq INTEGER NOT NULL);
      INSERT INTO meta_counter (only, seq) VALUES (1, 41);
      INSERT INTO meta_entities (workspace, type, id, record, version, content_seq, seq) VALUES ('default', 'note', 'old', NULL, 0, 40, 40);`)
    old.close()
    const relay = await startTestRelay({ dataDir: dir })
    const [next] = await sendOps(relay.url, [create('n-after')])
    expect(next!.seq).toBe(42) // above everything the old file handed out
    const feed = await allChanges(relay.url, 0)
    expect(feed.map((e) => [e.id, e.seq])).toEqual([['old', 40], ['n-after', 42]])
  })

  it('reads the current token table per request (SIGHUP reload)', async () => {
    const relay = await startTestRelay({ dataDir: tempDir(), auth: authTable() })
    expect((await getChanges(relay.url, {}, TOKENS.aliceRw)).status).toBe(200)
    relay.setAuth(AuthTable.parse(JSON.stringify({ tokens: [{ token: TOKENS.bobRw, workspace: 'bob', access: 'read-write' }] })))
    expect((await getChanges(relay.url, {}, TOKENS.aliceRw)).status).toBe(401)
  })
})

describe('metadata API bad input', () => {
  it('answers 400 for a wrong content type, bad JSON, malformed ops and bad feed parameters, and keeps serving', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const post = (body: string, contentType = 'application/json') => rawRequest(relay.url, { method: 'POST', path: '/v1/ops', headers: { 'content-type': contentType }, body })
    const cases: [Promise<{ status: number; text: string }>, string][] = [
      [post('{"ops":[]}', 'text/plain'), 'content-type must be application/json'],
      [post('{"ops": ['), 'body is not valid JSON'],
      [post(JSON.stringify({ ops: [{ ...create('n1'), kind: 'note.explode' }] })), 'ops[0]: unknown op kind "note.explode"'],
      [post(JSON.stringify({ ops: [create('n1'), { ...create('n2'), baseVersion: -1 }] })), 'ops[1]: baseVersion must be a non-negative integer'],
    ]
    for (const [answer, error] of cases) expect(await answer).toMatchObject({ status: 400, text: JSON.stringify({ error }) })
    for (const query of ['since=-1', 'since=abc', 'limit=0', 'limit=1001', 'wait=31']) {
      const res = await fetch(`${relay.url}/v1/changes?${query}`)
      expect(res.status, query).toBe(400)
      expect(((await res.json()) as { error: string }).error).toMatch(/must be an integer/)
    }
    expect(await allChanges(relay.url)).toEqual([])
    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200)
  })

  it('answers 413 to a body over 8 MiB without reading it all, declared or streamed', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const big = Buffer.alloc(12 * 1024 * 1024, 'a')
    const declared = await rawRequest(relay.url, { method: 'POST', path: '/v1/ops', headers: { 'content-type': 'application/json', 'content-length': big.length }, body: big })
    expect(declared).toMatchObject({ status: 413, text: JSON.stringify({ error: 'body larger than 8388608 bytes' }) })
    const chunked = await rawRequest(relay.url, { method: 'POST', path: '/v1/ops', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body: big })
    expect(chunked.status).toBe(413)
    expect((await sendOps(relay.url, [create('n1')]))[0]!.status).toBe('applied')
  })

  it('answers 404 for an unknown /v1 path and 405 for a wrong method', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    expect((await fetch(`${relay.url}/v1/nope`)).status).toBe(404)
    expect((await fetch(`${relay.url}/v1`)).status).toBe(404)
    const getOps = await fetch(`${relay.url}/v1/ops`)
    expect(getOps.status).toBe(405)
    expect(getOps.headers.get('allow')).toBe('POST, OPTIONS')
    expect((await fetch(`${relay.url}/v1/changes`, { method: 'DELETE' })).status).toBe(405)
  })
})

describe('metadata API CORS', () => {
  it('answers the desktop app\'s preflight and names its origin; other origins get no CORS headers', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const preflight = (origin: string) =>
      rawRequest(relay.url, {
        method: 'OPTIONS',
        path: '/v1/ops',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      })
    const app = await preflight('app://skein')
    expect(app.status).toBe(204)
    expect(app.headers['access-control-allow-origin']).toBe('app://skein')
    expect(app.headers['access-control-allow-methods']).toMatch(/POST/)
    expect(app.headers['access-control-allow-headers']).toMatch(/authorization/)
    expect(app.headers['access-control-allow-headers']).toMatch(/content-type/)
    const evil = await preflight('https://evil.example')
    expect(evil.status).toBe(403)
    expect(evil.headers['access-control-allow-origin']).toBeUndefined()

    const fromApp = await postOps(relay.url, [create('n1')], undefined, { origin: 'app://skein' })
    expect(fromApp.headers.get('access-control-allow-origin')).toBe('app://skein')
    const fromEvil = await getChanges(relay.url, {}, undefined, { origin: 'https://evil.example' })
    expect(fromEvil.headers.get('access-control-allow-origin')).toBeNull()
    const refusedApp = await postOps(relay.url, [create('n2')], undefined, { origin: 'app://skein', 'content-type': 'text/plain' })
    expect(refusedApp.status).toBe(400)
    expect(refusedApp.headers.get('access-control-allow-origin')).toBe('app://skein') // errors are readable by the app too
  })
})

describe('metadata metrics', () => {
  it('counts ops by status, times requests, and shows the oldest pending age clients report', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const created = create('n1')
    await sendOps(relay.url, [created, op('note.pin', 'ghost', { pinned: true })])
    await sendOps(relay.url, [created])
    await postOps(relay.url, [op('note.pin', 'n1', { pinned: true })], undefined, { [OLDEST_PENDING_HEADER]: '42000' })
    await getChanges(relay.url, {}, undefined, { [OLDEST_PENDING_HEADER]: '1500' })
    const waiting = getChanges(relay.url, { since: 1000, wait: 2 })
    await new Promise((r) => setTimeout(r, 200))
    const during = await (await fetch(`${relay.url}/metrics`)).text()
    await waiting
    const text = await (await fetch(`${relay.url}/metrics`)).text()
    expect(metricValue(during, 'skein_meta_feed_waiters')).toBe(1)
    expect(metricValue(text, 'skein_meta_feed_waiters')).toBe(0)
    expect(metricValue(text, 'skein_meta_ops_total{status="applied"}')).toBe(2)
    expect(metricValue(text, 'skein_meta_ops_total{status="rejected"}')).toBe(1)
    expect(metricValue(text, 'skein_meta_ops_total{status="duplicate"}')).toBe(1)
    expect(metricValue(text, 'skein_meta_ops_total{status="conflict"}')).toBe(0)
    expect(metricValue(text, 'skein_meta_request_duration_seconds_count{route="ops"}')).toBe(3)
    expect(metricValue(text, 'skein_meta_request_duration_seconds_count{route="changes"}')).toBe(1)
    expect(metricValue(text, 'skein_meta_request_duration_seconds_count{route="changes-wait"}')).toBe(1)
    expect(metricValue(text, 'skein_meta_client_oldest_pending_seconds')).toBe(42) // the max over recent reports
  })
})
