// Seeded simulation of metadata sync: several devices (the app's real Catalog on IndexedDB and
// its real SyncWorker) and the relay's real MetaStore (SQLite), over a fake network that drops,
// duplicates, delays and reorders requests and answers, while devices and the relay crash
// between steps. After each schedule the network heals and everyone syncs; then:
//   1. every op the devices made takes effect exactly once: the relay's records equal a replay
//      of each op once, in the relay's order;
//   2. no acknowledged op is lost, across relay crashes;
//   3. all devices converge to the relay's catalog;
//   4. every conflict surfaces as `conflicted` on every device, never as a silent overwrite;
//   5. no two live folders in one parent share a name, and no folder is in a cycle or lost.
// A failure names its seed: SKEIN_SEED=<seed> SKEIN_SIM_SCHEDULES=1 npx vitest run tests/simulation

import { IDBFactory } from 'fake-indexeddb'
import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { decide, liveFoldersIn, type RuleContext } from '../../protocol/meta/rules'
import { folderNameKey } from '../../protocol/meta/rule-kit'
import type { ChangesResponse, EntityRecord, FolderRecord, MetaOp, OpResult, OpsResponse } from '../../protocol/meta/types'
import { Catalog, FolderInsideItself, FolderNameTaken } from '../../renderer/catalog/catalog'
import { SyncWorker } from '../../renderer/catalog/sync-worker'
import { TransportError, type MetaTransport } from '../../renderer/catalog/transport'
import { opDecider } from '../../server/meta/decisions'
import { SqliteMetaStorage } from '../../server/meta/store'
import { prng, testSeed } from '../helpers/prng'

const SCHEDULES = Number(process.env.SKEIN_SIM_SCHEDULES ?? 2000)
const STEPS = Number(process.env.SKEIN_SIM_STEPS ?? 80)
const DEVICES = 3
const WORKSPACE = 'sim'
// SQLite with synchronous=FULL fsyncs every commit; a RAM disk keeps thousands of schedules fast.
const ROOT = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'skein-sim-'))
afterAll(() => rmSync(ROOT, { recursive: true, force: true }))

type Rng = ReturnType<typeof prng>

/** Lets every pending IndexedDB callback and promise chain run (fake-indexeddb uses setImmediate). */
async function settle(turns = 12): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve))
}

interface Message {
  id: number
  device: number
  epoch: number
  kind: 'ops' | 'changes'
  ops?: readonly MetaOp[]
  since?: number
  resolve(value: unknown): void
  reject(err: Error): void
  /** Set once the relay handled it: the answer waits to be delivered. */
  answer?: unknown
}

class World {
  readonly rng: Rng
  readonly dir: string
  server: SqliteMetaStorage
  readonly devices: Device[] = []
  /** Every op any device made, by id. */
  readonly made = new Map<string, MetaOp>()
  /** Op ids whose answer reached the device that sent them: acknowledged. */
  readonly acknowledged = new Set<string>()
  requests: Message[] = []
  answers: Message[] = []
  private nextId = 0
  lossy = true

  constructor(readonly seed: number) {
    this.rng = prng(seed)
    this.dir = join(ROOT, String(seed))
    this.server = SqliteMetaStorage.open(this.dir)
  }

  transportFor(device: Device): MetaTransport {
    const send = (kind: Message['kind'], extra: Partial<Message>): Promise<unknown> =>
      new Promise((resolve, reject) => {
        this.requests.push({ id: this.nextId++, device: device.index, epoch: device.epoch, kind, resolve, reject, ...extra })
      })
    return {
      postOps: (ops) => {
        // As sent: an op's base version may have moved since it was made (rebased on our own earlier op).
        for (const op of ops) this.made.set(op.opId, op)
        return send('ops', { ops }) as Promise<OpsResponse>
      },
      changes: (since) => send('changes', { since }) as Promise<ChangesResponse>,
    }
  }

  /** The relay handles one request (maybe twice: a duplicated packet). */
  async handle(message: Message): Promise<void> {
    if (message.kind === 'ops') {
      const results = await this.server.applyOps(WORKSPACE, message.ops!, opDecider(() => false, 1_000_000 + this.nextId))
      message.answer = { results } satisfies OpsResponse
    } else {
      message.answer = await this.server.changes(WORKSPACE, message.since!, 1 + this.rng.int(0, 20))
    }
  }

  deliver(message: Message): void {
    const device = this.devices[message.device]!
    if (message.epoch !== device.epoch) return // the device that asked has crashed since
    if (message.kind === 'ops') for (const r of (message.answer as OpsResponse).results) this.acknowledged.add(r.opId)
    message.resolve(message.answer)
  }

  fail(message: Message): void {
    message.reject(new TransportError('simulated network loss', null))
  }

  async crashServer(): Promise<void> {
    await this.server.close()
    this.server = SqliteMetaStorage.open(this.dir)
  }

  async close(): Promise<void> {
    for (const d of this.devices) d.catalog.close()
    await this.server.close()
    rmSync(this.dir, { recursive: true, force: true })
  }
}

class Device {
  epoch = 0
  catalog!: Catalog
  worker!: SyncWorker
  readonly factory = new IDBFactory()
  constructor(
    readonly index: number,
    private readonly world: World,
  ) {}

  async boot(): Promise<void> {
    this.catalog = await Catalog.open({ factory: this.factory, name: `device-${this.index}`, random: this.world.rng.next })
    this.catalog.actorName = `device ${this.index}`
    this.worker = new SyncWorker(this.catalog, this.world.transportFor(this), { events: null })
  }

  /** Killed mid-whatever: in-flight answers are lost, and what IndexedDB committed stays. */
  async crash(): Promise<void> {
    this.epoch++
    this.catalog.close()
    await this.boot()
  }
}

const TITLES = ['Plan', 'Ideas', 'Draft', 'Todo', 'Notes']
const TAGS = ['work', 'home', 'urgent']

async function userAction(world: World, device: Device): Promise<void> {
  const rng = world.rng
  const snapshot = device.catalog.getSnapshot()
  const live = [...snapshot.entities.values()].filter((e) => e.view && !e.view.deleted)
  const notes = live.filter((e) => e.type === 'note')
  const folders = live.filter((e) => e.type === 'folder')
  const record = (before: number): void => {
    for (const entry of device.catalog.getSnapshot().outbox) if (entry.seq > before) world.made.set(entry.op.opId, entry.op)
  }
  const before = Math.max(0, ...snapshot.outbox.map((e) => e.seq))
  const roll = rng.next()
  try {
    if (notes.length === 0 || roll < 0.12) await device.catalog.createNote({ title: rng.pick(TITLES), folderId: folders.length && rng.next() < 0.5 ? rng.pick(folders).id : null })
    else if (roll < 0.17) await device.catalog.createFolder(rng.pick(['A', 'B', 'C', 'a ']), folders.length && rng.next() < 0.4 ? rng.pick(folders).id : null)
    else if (roll < 0.25 && folders.length) await device.catalog.moveFolder(rng.pick(folders).id, rng.next() < 0.75 ? rng.pick(folders).id : null)
    else {
      const note = rng.pick(notes)
      const view = note.view!
      if (view.type !== 'note') return
      const r = rng.next()
      if (r < 0.3) await device.catalog.renameNote(note.id, `${rng.pick(TITLES)} ${rng.int(1, 9)}`)
      else if (r < 0.45) await device.catalog.moveNote(note.id, folders.length && rng.next() < 0.7 ? rng.pick(folders).id : null)
      else if (r < 0.6) await device.catalog.tagNote(note.id, rng.pick(TAGS))
      else if (r < 0.7 && view.tags.length) await device.catalog.untagNote(note.id, rng.pick(view.tags))
      else if (r < 0.78) await device.catalog.pinNote(note.id, !view.pinned)
      else if (r < 0.86) await (view.trashed ? device.catalog.restoreNote(note.id) : device.catalog.trashNote(note.id, ''))
      else if (r < 0.9 && view.trashed) await device.catalog.deleteNoteForever(note.id, '')
      else if (r < 0.95 && folders.length) await device.catalog.renameFolder(rng.pick(folders).id, `${rng.pick(['A', 'B', 'C'])}${rng.int(1, 5)}`)
      else if (folders.length) await device.catalog.deleteFolder(rng.pick(folders).id)
    }
  } catch (err) {
    // Refused at once on this device, as the user would be told: nothing was written.
    if (!(err instanceof FolderNameTaken || err instanceof FolderInsideItself)) throw err
  } finally {
    record(before)
  }
}

/** Live folders by parent, from the relay's records: no two share a name, and each reaches the top level. */
function checkFolderTree(records: ReadonlyMap<string, EntityRecord | null>): void {
  const folders = new Map<string, FolderRecord>()
  for (const r of records.values()) if (r?.type === 'folder' && !r.deleted) folders.set(r.id, r)
  const names = new Map<string, string>()
  for (const f of folders.values()) {
    const key = `${f.parentId}/${folderNameKey(f.name)}`
    expect(names.get(key), `folders ${names.get(key)} and ${f.id} share the name "${f.name}" in ${f.parentId}`).toBeUndefined()
    names.set(key, f.id)
    const seen = new Set<string>()
    for (let at: FolderRecord | undefined = f; at; at = at.parentId === null ? undefined : folders.get(at.parentId)) {
      expect(seen.has(at.id), `folder ${f.id} is in a cycle`).toBe(false)
      seen.add(at.id)
      if (at.parentId !== null) expect(folders.has(at.parentId), `folder ${at.id} is in a deleted folder ${at.parentId}`).toBe(true)
    }
  }
}

async function step(world: World): Promise<void> {
  const rng = world.rng
  const device = rng.pick(world.devices)
  const roll = rng.next()
  if (roll < 0.3) await userAction(world, device)
  else if (roll < 0.45) void device.worker.drain().catch(() => {})
  else if (roll < 0.55) void device.worker.pull().catch(() => {})
  else if (roll < 0.72 && world.requests.length) {
    const message = world.requests.splice(rng.int(0, world.requests.length - 1), 1)[0]! // reordered
    if (world.lossy && rng.next() < 0.15) world.fail(message) // lost on the way
    else {
      await world.handle(message)
      if (world.lossy && rng.next() < 0.1) await world.handle(message) // duplicated on the way
      world.answers.push(message)
    }
  } else if (roll < 0.9 && world.answers.length) {
    const message = world.answers.splice(rng.int(0, world.answers.length - 1), 1)[0]!
    if (world.lossy && rng.next() < 0.15) world.fail(message) // the answer is lost
    else world.deliver(message)
  } else if (roll < 0.95) await device.crash()
  else await world.crashServer()
  await settle()
}

/** Heals the network and lets everyone sync until nothing moves. */
async function quiesce(world: World): Promise<void> {
  world.lossy = false
  for (const message of [...world.requests, ...world.answers]) world.fail(message)
  world.requests = []
  world.answers = []
  for (let round = 0; round < 100; round++) {
    for (const device of world.devices) {
      await device.catalog.retry(undefined, 'none')
      let done = false
      const both = Promise.all([device.worker.drain(), device.worker.pull()]).finally(() => (done = true))
      while (!done) {
        await settle(2)
        for (const m of world.requests.splice(0)) {
          await world.handle(m)
          world.deliver(m)
        }
      }
      await both
    }
    const pending = world.devices.some((d) => d.catalog.getSnapshot().outbox.some((e) => e.state === 'pending' || e.state === 'inflight'))
    const latest = await world.server.latestSeq(WORKSPACE)
    const behind = world.devices.some((d) => d.catalog.cursor < latest)
    if (!pending && !behind) return
  }
  throw new Error('did not quiesce')
}

async function replay(world: World): Promise<Map<string, EntityRecord>> {
  // Each op with the seq its first answer carried, in the relay's order.
  const firstAnswers = new Map<string, OpResult>()
  const all = [...world.made.values()]
  const answers = await world.server.applyOps(WORKSPACE, all, opDecider(() => false, 0)) // every one is a repeat now
  answers.forEach((r, i) => {
    expect(r.status, `op ${all[i]!.kind} ${r.opId} never reached the relay`).toBe('duplicate')
    firstAnswers.set(r.opId, r)
  })
  const records = new Map<string, EntityRecord>()
  const ctx: RuleContext = {
    get: (type, id) => records.get(`${type}:${id}`),
    childrenOf: (folderId) => [...records.values()].filter((r) => !r.deleted && (r.type === 'note' ? r.folderId === folderId : r.parentId === folderId)),
    foldersIn: (parentId) => liveFoldersIn(records.values(), parentId),
    hasUnseenContent: () => false,
  }
  const ordered = all.filter((op) => firstAnswers.get(op.opId)!.original!.seq !== null).sort((a, b) => firstAnswers.get(a.opId)!.original!.seq! - firstAnswers.get(b.opId)!.original!.seq!)
  for (const op of ordered) {
    const seq = firstAnswers.get(op.opId)!.original!.seq!
    const decision = decide(op, ctx, seq, 0)
    expect(decision.status, `replaying ${op.kind} ${op.opId}`).toBe(firstAnswers.get(op.opId)!.original!.status)
    for (const write of decision.writes) records.set(`${write.type}:${write.id}`, write)
  }
  return records
}

/** A record without its display times (those come from the relay's clock at the moment). */
const comparable = (record: EntityRecord | null | undefined): unknown => {
  if (!record) return record
  const { createdAt: _c, updatedAt: _u, ...rest } = record
  const strip = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === 'at' ? 0 : v)))
  return strip(rest)
}

async function runSchedule(seed: number): Promise<{ ops: number; conflicts: number }> {
  const world = new World(seed)
  try {
    for (let i = 0; i < DEVICES; i++) {
      const device = new Device(i, world)
      await device.boot()
      world.devices.push(device)
    }
    for (let i = 0; i < STEPS; i++) await step(world)
    await quiesce(world)

    const server = (await world.server.changes(WORKSPACE, 0, 100_000)).entries
    const serverRecords = new Map(server.map((e) => [`${e.type}:${e.id}`, e.record]))
    // 2. no acknowledged op is lost (the relay may have crashed any number of times)
    for (const opId of world.acknowledged) expect(world.made.has(opId) ? 'known' : 'unknown').toBe('known')
    // 1. exactly once: the relay's state is each op applied once, in its order
    const replayed = await replay(world)
    for (const [key, record] of serverRecords) expect(comparable(record), `record ${key}`).toEqual(comparable(replayed.get(key)))
    expect(replayed.size).toBe(serverRecords.size)
    // 5. folders: no two live folders in one parent share a name, none is in a cycle or lost
    checkFolderTree(serverRecords)
    let conflicts = 0
    for (const device of world.devices) {
      const snapshot = device.catalog.getSnapshot()
      // 3. convergence: every device holds the relay's record for every entity, nothing live left
      expect(snapshot.outbox.filter((e) => e.state === 'pending' || e.state === 'inflight')).toEqual([])
      for (const [key, record] of serverRecords) {
        const local = snapshot.entities.get(key)
        expect(comparable(local?.base), `device ${device.index} ${key}`).toEqual(comparable(record))
        // 4. an open conflict shows as conflicted on every device
        const open = record && Object.values(record.conflicts).some(Boolean)
        if (open) {
          conflicts++
          expect(local?.sync, `device ${device.index} ${key} hides a conflict`).toBe('conflicted')
        }
      }
      // ...and a device's own op that ended in conflict is never shown as done while the conflict is open
      for (const entry of snapshot.outbox.filter((e) => e.state === 'conflicted')) {
        expect(snapshot.entities.get(`${entry.entityType}:${entry.op.entity}`)?.sync).toBe('conflicted')
      }
    }
    return { ops: world.made.size, conflicts }
  } finally {
    await world.close()
  }
}

describe('metadata sync under a hostile network', () => {
  it(
    `converges with every op applied exactly once over ${SCHEDULES} seeded schedules of ${STEPS} steps`,
    async () => {
      const base = testSeed()
      let ops = 0
      let conflicts = 0
      const started = performance.now()
      for (let i = 0; i < SCHEDULES; i++) {
        const seed = (base + i) >>> 0
        try {
          const result = await runSchedule(seed)
          ops += result.ops
          conflicts += result.conflicts
        } catch (err) {
          throw new Error(`schedule failed; replay with SKEIN_SEED=${seed} SKEIN_SIM_SCHEDULES=1: ${(err as Error).message}`, { cause: err })
        }
      }
      console.log(`simulation: ${SCHEDULES} schedules × ${STEPS} steps, ${DEVICES} devices, ${ops} ops, ${conflicts} open conflicts at the end, ${((performance.now() - started) / 1000).toFixed(1)} s (first seed ${base})`)
      expect(ops).toBeGreaterThan(SCHEDULES)
      expect(conflicts).toBeGreaterThan(0) // the schedules do exercise conflicts
    },
    30 * 60_000,
  )
})
