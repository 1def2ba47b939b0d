#!/usr/bin/env node
// Scale-out benchmark: the relay benchmark's typing workloads (W1 many rooms, W2 one hot room; see
// bench/relay.mjs and docs/benchmarks.md) against three set-ups of Skein's relay, one after another:
//   sqlite    one relay on SQLite (--data)
//   postgres  one relay on PostgreSQL (--postgres)
//   cluster   --relays N relays (default 3) on one PostgreSQL and one Redis (--postgres --redis);
//             client i of a room connects to relay i % N, so a room's clients are spread over them.
// It starts its own PostgreSQL (as the postgres user when run as root) and Redis on free ports,
// a fresh database per run, and removes everything on exit, error and SIGINT/SIGTERM.
// Reports fan-out latency (all, same-relay, cross-relay deliveries), delivered vs expected, relay
// CPU per 1,000 updates (summed over relay processes), PostgreSQL commits/s (pg_stat_database).
//
//   node bench/scale.mjs [--quick] [--rooms N] [--clients N] [--hot-clients N] [--hot-typists N]
//     [--duration S] [--rate N] [--configs sqlite,postgres,cluster] [--relays N] [--workloads 1,2]
//     [--workers N] [--pg-conf name=value,...] [--json FILE]
// --pg-conf passes settings to PostgreSQL (e.g. synchronous_commit=off, to see what the commit's
// WAL flush costs); the default is the distribution's configuration (fsync and synchronous_commit on).
// Defaults: 150 rooms × 3 clients, W2 60 clients (10 typing), 5 updates/s, 20 s windows, 3 relays,
// 2 generator threads (~4 min on 2 cores). --quick: 30 rooms, W2 30 clients (6 typing), 5 s windows.
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, freemem, tmpdir, totalmem, userInfo } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { Redis } from 'ioredis'
import { Histogram, STAMP_RING } from './histogram.mjs'
import { CLK_TCK, canConnect, cpuSeconds, freePort, machineBusySeconds, procStat, rssMiB, sleep, startGenerator } from './kit.mjs'

const HERE = dirname(fileURLToPath(import.meta.url))
const ROOT = resolve(HERE, '..')
const PROBE_URL = pathToFileURL(join(HERE, 'lag-probe.mjs')).href
const SKEIN_CLI = join(ROOT, 'dist/node/server/cli.js')
const PG_ROOT = '/usr/lib/postgresql'
const AS_ROOT = userInfo().uid === 0

// ---------------------------------------------------------------------------------------------
// Options

const CONFIGS = {
  sqlite: { label: '1 relay, SQLite', relays: 1, postgres: false, redis: false },
  postgres: { label: '1 relay, PostgreSQL', relays: 1, postgres: true, redis: false },
  cluster: { label: 'N relays, PostgreSQL + Redis', relays: 3, postgres: true, redis: true },
}

function parseOptions() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      rooms: { type: 'string' },
      clients: { type: 'string' },
      'hot-clients': { type: 'string' },
      'hot-typists': { type: 'string' },
      duration: { type: 'string' },
      rate: { type: 'string' },
      configs: { type: 'string' },
      relays: { type: 'string' },
      workloads: { type: 'string' },
      workers: { type: 'string' },
      json: { type: 'string' },
      'pg-conf': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help) {
    const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n')
    process.stdout.write(lines.slice(1, lines.findIndex((l) => l.startsWith('import'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n')
    process.exit(0)
  }
  const quick = values.quick ?? false
  const d = quick ? { rooms: 30, hotClients: 30, hotTypists: 6, duration: 5 } : { rooms: 150, hotClients: 60, hotTypists: 10, duration: 20 }
  const num = (flag, dflt, min, max) => {
    const raw = values[flag]
    if (raw === undefined || raw === '') return dflt
    const n = Number(raw)
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${flag} must be a number in [${min}, ${max}], got "${raw}"`)
    return n
  }
  const configs = (values.configs ?? 'sqlite,postgres,cluster').split(',').map((s) => s.trim()).filter(Boolean)
  for (const c of configs) if (!CONFIGS[c]) throw new Error(`unknown config "${c}" (known: ${Object.keys(CONFIGS).join(', ')})`)
  const workloads = (values.workloads ?? '1,2').split(',').map(Number)
  for (const w of workloads) if (![1, 2].includes(w)) throw new Error(`unknown workload "${w}" (1 or 2)`)
  return {
    quick,
    rooms: Math.floor(num('rooms', d.rooms, 1, 100_000)),
    clients: Math.floor(num('clients', 3, 2, 100)),
    hotClients: Math.floor(num('hot-clients', d.hotClients, 2, 10_000)),
    hotTypists: Math.floor(num('hot-typists', d.hotTypists, 1, 10_000)),
    duration: num('duration', d.duration, 1, 3600),
    rate: num('rate', 5, 0.1, 1000),
    relays: Math.floor(num('relays', 3, 2, 16)),
    workers: Math.floor(num('workers', Math.max(2, Math.min(4, cpus().length)), 1, 64)),
    configs,
    workloads,
    json: values.json ?? null,
    pgConf: (values['pg-conf'] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((kv) => {
      if (!/^[a-z_.]+=[\w.-]+$/i.test(kv)) throw new Error(`--pg-conf takes name=value pairs, got "${kv}"`)
      return kv
    }),
  }
}

// ---------------------------------------------------------------------------------------------
// Cleanup: every process and folder this bench makes is registered here and removed on exit,
// error and signals. PostgreSQL runs detached (pg_ctl), so it is stopped with pg_ctl.

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set()
/** @type {Set<string>} */
const tempDirs = new Set()
/** @type {Set<() => void>} synchronous stoppers (PostgreSQL) */
const stoppers = new Set()

function cleanupSync() {
  for (const c of children) {
    try {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
    } catch {
      // already gone
    }
  }
  children.clear()
  for (const stop of stoppers) {
    try {
      stop()
    } catch (err) {
      process.stderr.write(`bench: cleanup: ${err.message}\n`)
    }
  }
  stoppers.clear()
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true })
  tempDirs.clear()
}
process.on('exit', cleanupSync)
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    process.stderr.write(`\nbench: ${sig}, stopping relays, PostgreSQL and Redis\n`)
    cleanupSync()
    process.exit(130)
  })
}

const now = () => performance.timeOrigin + performance.now()

// ---------------------------------------------------------------------------------------------
// PostgreSQL and Redis

function pgBin(tool) {
  const versions = existsSync(PG_ROOT)
    ? readdirSync(PG_ROOT)
        .filter((v) => existsSync(join(PG_ROOT, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : []
  if (versions.length === 0) throw new Error(`PostgreSQL is not installed (no ${PG_ROOT}/*/bin/initdb)`)
  return join(PG_ROOT, versions[0], 'bin', tool)
}

/** Runs a PostgreSQL tool as a user that may run it (not root); throws with its output on failure. */
function runPg(tool, args) {
  const [cmd, argv] = AS_ROOT ? ['runuser', ['-u', 'postgres', '--', pgBin(tool), ...args]] : [pgBin(tool), args]
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 })
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`)
}

/**
 * A PostgreSQL server in its own folder under /tmp (owned by `postgres` when run as root), with
 * the distribution's defaults (fsync and synchronous_commit on), max_connections 200.
 */
async function startPostgres(conf) {
  const dir = mkdtempSync('/tmp/skein-bench-pg-')
  tempDirs.add(dir)
  if (AS_ROOT) {
    const out = spawnSync('id', ['postgres'], { encoding: 'utf8' }).stdout
    const uid = Number(/uid=(\d+)/.exec(out)?.[1])
    const gid = Number(/gid=(\d+)/.exec(out)?.[1])
    if (!uid || !gid) throw new Error('running as root needs a `postgres` user to run PostgreSQL')
    chownSync(dir, uid, gid)
  }
  chmodSync(dir, 0o700)
  const port = await freePort()
  const data = join(dir, 'data')
  runPg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'])
  let running = true
  const stop = () => {
    if (!running) return
    running = false
    runPg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
  }
  stoppers.add(stop)
  runPg('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200${conf.map((kv) => ` -c ${kv}`).join('')}`, '-w', 'start'])
  const postmasterPid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0])
  const url = (db) => `postgres://postgres@127.0.0.1:${port}/${db}`
  const admin = new pg.Client({ connectionString: url('postgres') })
  await admin.connect()
  const version = (await admin.query('SHOW server_version')).rows[0].server_version
  const settings = Object.fromEntries(
    (await admin.query(`SELECT name, setting FROM pg_settings WHERE name IN ('fsync','synchronous_commit','shared_buffers','wal_level', 'max_connections')`)).rows.map((r) => [r.name, r.setting]),
  )
  let n = 0
  return {
    port,
    version,
    settings,
    postmasterPid,
    async createDatabase(tag) {
      const name = `bench_${tag}_${++n}`
      await admin.query(`CREATE DATABASE ${name}`)
      return { name, url: url(name) }
    },
    /** Committed transactions of `db` so far (pg_stat_database; backends report at most every ~1 s). */
    async commits(db) {
      await admin.query('SELECT pg_stat_clear_snapshot()')
      const { rows } = await admin.query('SELECT xact_commit FROM pg_stat_database WHERE datname = $1', [db])
      return rows.length ? Number(rows[0].xact_commit) : NaN
    },
    /**
     * Samples pg_stat_activity for `db` every `everyMs` until `stop()`: mean backends per state
     * (what the relays' connections spend their time on), e.g. `active`, `idle in transaction`
     * (PostgreSQL waits for the relay), `wait:Lock/advisory` (waits for an advisory lock).
     */
    sampleActivity(db, everyMs = 200) {
      const totals = new Map()
      let samples = 0
      let stopped = false
      const loop = (async () => {
        while (!stopped) {
          try {
            const { rows } = await admin.query(
              `SELECT CASE WHEN wait_event_type IN ('Lock', 'LWLock', 'IO') THEN 'wait:' || wait_event_type || '/' || wait_event ELSE state END AS s, count(*)::int AS n
                 FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() GROUP BY 1`,
              [db],
            )
            samples++
            for (const r of rows) totals.set(r.s ?? 'unknown', (totals.get(r.s ?? 'unknown') ?? 0) + r.n)
          } catch {
            // the window ends anyway
          }
          await sleep(everyMs)
        }
      })()
      return async () => {
        stopped = true
        await loop
        return Object.fromEntries([...totals].map(([k, v]) => [k, v / Math.max(1, samples)]).sort((a, b) => b[1] - a[1]))
      }
    },
    /** CPU seconds of the postmaster and all its processes (live ones plus those it reaped). */
    cpu() {
      return treeCpuSeconds(postmasterPid)
    },
    log: () => (existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8') : ''),
    async stop() {
      await admin.end().catch(() => undefined)
      stop()
      stoppers.delete(stop)
      rmSync(dir, { recursive: true, force: true })
      tempDirs.delete(dir)
    },
  }
}

async function startRedis() {
  const port = await freePort()
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(proc)
  proc.once('exit', () => children.delete(proc))
  let out = ''
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`redis-server did not start within 10 s: ${out}`)), 10_000)
    proc.stdout.on('data', (chunk) => {
      out = (out + chunk.toString()).slice(-4000)
      if (out.includes('Ready to accept connections')) {
        clearTimeout(t)
        resolve()
      }
    })
    proc.stderr.on('data', (chunk) => (out = (out + chunk.toString()).slice(-4000)))
    proc.once('error', (err) => reject(new Error(`redis-server did not start: ${err.message}`)))
    proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)))
  })
  const client = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, maxRetriesPerRequest: 1 })
  await client.connect()
  const version = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.match(/v=(\S+)/)?.[1] ?? '?'
  return {
    port,
    version,
    url: `redis://127.0.0.1:${port}`,
    pid: /** @type {number} */ (proc.pid),
    /** Bytes Redis has read from and written to its clients so far (INFO stats). */
    async netBytes() {
      const info = await client.info('stats')
      const get = (k) => Number(new RegExp(`^${k}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN)
      return { in: get('total_net_input_bytes'), out: get('total_net_output_bytes') }
    },
    async stop() {
      client.disconnect()
      if (proc.exitCode !== null || proc.signalCode !== null) return
      const exited = new Promise((r) => proc.once('exit', r))
      proc.kill('SIGTERM')
      await exited
    },
  }
}

// ---------------------------------------------------------------------------------------------
// /proc sampling

/** CPU seconds of a process, its reaped children, and its live children (one level: PostgreSQL's backends). */
function treeCpuSeconds(pid) {
  const f = procStat(pid)
  if (!f) return null
  let total = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue
    const c = procStat(e)
    if (c && Number(c[1]) === pid) total += Number(c[11]) + Number(c[12])
  }
  return total / CLK_TCK
}

// ---------------------------------------------------------------------------------------------
// Relays

/**
 * @typedef {{ proc: import('node:child_process').ChildProcess, pid: number, port: number, lagFile: string,
 *   output: () => string, problems: Map<string, number> }} Relay
 */

/** Starts one relay with the lag probe preloaded. Warnings and errors in its log are counted by message. */
async function startRelay(args, need) {
  const port = await freePort()
  const work = mkdtempSync(join(tmpdir(), 'skein-bench-scale-'))
  tempDirs.add(work)
  const lagFile = join(work, 'lag.jsonl')
  const limits = ['--max-connections-per-ip', String(need * 2 + 100), '--max-connections', String(need * 2 + 100)]
  const proc = spawn(
    process.execPath,
    ['--import', PROBE_URL, '--max-semi-space-size=8', SKEIN_CLI, '--port', String(port), '--data', join(work, 'data'), '--log-level', 'warn', ...limits, ...args],
    { cwd: ROOT, env: { ...process.env, BENCH_LAG_FILE: lagFile, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  children.add(proc)
  proc.once('exit', () => children.delete(proc))
  let out = ''
  let partial = ''
  const problems = new Map()
  const keep = (chunk) => {
    const s = chunk.toString()
    out = (out + s).slice(-8000)
    const lines = (partial + s).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) {
      if (!line.trim() || line.startsWith('skein-relay: listening on ')) continue
      let key = line.slice(0, 160)
      try {
        const j = JSON.parse(line)
        if (typeof j.level === 'number' && j.level < 40) continue
        key = `${j.level >= 50 ? 'error' : 'warn'}: ${j.msg ?? ''}${j.err ? ` (${String(j.err.message ?? j.err).slice(0, 120)})` : ''}`
      } catch {
        // not JSON: count the raw line
      }
      problems.set(key, (problems.get(key) ?? 0) + 1)
    }
  }
  proc.stdout.on('data', keep)
  proc.stderr.on('data', keep)
  const deadline = Date.now() + 30_000
  while (!(await canConnect(port))) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`relay exited during start-up (code ${proc.exitCode}):\n${out}`)
    if (Date.now() > deadline) throw new Error(`relay did not listen on ${port} within 30 s:\n${out}`)
    await sleep(50)
  }
  return { proc, pid: /** @type {number} */ (proc.pid), port, lagFile, output: () => out, problems }
}

async function stopRelay(/** @type {Relay} */ r) {
  const { proc } = r
  if (proc.exitCode !== null || proc.signalCode !== null) return
  const exited = new Promise((res) => proc.once('exit', res))
  proc.kill('SIGTERM')
  const t = setTimeout(() => proc.kill('SIGKILL'), 15_000)
  await exited
  clearTimeout(t)
}

/** The lag probe's numbers since the previous request (see bench/lag-probe.mjs). */
async function readLag(/** @type {Relay} */ r) {
  const count = () => (existsSync(r.lagFile) ? readFileSync(r.lagFile, 'utf8').split('\n').filter(Boolean) : [])
  const before = count().length
  try {
    process.kill(r.pid, 'SIGUSR2')
  } catch {
    return null
  }
  const until = Date.now() + 5000
  while (Date.now() < until) {
    await sleep(25)
    const lines = count()
    if (lines.length > before) return JSON.parse(lines[lines.length - 1])
  }
  return null
}

/** Selected counters from a relay's /metrics (Prometheus text). */
async function relayMetrics(/** @type {Relay} */ r) {
  try {
    const res = await fetch(`http://127.0.0.1:${r.port}/metrics`, { signal: AbortSignal.timeout(5000) })
    const text = await res.text()
    const sum = (name) => {
      let v = 0
      for (const line of text.split('\n')) {
        if (line.startsWith(name + ' ') || line.startsWith(name + '{')) v += Number(line.slice(line.lastIndexOf(' ') + 1))
      }
      return v
    }
    /** Cumulative counts of the storage-write histogram, keyed `le_<bound>`, so they sum and diff like the rest. */
    const buckets = {}
    for (const m of text.matchAll(/^skein_persist_duration_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm)) buckets[`le_${m[1]}`] = Number(m[2])
    return {
      ...buckets,
      writes: sum('skein_persist_duration_seconds_count'),
      writeSeconds: sum('skein_persist_duration_seconds_sum'),
      storageErrors: sum('skein_storage_errors_total'),
      redisErrors: sum('skein_redis_errors_total'),
      busMessages: sum('skein_fanout_lag_seconds_count'),
      busLagSeconds: sum('skein_fanout_lag_seconds_sum'),
      closes: sum('skein_connection_closes_total'),
      framesOut: sum('skein_messages_sent_total'),
    }
  } catch {
    return null
  }
}

/** Upper bound of the histogram bucket holding quantile q (seconds), from `le_…` counts. */
function bucketQuantile(m, q) {
  const bounds = Object.keys(m)
    .filter((k) => k.startsWith('le_'))
    .map((k) => [k.slice(3) === '+Inf' ? Infinity : Number(k.slice(3)), m[k]])
    .sort((a, b) => a[0] - b[0])
  const total = bounds.length ? bounds[bounds.length - 1][1] : 0
  if (!total) return NaN
  return bounds.find(([, c]) => c >= q * total)?.[0] ?? Infinity
}

const diffMetrics = (a, b) => (a && b ? Object.fromEntries(Object.keys(a).map((k) => [k, b[k] - a[k]])) : null)
const sumMetrics = (list) => (list.some((m) => !m) ? null : list.reduce((acc, m) => Object.fromEntries(Object.keys(m).map((k) => [k, (acc[k] ?? 0) + m[k]])), {}))

// ---------------------------------------------------------------------------------------------
// Load generator (bench/load-worker.mjs threads, as in bench/relay.mjs, with `ports` + `relayOf`)


/** Connects `count` clients: client i joins room roomOf(i) on relay relayOf[i]. */
async function connectClients(relays, count, roomOf, relayOf, batch, opts) {
  const n = Math.max(1, Math.min(opts.workers, count))
  const stampBuf = new SharedArrayBuffer(count * STAMP_RING * 2 * 8)
  const ports = relays.map((r) => r.port)
  const workers = Array.from({ length: n }, () => startGenerator({ port: ports[0], kind: 'y-websocket', stampBuf, ports, relayOf }))
  const rooms = workers.map(() => [])
  const ids = workers.map(() => [])
  for (let i = 0; i < count; i++) {
    rooms[i % n].push(roomOf(i))
    ids[i % n].push(i)
  }
  const gen = {
    workers,
    count,
    async destroy() {
      await Promise.allSettled(workers.map((w) => w.call('destroy')))
      await Promise.allSettled(workers.map((w) => w.terminate()))
    },
  }
  try {
    await Promise.all(workers.map((w) => w.call('ping')))
    const perThread = Math.max(1, Math.ceil(batch / n))
    await Promise.all(workers.map((w, k) => w.call('connect', { rooms: rooms[k], ids: ids[k], batch: perThread, writeParagraph: false, timeoutMs: 60_000 })))
  } catch (err) {
    await gen.destroy()
    const out = relays.map((r, i) => `relay ${i}: ${r.output().trim().split('\n').slice(-3).join('\n')}`).join('\n')
    throw new Error(`${err.message}\n${out}`, { cause: err })
  }
  return gen
}

// ---------------------------------------------------------------------------------------------
// One run: a set-up × a workload

const GEN_BOUND_SENT = 0.9
const GEN_BOUND_LAG_MS = 100
/** How long after the window deliveries of updates sent inside it may still arrive. */
const DRAIN_MS = 10_000

/**
 * Starts the set-up's relays (fresh database or data folder), connects the workload's clients,
 * types for a fixed window (on the shared clock, after a warm-up) and measures it.
 */
async function run(configName, workload, infra, opts) {
  const cfg = CONFIGS[configName]
  const nRelays = configName === 'cluster' ? opts.relays : cfg.relays
  const w1 = workload === 1
  const count = w1 ? opts.rooms * opts.clients : opts.hotClients
  const peersPerRoom = w1 ? opts.clients : opts.hotClients
  const typists = w1 ? count : Math.min(opts.hotTypists, count)
  const roomOf = w1 ? (i) => `bench/scale/${Math.floor(i / opts.clients)}` : () => 'bench/hot'
  // Client i of a room (its position in the room) connects to relay i % N.
  const relayOf = Array.from({ length: count }, (_, i) => (w1 ? i % opts.clients : i) % nRelays)

  let db = null
  const args = []
  if (cfg.postgres) {
    db = await infra.pg.createDatabase(`${configName}_w${workload}`)
    args.push('--postgres', db.url)
  }
  if (cfg.redis) args.push('--redis', infra.redis.url)
  /** @type {Relay[]} */
  const relays = []
  let gen = null
  try {
    // The first relay migrates the schema; the others start once it listens.
    relays.push(await startRelay(args, count))
    relays.push(...(await Promise.all(Array.from({ length: nRelays - 1 }, () => startRelay(args, count)))))
    gen = await connectClients(relays, count, roomOf, relayOf, w1 ? 100 : 50, opts)

    const warmup = opts.quick ? 1000 : 3000
    const windowStart = now() + warmup
    const windowEnd = windowStart + opts.duration * 1000
    await Promise.all(gen.workers.map((w) => w.call('type', { rate: opts.rate, typists, windowStart, windowEnd })))
    await sleep(windowStart - now())
    await Promise.all(relays.map(readLag)) // discard start-up lag
    const m0 = await Promise.all(relays.map(relayMetrics))
    const commits0 = db ? await infra.pg.commits(db.name) : NaN
    const net0 = cfg.redis ? await infra.redis.netBytes() : null
    const cpu0 = relays.map((r) => cpuSeconds(r.pid))
    const pgCpu0 = cfg.postgres ? infra.pg.cpu() : null
    const redisCpu0 = cfg.redis ? cpuSeconds(infra.redis.pid) : null
    const gen0 = process.cpuUsage()
    const busy0 = machineBusySeconds()
    const t0 = performance.now()
    const stopActivity = db ? infra.pg.sampleActivity(db.name) : null
    await sleep(windowEnd - now())
    const t1 = performance.now()
    const pgActivity = stopActivity ? await stopActivity() : null
    const cpu1 = relays.map((r) => cpuSeconds(r.pid))
    const pgCpu1 = cfg.postgres ? infra.pg.cpu() : null
    const redisCpu1 = cfg.redis ? cpuSeconds(infra.redis.pid) : null
    const genCpu = process.cpuUsage(gen0)
    const busy1 = machineBusySeconds()
    const commits1 = db ? await infra.pg.commits(db.name) : NaN
    const net1 = cfg.redis ? await infra.redis.netBytes() : null
    const m1 = await Promise.all(relays.map(relayMetrics))
    const lags = await Promise.all(relays.map(readLag))
    const rss = relays.map((r) => rssMiB(r.pid))
    await Promise.all(gen.workers.map((w) => w.call('stopTyping')))
    // Drain: let updates sent inside the window arrive (bounded; bench/relay.mjs waits 5 s).
    const drainStart = performance.now()
    const drainUntil = drainStart + DRAIN_MS
    for (;;) {
      const s = await Promise.all(gen.workers.map((w) => w.call('stats')))
      const sent = s.reduce((a, x) => a + x.sent, 0)
      const applied = s.reduce((a, x) => a + x.applied, 0)
      if (applied >= sent * (peersPerRoom - 1) || performance.now() > drainUntil) break
      await sleep(100)
    }
    const drainMs = performance.now() - drainStart
    const parts = await Promise.all(gen.workers.map((w) => w.call('report')))
    const merge = (key) => parts.reduce((h, p) => h.merge(p[key]), new Histogram())
    const all = merge('hist')
    const same = merge('histSame')
    const cross = merge('histCross')
    const total = (k) => parts.reduce((a, p) => a + p[k], 0)
    const sent = total('sent')
    const applied = total('applied')
    const expected = sent * (peersPerRoom - 1)
    const secs = (t1 - t0) / 1000
    const relayCpuSecs = cpu1.reduce((a, c, i) => a + (c ?? NaN) - (cpu0[i] ?? NaN), 0)
    const relayCpuEach = cpu1.map((c, i) => (((c ?? NaN) - (cpu0[i] ?? NaN)) / secs) * 100)
    const genCpuPct = ((genCpu.user + genCpu.system) / 1e6 / secs) * 100
    const pgCpuPct = pgCpu0 !== null && pgCpu1 !== null ? ((pgCpu1 - pgCpu0) / secs) * 100 : NaN
    const redisCpuPct = redisCpu0 !== null && redisCpu1 !== null ? ((redisCpu1 - redisCpu0) / secs) * 100 : NaN
    const metrics = sumMetrics(m1.map((m, i) => diffMetrics(m0[i], m)))
    const res = {
      config: configName,
      configLabel: configName === 'cluster' ? `${nRelays} relays, PostgreSQL + Redis` : cfg.label,
      workload: w1 ? `W1 ${opts.rooms} rooms` : 'W2 hot room',
      relays: nRelays,
      clients: count,
      typists,
      targetPerSec: typists * opts.rate,
      sentPerSec: sent / opts.duration,
      appliedPerSec: applied / opts.duration,
      sent,
      expected,
      applied,
      missing: expected - applied,
      drainMs,
      delivery: expected > 0 ? applied / expected : NaN,
      p50: all.quantile(0.5),
      p99: all.quantile(0.99),
      max: all.max,
      same: { n: same.n, p50: same.quantile(0.5), p99: same.quantile(0.99), max: same.max },
      cross: { n: cross.n, p50: cross.quantile(0.5), p99: cross.quantile(0.99), max: cross.max },
      unstamped: total('unstamped'),
      skipped: total('skipped'),
      clientProblems: [...new Set(parts.map((p) => p.problems).filter((p) => p && p !== 'no client-side errors seen'))],
      relayCpu: (relayCpuSecs / secs) * 100,
      relayCpuEach,
      cpuMsPer1kUpdates: sent > 0 ? (relayCpuSecs * 1000) / (sent / 1000) : NaN,
      pgCpu: pgCpuPct,
      redisCpu: redisCpuPct,
      redisInKBps: net0 && net1 ? (net1.in - net0.in) / secs / 1024 : NaN,
      redisOutKBps: net0 && net1 ? (net1.out - net0.out) / secs / 1024 : NaN,
      commitsPerSec: (commits1 - commits0) / secs,
      pgActivity,
      writesPerSec: metrics ? metrics.writes / secs : NaN,
      writeMs: metrics && metrics.writes > 0 ? (metrics.writeSeconds / metrics.writes) * 1000 : NaN,
      writeP99Ms: metrics ? bucketQuantile(metrics, 0.99) * 1000 : NaN,
      busPerSec: metrics ? metrics.busMessages / secs : NaN,
      busLagMs: metrics && metrics.busMessages > 0 ? (metrics.busLagSeconds / metrics.busMessages) * 1000 : NaN,
      storageErrors: metrics?.storageErrors ?? NaN,
      redisErrors: metrics?.redisErrors ?? NaN,
      closes: metrics?.closes ?? NaN,
      genCpu: genCpuPct,
      otherCpu: busy0 !== null && busy1 !== null ? Math.max(0, ((busy1 - busy0) / secs) * 100 - (relayCpuSecs / secs) * 100 - genCpuPct - (pgCpuPct || 0) - (redisCpuPct || 0)) : NaN,
      genLagP99: Math.max(...parts.map((p) => p.lagP99)),
      genElu: Math.max(...parts.map((p) => p.elu)),
      relayLagP99: Math.max(...lags.map((l) => l?.p99 ?? NaN)),
      relayLagMax: Math.max(...lags.map((l) => l?.max ?? NaN)),
      rss,
    }
    const why = []
    if (res.sentPerSec < GEN_BOUND_SENT * res.targetPerSec) why.push(`sent ${f((res.sentPerSec / res.targetPerSec) * 100, 0)}% of target`)
    if (res.genLagP99 > GEN_BOUND_LAG_MS) why.push(`gen lag p99 ${f(res.genLagP99, 0)} ms`)
    res.generatorBound = why.length ? why.join(', ') : null
    await gen.destroy()
    gen = null
    await sleep(300)
    await Promise.all(relays.map(stopRelay))
    for (const r of relays) if (r.proc.exitCode !== 0 && r.proc.exitCode !== null) r.problems.set(`exit code ${r.proc.exitCode}`, 1)
    res.relayLog = relays.map((r) => [...r.problems].map(([k, n]) => `${n}× ${k}`))
    return res
  } finally {
    await gen?.destroy()
    await Promise.all(relays.map(stopRelay))
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const f = (v, digits = 1) => (v === undefined || v === null || Number.isNaN(v) || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits))
const fInt = (v) => (v === undefined || v === null || Number.isNaN(v) ? 'n/a' : Math.round(v).toLocaleString('en-US'))
const line = (cells) => `| ${cells.join(' | ')} |`

function tables(results) {
  const ok = results.filter((r) => !r.error)
  const head1 = ['workload', 'set-up', 'clients', 'sent/s (target)', 'delivered (missing)', 'p50 / p99 ms', 'same-relay p50 / p99 ms', 'cross-relay p50 / p99 ms', 'generator']
  const rows1 = ok.map((r) => [
    r.workload,
    r.configLabel,
    r.typists < r.clients ? `${fInt(r.clients)} (${fInt(r.typists)} typing)` : fInt(r.clients),
    `${fInt(r.sentPerSec)} (${fInt(r.targetPerSec)})`,
    `${f(r.delivery * 100, 2)}% (${fInt(r.missing)} of ${fInt(r.expected)})`,
    `${f(r.p50, 2)} / ${f(r.p99, 1)}`,
    r.same.n ? `${f(r.same.p50, 2)} / ${f(r.same.p99, 1)}` : '– (none)',
    r.cross.n ? `${f(r.cross.p50, 2)} / ${f(r.cross.p99, 1)}` : '–',
    r.generatorBound ? `**generator-bound** (${r.generatorBound})` : `ok (busiest thread ${f(r.genElu * 100, 0)}%, lag p99 ${f(r.genLagP99, 0)} ms)`,
  ])
  const head2 = ['workload', 'set-up', 'relay CPU % (each)', 'relay CPU ms / 1k updates', 'relay lag p99 / max ms', 'PostgreSQL commits/s', 'storage writes/s (mean / p99≤ ms)', 'PostgreSQL CPU %', 'Redis CPU % (KiB/s in / out)', 'bus msgs/s in (mean lag ms)', 'other procs CPU %']
  const rows2 = ok.map((r) => [
    r.workload,
    r.configLabel,
    `${f(r.relayCpu, 0)}${r.relays > 1 ? ` (${r.relayCpuEach.map((c) => f(c, 0)).join(' + ')})` : ''}`,
    f(r.cpuMsPer1kUpdates, 0),
    `${f(r.relayLagP99, 1)} / ${f(r.relayLagMax, 0)}`,
    Number.isNaN(r.commitsPerSec) ? '–' : fInt(r.commitsPerSec),
    `${fInt(r.writesPerSec)} (${f(r.writeMs, 1)} / ${f(r.writeP99Ms, 0)})`,
    Number.isNaN(r.pgCpu) ? '–' : f(r.pgCpu, 0),
    Number.isNaN(r.redisCpu) ? '–' : `${f(r.redisCpu, 0)} (${fInt(r.redisInKBps)} / ${fInt(r.redisOutKBps)})`,
    r.relays > 1 ? `${fInt(r.busPerSec)} (${f(r.busLagMs, 2)})` : '–',
    f(r.otherCpu, 0),
  ])
  const act = ok
    .filter((r) => r.pgActivity)
    .map((r) => `- ${r.workload}, ${r.configLabel}: ${Object.entries(r.pgActivity).map(([k, v]) => `${k} ${f(v, 1)}`).join(', ') || 'none'}`)
  const errs = results.filter((r) => r.error).map((r) => `- ${r.workload} on ${r.configLabel}: **failed**: ${r.error.split('\n')[0].slice(0, 200)}`)
  return [line(head1), line(head1.map(() => '---')), ...rows1.map(line), '', line(head2), line(head2.map(() => '---')), ...rows2.map(line), ...(act.length ? ['', "The relays' PostgreSQL connections during the window (mean count per state, sampled every 200 ms from pg_stat_activity):", ...act] : []), ...(errs.length ? ['', ...errs] : [])].join('\n')
}

const CROSS_TARGET_MS = 5

function verdicts(results, opts) {
  const out = []
  const get = (config, w) => results.find((r) => !r.error && r.config === config && r.workload.startsWith(`W${w}`))
  const bound = (...rs) => rs.filter((r) => r?.generatorBound).map((r) => `${r.workload}/${r.config}: ${r.generatorBound}`)
  // Cross-relay p50 over same-relay p50.
  for (const w of opts.workloads) {
    const c = get('cluster', w)
    if (!c) continue
    let base = null
    let baseLabel = ''
    if (c.same.n > 0) {
      base = c.same.p50
      baseLabel = `same-relay deliveries in the same run ${f(base, 2)} ms`
    } else {
      const p = get('postgres', w)
      if (p) {
        base = p.p50
        baseLabel = `no same-relay pairs in this run (each room's ${opts.clients} clients sit on ${c.relays} relays), so against the 1-relay PostgreSQL run's p50 ${f(base, 2)} ms`
      }
    }
    if (base === null || !c.cross.n) {
      out.push(`- W${w} cross-relay p50 ≤ same-relay p50 + ${CROSS_TARGET_MS} ms: n/a (missing results)`)
      continue
    }
    const added = c.cross.p50 - base
    const b = bound(c)
    out.push(
      `- W${w} cross-relay p50 ≤ same-relay p50 + ${CROSS_TARGET_MS} ms: ${added <= CROSS_TARGET_MS ? 'PASS' : 'MISS'} — cross-relay ${f(c.cross.p50, 2)} ms, ` +
        `${baseLabel}: +${f(added, 2)} ms (${added <= CROSS_TARGET_MS ? `${f(CROSS_TARGET_MS - added, 2)} ms under` : `${f(added - CROSS_TARGET_MS, 2)} ms over`} the limit)` +
        (b.length ? ` [generator-bound: ${b.join('; ')}]` : ''),
    )
  }
  const c1 = get('cluster', 1)
  if (c1) {
    out.push(
      `- W1 on ${c1.relays} relays delivers every update to every other client of its room: ${c1.missing === 0 ? 'PASS' : 'MISS'} — ` +
        `${fInt(c1.applied)} of ${fInt(c1.expected)} expected deliveries (${fInt(c1.sent)} updates × ${opts.clients - 1} peers) arrived (waited ${f(c1.drainMs / 1000, 1)} s after the window, at most ${DRAIN_MS / 1000} s)` +
        (c1.missing ? `, ${fInt(c1.missing)} missing (${f((c1.missing / c1.expected) * 100, 3)}%)` : ''),
    )
  } else if (opts.workloads.includes(1) && opts.configs.includes('cluster')) out.push('- W1 no loss on the cluster: n/a (missing results)')
  return out.join('\n')
}

function machine() {
  const cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
  return `node ${process.version}, ${cpus().length} CPUs (${cpuModel}), RAM ${(totalmem() / 2 ** 30).toFixed(1)} GiB (${(freemem() / 2 ** 30).toFixed(1)} free), load avg ${load}`
}

// ---------------------------------------------------------------------------------------------

const OPTIONS = parseOptions()
process.setMaxListeners(0)

async function main() {
  const opts = OPTIONS
  if (!existsSync(SKEIN_CLI)) throw new Error('dist/node/server/cli.js is missing: run `npm run build:node` (or use `npm run bench:scale`)')
  const started = performance.now()
  const log = (msg) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1)}s] ${msg}\n`)
  log(`machine: ${machine()}`)
  const needPg = opts.configs.some((c) => CONFIGS[c].postgres)
  const needRedis = opts.configs.some((c) => CONFIGS[c].redis)
  const infra = { pg: needPg ? await startPostgres(opts.pgConf) : null, redis: needRedis ? await startRedis() : null }
  if (infra.pg) log(`PostgreSQL ${infra.pg.version} on :${infra.pg.port} (${Object.entries(infra.pg.settings).map(([k, v]) => `${k}=${v}`).join(', ')})`)
  if (infra.redis) log(`Redis ${infra.redis.version} on :${infra.redis.port}`)
  const results = []
  try {
    for (const w of opts.workloads) {
      for (const c of opts.configs) {
        const name = `W${w} on ${c}`
        log(`${name} …`)
        try {
          const r = await run(c, w, infra, opts)
          results.push(r)
          const act = r.pgActivity ? Object.entries(r.pgActivity).map(([k, v]) => `${k} ${f(v, 1)}`).join(', ') : ''
          log(
            `${name}: sent ${fInt(r.sentPerSec)}/s, delivered ${f(r.delivery * 100, 2)}% (missing ${r.missing}), p50 ${f(r.p50, 2)} p99 ${f(r.p99, 1)} ms, ` +
              `same ${f(r.same.p50, 2)}/${f(r.same.p99, 1)} (${r.same.n}), cross ${f(r.cross.p50, 2)}/${f(r.cross.p99, 1)} (${r.cross.n}), ` +
              `relay CPU ${f(r.relayCpu, 0)}% (${r.relayCpuEach.map((x) => f(x, 0)).join('+')}), ${f(r.cpuMsPer1kUpdates, 0)} ms/1k updates, ` +
              `PG ${fInt(r.commitsPerSec)} commits/s, writes ${fInt(r.writesPerSec)}/s (${f(r.writeMs, 2)} ms), PG CPU ${f(r.pgCpu, 0)}%, Redis CPU ${f(r.redisCpu, 0)}%, ` +
              `gen ${f(r.genCpu, 0)}% (lag p99 ${f(r.genLagP99, 0)} ms), other ${f(r.otherCpu, 0)}%, unstamped ${r.unstamped}, skipped ${r.skipped}` +
              (act ? `; PG backends (mean): ${act}` : '') +
              (r.generatorBound ? ` — GENERATOR-BOUND (${r.generatorBound})` : '') +
              (r.clientProblems.length ? `; clients: ${r.clientProblems.join('; ')}` : '') +
              r.relayLog.map((l, i) => (l.length ? `\n  relay ${i} log: ${l.slice(0, 5).join('; ')}` : '')).join(''),
          )
        } catch (err) {
          log(`${name}: FAILED: ${err.stack ?? err}`)
          results.push({ config: c, configLabel: c, workload: `W${w}`, error: String(err.message ?? err) })
        }
        await sleep(200)
      }
    }
  } finally {
    await infra.redis?.stop()
    await infra.pg?.stop()
  }
  const elapsed = (performance.now() - started) / 1000
  const logNotes = results
    .filter((r) => !r.error)
    .flatMap((r) => r.relayLog.flatMap((l, i) => (l.length ? [`- ${r.workload} on ${r.configLabel}, relay ${i}: ${l.slice(0, 5).join('; ')}`] : [])))
  const report = [
    '',
    `## Scale-out benchmark (${new Date().toISOString()})`,
    '',
    `Machine: ${machine()}`,
    `Scale: W1 ${opts.rooms} rooms × ${opts.clients} clients; W2 ${opts.hotClients} clients in one room, ${Math.min(opts.hotTypists, opts.hotClients)} typing; ` +
      `${opts.rate} updates/s per typing client; ${opts.duration} s windows; ${opts.workers} generator threads; cluster = ${opts.relays} relays. Total ${elapsed.toFixed(0)} s.`,
    infra.pg ? `PostgreSQL ${infra.pg.version} (${Object.entries(infra.pg.settings).map(([k, v]) => `${k}=${v}`).join(', ')}); Redis ${infra.redis?.version ?? '–'}.` : '',
    '',
    tables(results),
    '',
    'Targets:',
    verdicts(results, opts),
    '',
    'Relay log warnings/errors: ' + (logNotes.length ? '\n' + logNotes.join('\n') : 'none'),
    '',
  ].join('\n')
  process.stdout.write(report + '\n')
  if (opts.json) writeFileSync(opts.json, JSON.stringify({ options: opts, machine: machine(), elapsed, results }, null, 2))
  return results.some((r) => r.error) ? 1 : 0
}

main().then(
  (code) => {
    cleanupSync()
    process.exit(code)
  },
  (err) => {
    process.stderr.write(`bench: ${err.stack ?? err}\n`)
    cleanupSync()
    process.exit(1)
  },
)
