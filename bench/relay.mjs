#!/usr/bin/env node
// Relay benchmark: the same load generator against Skein's relay, the stock y-websocket server
// (@y/websocket-server) and Hocuspocus, each in its own child process. See docs/benchmarks.md.
//
//   node bench/relay.mjs [--quick] [--rooms N] [--clients N] [--hot-clients N] [--hot-typists N]
//     [--idle-rooms N] [--duration S] [--rate N] [--relays skein,stock,hocuspocus,raw] [--workloads 1,2,3]
//     [--workers N] [--json FILE] [--skein-args "..."] [--skein-node-args "--cpu-prof ..."]      Env twins: BENCH_ROOMS, BENCH_CLIENTS,
// BENCH_HOT_CLIENTS, BENCH_HOT_TYPISTS, BENCH_IDLE_ROOMS, BENCH_DURATION, BENCH_RATE, BENCH_RELAYS,
// BENCH_WORKLOADS, BENCH_WORKERS, BENCH_QUICK=1, BENCH_SKEIN_ARGS, BENCH_JSON, BENCH_BATCH.
// Not run by default: `raw`, a byte-forwarding `ws` server (bench/peers/raw.mjs), the floor; `stock-mem`,
// the stock server without YPERSISTENCE (memory only). The single-relay comparison of docs/benchmarks.md:
//   node bench/relay.mjs --relays skein,stock-mem,stock,raw --workloads 1,3 --rooms 250
// `skein@DIR` runs another Skein build (DIR/dist/node/server/cli.js) in the same run, for before/after.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, freemem, tmpdir, totalmem } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { createHash } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { Histogram, STAMP_RING } from './histogram.mjs'
import { canConnect, cpuSeconds, freePort, machineBusySeconds, rssMiB, sleep, startGenerator } from './kit.mjs'

const HERE = dirname(fileURLToPath(import.meta.url))
const ROOT = resolve(HERE, '..')
const PROBE_URL = pathToFileURL(join(HERE, 'lag-probe.mjs')).href
const SKEIN_CLI = join(ROOT, 'dist/node/server/cli.js')
const STOCK_SERVER = join(ROOT, 'node_modules/@y/websocket-server/src/server.js')
const HOCUSPOCUS_PEER = join(HERE, 'peers/hocuspocus.mjs')
const RAW_PEER = join(HERE, 'peers/raw.mjs')

// ---------------------------------------------------------------------------------------------
// Options

/** @typedef {{rooms:number, clients:number, hotClients:number, idleRooms:number, idleSettle:number, duration:number, rate:number, relays:string[], workloads:number[], quick:boolean, json:string|null, skeinArgs:string[], skeinNodeArgs:string[], batch:number, workers:number}} Options */

/** Generator threads: one per core, at least 2 (the relay under test shares the cores). */
const DEFAULT_WORKERS = Math.max(2, Math.min(4, cpus().length))

/** @returns {Options} */
function parseOptions() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      rooms: { type: 'string' },
      clients: { type: 'string' },
      'hot-clients': { type: 'string' },
      'hot-typists': { type: 'string' },
      'idle-rooms': { type: 'string' },
      'idle-settle': { type: 'string' },
      duration: { type: 'string' },
      rate: { type: 'string' },
      relays: { type: 'string' },
      workloads: { type: 'string' },
      json: { type: 'string' },
      'skein-args': { type: 'string' },
      'skein-node-args': { type: 'string' },
      batch: { type: 'string' },
      workers: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help) {
    const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n')
    process.stdout.write(lines.slice(1, lines.findIndex((l) => l.startsWith('import'))).join('\n') + '\n')
    process.exit(0)
  }
  const env = process.env
  const quick = values.quick ?? /^(1|true|yes)$/i.test(env.BENCH_QUICK ?? '')
  const d = quick
    ? { rooms: 20, clients: 3, hotClients: 20, idleRooms: 200, duration: 4 }
    : { rooms: 500, clients: 3, hotClients: 200, idleRooms: 5000, duration: 25 }
  const num = (flag, envName, dflt, min, max) => {
    const raw = values[flag] ?? env[envName]
    if (raw === undefined || raw === '') return dflt
    const n = Number(raw)
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${flag} must be a number in [${min}, ${max}], got "${raw}"`)
    return n
  }
  const relays = (values.relays ?? env.BENCH_RELAYS ?? 'skein,stock,hocuspocus').split(',').map((s) => s.trim()).filter(Boolean)
  // `skein@DIR`: another Skein build (DIR/dist/node/server/cli.js, e.g. an older commit), for before/after in one run.
  for (const r of relays) if (r.startsWith('skein@')) RELAYS[r] = skeinAt(resolve(r.slice('skein@'.length)), r)
  for (const r of relays) if (!RELAYS[r]) throw new Error(`unknown relay "${r}" (known: ${Object.keys(RELAYS).join(', ')})`)
  const workloads = (values.workloads ?? env.BENCH_WORKLOADS ?? '1,2,3').split(',').map(Number)
  for (const w of workloads) if (![1, 2, 3].includes(w)) throw new Error(`unknown workload "${w}" (1, 2 or 3)`)
  return {
    quick,
    rooms: Math.floor(num('rooms', 'BENCH_ROOMS', d.rooms, 1, 100_000)),
    clients: Math.floor(num('clients', 'BENCH_CLIENTS', d.clients, 2, 1000)),
    hotClients: Math.floor(num('hot-clients', 'BENCH_HOT_CLIENTS', d.hotClients, 2, 10_000)),
    // The issue's W2 has all 200 typing (199,000 deliveries/s, each applied by a stock client in
    // the generator): not drivable on 2 cores (see docs/benchmarks.md), so by default 20 of the 200 type.
    hotTypists: Math.floor(num('hot-typists', 'BENCH_HOT_TYPISTS', 20, 1, 10_000)),
    idleRooms: Math.floor(num('idle-rooms', 'BENCH_IDLE_ROOMS', d.idleRooms, 1, 200_000)),
    // Seconds W3 idles after connecting before it samples RSS (default 5; 1 with --quick).
    idleSettle: num('idle-settle', 'BENCH_IDLE_SETTLE', quick ? 1 : 5, 0, 600),
    duration: num('duration', 'BENCH_DURATION', d.duration, 1, 3600),
    rate: num('rate', 'BENCH_RATE', 5, 0.1, 1000),
    batch: Math.floor(num('batch', 'BENCH_BATCH', 100, 1, 10_000)),
    workers: Math.floor(num('workers', 'BENCH_WORKERS', DEFAULT_WORKERS, 1, 64)),
    relays,
    workloads,
    json: values.json ?? env.BENCH_JSON ?? null,
    skeinArgs: (values['skein-args'] ?? env.BENCH_SKEIN_ARGS ?? '').split(/\s+/).filter(Boolean),
    // Node flags for the Skein process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" (not allowed in NODE_OPTIONS).
    skeinNodeArgs: (values['skein-node-args'] ?? env.BENCH_SKEIN_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
  }
}

// ---------------------------------------------------------------------------------------------
// Child processes: every relay runs in its own process with the lag probe preloaded.

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set()
/** @type {Set<string>} */
const tempDirs = new Set()

function killAllChildren() {
  for (const c of children) {
    try {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
    } catch {
      // already gone
    }
  }
  children.clear()
}
function removeTempDirs() {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true })
  tempDirs.clear()
}
process.on('exit', () => {
  killAllChildren()
  removeTempDirs()
})
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    process.stderr.write(`\nbench: ${sig}, killing relays\n`)
    killAllChildren()
    removeTempDirs()
    process.exit(130)
  })
}

function makeTempDir(tag) {
  const d = mkdtempSync(join(tmpdir(), `skein-bench-${tag}-`))
  tempDirs.add(d)
  return d
}


/**
 * Every bench client comes from 127.0.0.1, so Skein's per-address connection cap (default 500)
 * would refuse most of them; raise it and the overall cap to fit the largest workload. Only flags
 * this build's --help lists are passed, so older builds still start. Message-rate limits stay at
 * their defaults (typing clients send ~5 frames/s). `--skein-args` adds or overrides flags.
 */
let skeinLimits = null
function skeinLimitArgs() {
  if (skeinLimits) return skeinLimits
  const help = spawnSync(process.execPath, [SKEIN_CLI, '--help'], { encoding: 'utf8' }).stdout ?? ''
  const need = String(Math.max(OPTIONS.rooms * OPTIONS.clients, OPTIONS.hotClients, OPTIONS.idleRooms) * 2 + 100)
  skeinLimits = []
  for (const flag of ['--max-connections-per-ip', '--max-connections']) if (help.includes(flag + ' ')) skeinLimits.push(flag, need)
  return skeinLimits
}

/** @returns {RelayDef} */
function skeinAt(root, name) {
  const cli = join(root, 'dist/node/server/cli.js')
  return {
    name,
    label: root === ROOT ? 'Skein relay' : `Skein relay (${cli})`,
    client: 'y-websocket',
    persistence: 'SQLite (WAL)',
    start: (port, dataDir) => {
      if (!existsSync(cli)) throw new Error(`${cli} missing`)
      return {
        // The same V8 flag every Skein launcher passes (see the shebang of server/cli.ts).
        args: ['--max-semi-space-size=8', ...OPTIONS.skeinNodeArgs, cli, '--port', String(port), '--data', dataDir, '--log-level', 'warn', ...skeinLimitArgs(), ...OPTIONS.skeinArgs],
        env: {},
      }
    },
  }
}

/**
 * @typedef {{ name: string, label: string, client: 'y-websocket'|'hocuspocus', persistence: string,
 *   start(port:number, dataDir:string): {args:string[], env:Record<string,string|undefined>} }} RelayDef
 */
/** @type {Record<string, RelayDef>} */
const RELAYS = {
  skein: skeinAt(ROOT, 'skein'),
  stock: {
    name: 'stock',
    label: '@y/websocket-server 0.1.1',
    client: 'y-websocket',
    persistence: 'LevelDB via y-leveldb (YPERSISTENCE)',
    start: (port, dataDir) => ({
      args: [STOCK_SERVER],
      env: { HOST: '127.0.0.1', PORT: String(port), YPERSISTENCE: dataDir },
    }),
  },
  // The same stock server without YPERSISTENCE: it keeps documents in memory only (stores nothing).
  'stock-mem': {
    name: 'stock-mem',
    label: '@y/websocket-server 0.1.1, memory only',
    client: 'y-websocket',
    persistence: 'memory (no YPERSISTENCE)',
    start: (port) => ({ args: [STOCK_SERVER], env: { HOST: '127.0.0.1', PORT: String(port), YPERSISTENCE: undefined } }),
  },
  hocuspocus: {
    name: 'hocuspocus',
    label: '@hocuspocus/server 4',
    client: 'hocuspocus',
    persistence: 'memory', // replaced by what the peer reports on start-up
    start: (port, dataDir) => ({ args: [HOCUSPOCUS_PEER, '--port', String(port), '--data', dataDir], env: {} }),
  },
  raw: {
    name: 'raw',
    label: 'raw ws forwarder (bench/peers/raw.mjs)',
    client: 'y-websocket',
    persistence: 'memory (forwards bytes, keeps nothing)',
    start: (port) => ({ args: [RAW_PEER, '--port', String(port)], env: {} }),
  },
}

/**
 * @typedef {{ def: RelayDef, proc: import('node:child_process').ChildProcess, pid: number, port: number,
 *   dataDir: string, lagFile: string, persistence: string, output: () => string }} RunningRelay
 */

/** @param {RelayDef} def @returns {Promise<RunningRelay>} */
async function startRelayProcess(def) {
  const port = await freePort()
  const work = makeTempDir(def.name.replace(/[^A-Za-z0-9-]/g, '_'))
  const dataDir = join(work, 'data')
  const lagFile = join(work, 'lag.jsonl')
  const { args, env } = def.start(port, dataDir)
  const childEnv = { ...process.env, ...env, BENCH_LAG_FILE: lagFile, NODE_ENV: 'production' }
  for (const k of Object.keys(childEnv)) if (childEnv[k] === undefined) delete childEnv[k] // e.g. stock-mem: no YPERSISTENCE
  const proc = spawn(process.execPath, ['--import', PROBE_URL, ...args], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(proc)
  let out = ''
  const keep = (chunk) => {
    out = (out + chunk.toString()).slice(-8000)
  }
  proc.stdout.on('data', keep)
  proc.stderr.on('data', keep)
  proc.once('exit', () => children.delete(proc))
  const deadline = Date.now() + 30_000
  while (!(await canConnect(port))) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`${def.name} exited during start-up (code ${proc.exitCode}):\n${out}`)
    if (Date.now() > deadline) throw new Error(`${def.name} did not listen on ${port} within 30 s:\n${out}`)
    await sleep(50)
  }
  let persistence = def.persistence
  if (def.name === 'hocuspocus') {
    const until = Date.now() + 5000
    while (!/persistence=(\w+)/.test(out) && Date.now() < until) await sleep(20)
    persistence = /persistence=(\w+)/.exec(out)?.[1] === 'sqlite' ? 'SQLite (@hocuspocus/extension-sqlite)' : 'memory (no persistence extension installed)'
  }
  return { def, proc, pid: /** @type {number} */ (proc.pid), port, dataDir, lagFile, persistence, output: () => out }
}

/** Stops a relay with SIGTERM (so it can flush), SIGKILL after 15 s. Resolves when it exited. */
async function stopRelayProcess(/** @type {RunningRelay} */ r) {
  const { proc } = r
  if (proc.exitCode !== null || proc.signalCode !== null) return
  const exited = new Promise((res) => proc.once('exit', res))
  proc.kill('SIGTERM')
  const t = setTimeout(() => proc.kill('SIGKILL'), 15_000)
  await exited
  clearTimeout(t)
}

/** Asks the relay's lag probe for its numbers since the previous request (and resets them). */
async function readLag(/** @type {RunningRelay} */ r) {
  const before = existsSync(r.lagFile) ? readFileSync(r.lagFile, 'utf8').split('\n').filter(Boolean).length : 0
  try {
    process.kill(r.pid, 'SIGUSR2')
  } catch {
    return null
  }
  const until = Date.now() + 5000
  while (Date.now() < until) {
    await sleep(25)
    if (!existsSync(r.lagFile)) continue
    const lines = readFileSync(r.lagFile, 'utf8').split('\n').filter(Boolean)
    if (lines.length > before) return JSON.parse(lines[lines.length - 1])
  }
  return null
}

function dirBytes(dir) {
  if (!existsSync(dir)) return 0
  let total = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size
  }
  return total
}

/** Samples a relay's RSS every 250 ms; `mark()` starts the steady-state window. */
function rssSampler(pid) {
  let peak = 0
  /** @type {number[]} */
  let steady = []
  let inWindow = false
  const tick = () => {
    const v = rssMiB(pid)
    if (v === null) return
    if (v > peak) peak = v
    if (inWindow) steady.push(v)
  }
  tick()
  const t = setInterval(tick, 250)
  return {
    mark() {
      steady = []
      inWindow = true
    },
    stop() {
      clearInterval(t)
      tick()
      inWindow = false
      const sorted = [...steady].sort((a, b) => a - b)
      return { peak, steady: sorted.length ? sorted[Math.floor(sorted.length / 2)] : rssMiB(pid) ?? NaN }
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Load generator: the bench clients live in `--workers` worker threads (bench/load-worker.mjs), so
// sending and applying updates is spread over several cores and this thread only orchestrates
// and samples the relay. All three relays go through the same worker code.

/** A generator thread and a request/reply helper around it. */
function startWorker(relay, stampBuf) {
  return startGenerator({ port: relay.port, kind: relay.def.client, stampBuf })
}

/** Starts the generator threads and connects `count` clients (client i joins room roomOf(i)), spread round-robin. */
async function connectClients(relay, count, roomOf, batch, opts, { writeParagraph = false, typing = true, beforeConnect = async () => {} } = {}) {
  const n = Math.max(1, Math.min(opts.workers, count))
  // Send stamps shared by all threads (see load-worker.mjs): STAMP_RING × (clock, time) float64 per client.
  const stampBuf = typing ? new SharedArrayBuffer(count * STAMP_RING * 2 * 8) : null
  const workers = Array.from({ length: n }, () => startWorker(relay, stampBuf))
  const rooms = workers.map(() => /** @type {string[]} */ ([]))
  const ids = workers.map(() => /** @type {number[]} */ ([]))
  for (let i = 0; i < count; i++) {
    rooms[i % n].push(roomOf(i))
    ids[i % n].push(i)
  }
  const gen = { workers, count, async destroy() {
    await Promise.allSettled(workers.map((w) => w.call('destroy')))
    await Promise.allSettled(workers.map((w) => w.terminate()))
  } }
  try {
    await Promise.all(workers.map((w) => w.call('ping'))) // threads loaded, so their start-up is not timed
    await beforeConnect()
    // Each thread connects its share `batch / threads` at a time, waiting for each batch to sync.
    const perThreadBatch = Math.max(1, Math.ceil(batch / n))
    await Promise.all(workers.map((w, k) => w.call('connect', { rooms: rooms[k], ids: ids[k], batch: perThreadBatch, writeParagraph, timeoutMs: 60_000 })))
  } catch (err) {
    await gen.destroy()
    const out = relay.output().trim().split('\n').slice(-5).join('\n')
    throw new Error(`${relay.def.name}: ${err.message}${out ? `\nrelay output:\n${out}` : ''}`, { cause: err })
  }
  if (relay.proc.exitCode !== null || relay.proc.signalCode !== null) {
    await gen.destroy()
    throw new Error(`${relay.def.name} died while clients connected:\n${relay.output()}`)
  }
  return gen
}

// ---------------------------------------------------------------------------------------------
// Workloads

/** A row is "generator-bound" when the load generator, not the relay, limited it. */
const GEN_BOUND_SENT = 0.9
const GEN_BOUND_LAG_MS = 100
function generatorBound(r) {
  const why = []
  if (r.sentPerSec < GEN_BOUND_SENT * r.targetPerSec) why.push(`sent ${f((r.sentPerSec / r.targetPerSec) * 100, 0)}% of target`)
  if (r.genLagP99 > GEN_BOUND_LAG_MS) why.push(`gen lag p99 ${f(r.genLagP99, 0)} ms`)
  return why.length ? why.join(', ') : null
}

/**
 * Typing load (see bench/load-worker.mjs for what each client does). The window is fixed in
 * advance on the shared clock: warm-up, then `--duration` seconds; only updates *sent* inside the
 * window count, and late arrivals are collected for up to 5 s after it.
 */
async function typingRun(relay, gen, opts, peersPerRoom, typists = gen.count) {
  const warmup = opts.quick ? 1000 : Math.min(5000, Math.max(1500, opts.duration * 200))
  const now = performance.timeOrigin + performance.now()
  const windowStart = now + warmup
  const windowEnd = windowStart + opts.duration * 1000
  await Promise.all(gen.workers.map((w) => w.call('type', { rate: opts.rate, typists, windowStart, windowEnd })))
  const untilAbs = (t) => sleep(Math.max(0, t - (performance.timeOrigin + performance.now())))

  await untilAbs(windowStart)
  const sampler = rssSampler(relay.pid)
  await readLag(relay) // discard start-up lag
  sampler.mark()
  const cpu0 = cpuSeconds(relay.pid)
  const genCpu0 = process.cpuUsage() // whole process: all generator threads
  const busy0 = machineBusySeconds()
  const w0 = performance.now()
  await untilAbs(windowEnd)
  const w1 = performance.now()
  const cpu1 = cpuSeconds(relay.pid)
  const genCpu = process.cpuUsage(genCpu0)
  const busy1 = machineBusySeconds()
  const lag = await readLag(relay)
  const rss = sampler.stop()
  await Promise.all(gen.workers.map((w) => w.call('stopTyping')))
  // Drain: let updates sent inside the window arrive (bounded).
  const drainUntil = performance.now() + 5000
  for (;;) {
    const s = await Promise.all(gen.workers.map((w) => w.call('stats')))
    const sent = s.reduce((a, x) => a + x.sent, 0)
    const applied = s.reduce((a, x) => a + x.applied, 0)
    if (applied >= sent * (peersPerRoom - 1) || performance.now() > drainUntil) break
    await sleep(100)
  }
  const parts = await Promise.all(gen.workers.map((w) => w.call('report')))
  const hist = new Histogram()
  for (const p of parts) hist.merge(p.hist)
  const sum = (k) => parts.reduce((a, p) => a + p[k], 0)
  const sent = sum('sent')
  const applied = sum('applied')
  const expected = sent * (peersPerRoom - 1)
  const secs = opts.duration
  const wsecs = (w1 - w0) / 1000
  const relayCpu = cpu0 !== null && cpu1 !== null ? ((cpu1 - cpu0) / wsecs) * 100 : NaN
  // Relay CPU ms per 1,000 updates sent in the window (each fanned out to peersPerRoom − 1 peers).
  const cpuPerK = cpu0 !== null && cpu1 !== null && sent > 0 ? ((cpu1 - cpu0) * 1000) / (sent / 1000) : NaN
  const genCpuPct = ((genCpu.user + genCpu.system) / 1e6 / wsecs) * 100
  const res = {
    sentPerSec: sent / secs,
    targetPerSec: typists * opts.rate,
    appliedPerSec: applied / secs,
    delivery: expected > 0 ? applied / expected : NaN,
    p50: hist.quantile(0.5),
    p99: hist.quantile(0.99),
    max: hist.max,
    samples: hist.n,
    unstamped: sum('unstamped'),
    skipped: sum('skipped'),
    relayCpu,
    cpuPerK,
    genCpu: genCpuPct,
    // Everything else on the machine (other users' work), in % of one core: noise indicator.
    otherCpu: busy0 !== null && busy1 !== null ? Math.max(0, ((busy1 - busy0) / wsecs) * 100 - relayCpu - genCpuPct) : NaN,
    genThreads: gen.workers.length,
    genLagP99: Math.max(...parts.map((p) => p.lagP99)),
    genLagMax: Math.max(...parts.map((p) => p.lagMax)),
    genElu: Math.max(...parts.map((p) => p.elu)),
    rssSteady: rss.steady,
    rssPeak: rss.peak,
    lag,
  }
  res.generatorBound = generatorBound(res)
  return res
}

async function workloadMultiRoom(def, opts) {
  const relay = await startRelayProcess(def)
  let gen = null
  try {
    const n = opts.rooms * opts.clients
    gen = await connectClients(relay, n, (i) => `bench/${Math.floor(i / opts.clients)}`, opts.batch, opts)
    const res = await typingRun(relay, gen, opts, opts.clients)
    return { ...res, clients: n, rooms: opts.rooms, ...(await finish(relay, gen, opts.rooms)) }
  } finally {
    await gen?.destroy()
    await stopRelayProcess(relay)
  }
}

async function workloadHotRoom(def, opts) {
  const relay = await startRelayProcess(def)
  let gen = null
  try {
    gen = await connectClients(relay, opts.hotClients, () => 'bench/hot', Math.min(opts.batch, 50), opts)
    const typists = Math.min(opts.hotTypists, opts.hotClients)
    const res = await typingRun(relay, gen, opts, opts.hotClients, typists)
    return { ...res, clients: opts.hotClients, typists, rooms: 1, ...(await finish(relay, gen, 1)) }
  } finally {
    await gen?.destroy()
    await stopRelayProcess(relay)
  }
}

async function workloadIdle(def, opts) {
  const relay = await startRelayProcess(def)
  let gen = null
  try {
    await sleep(opts.quick ? 500 : 1500)
    const fresh = rssMiB(relay.pid) ?? NaN
    const sampler = rssSampler(relay.pid)
    let cpu0 = null
    let t0 = 0
    // One short paragraph per room, written once right after the first sync.
    gen = await connectClients(relay, opts.idleRooms, (i) => `bench/idle/${i}`, opts.batch, opts, {
      writeParagraph: true,
      typing: false,
      beforeConnect: async () => {
        await readLag(relay)
        cpu0 = cpuSeconds(relay.pid)
        t0 = performance.now()
      },
    })
    const connectSecs = (performance.now() - t0) / 1000
    const cpu1 = cpuSeconds(relay.pid)
    const lag = await readLag(relay) // lag while 5,000 rooms were loaded and written
    // Idle: let writes land and the heap settle, then take the steady RSS.
    await sleep(opts.idleSettle * 1000)
    sampler.mark()
    await sleep(opts.quick ? 1000 : 4000)
    const rss = sampler.stop()
    return {
      clients: opts.idleRooms,
      rooms: opts.idleRooms,
      connectPerSec: opts.idleRooms / connectSecs,
      relayCpu: cpu0 !== null && cpu1 !== null ? ((cpu1 - cpu0) / connectSecs) * 100 : NaN,
      rssFresh: fresh,
      rssSteady: rss.steady,
      rssPeak: rss.peak,
      rssPerRoomKiB: ((rss.steady - fresh) * 1024) / opts.idleRooms,
      lag,
      ...(await finish(relay, gen, opts.idleRooms)),
    }
  } finally {
    await gen?.destroy()
    await stopRelayProcess(relay)
  }
}

/** Disconnects the clients, stops the relay so it flushes, then measures its data folder. */
async function finish(relay, gen, rooms) {
  await gen.destroy()
  await sleep(300)
  await stopRelayProcess(relay)
  if (relay.persistence.startsWith('memory')) return { storedPerRoom: NaN, persistence: relay.persistence }
  return { storedPerRoom: dirBytes(relay.dataDir) / rooms, persistence: relay.persistence }
}

// ---------------------------------------------------------------------------------------------
// Report

const f = (v, digits = 1) => (v === undefined || v === null || Number.isNaN(v) ? 'n/a' : v.toFixed(digits))
const fInt = (v) => (v === undefined || v === null || Number.isNaN(v) ? 'n/a' : Math.round(v).toLocaleString('en-US'))

function table(results) {
  const head = [
    'workload',
    'relay',
    'clients',
    'sent/s (target)',
    'applied/s',
    'delivered',
    'p50 ms',
    'p99 ms',
    'relay CPU %',
    'CPU ms/1k updates',
    'RSS steady MiB',
    'RSS peak MiB',
    'RSS/idle room KiB',
    'stored B/room',
    'relay lag p50/p99/max ms',
    'gen lag p99 ms',
    'generator',
    'other procs CPU %',
  ]
  const rows = results.map((r) => {
    if (r.error) return [r.workload, r.relay, 'error: ' + r.error.split('\n')[0].slice(0, 80), ...Array(head.length - 3).fill('')]
    const typing = r.workload !== 'W3 idle'
    return [
      r.workload,
      r.relay,
      r.typists !== undefined && r.typists < r.clients ? `${fInt(r.clients)} (${fInt(r.typists)} typing)` : fInt(r.clients),
      typing ? `${fInt(r.sentPerSec)} (${fInt(r.targetPerSec)})` : `${fInt(r.connectPerSec)} conn/s`,
      typing ? fInt(r.appliedPerSec) : '–',
      typing ? `${f(r.delivery * 100, 1)}%` : '–',
      typing ? f(r.p50, 2) : '–',
      typing ? f(r.p99, 2) : '–',
      f(r.relayCpu, 0),
      typing ? f(r.cpuPerK, 1) : '–',
      f(r.rssSteady, 1),
      f(r.rssPeak, 1),
      typing ? '–' : `${f(r.rssPerRoomKiB, 2)} (fresh ${f(r.rssFresh, 1)} MiB)`,
      Number.isNaN(r.storedPerRoom) ? 'n/a (memory)' : fInt(r.storedPerRoom),
      r.lag ? `${f(r.lag.p50, 1)}/${f(r.lag.p99, 1)}/${f(r.lag.max, 0)}` : 'n/a',
      typing ? f(r.genLagP99, 1) : '–',
      typing ? (r.generatorBound ? `**generator-bound** (${r.generatorBound})` : `ok (${r.genThreads} threads, busiest ${f(r.genElu * 100, 0)}%)`) : '–',
      typing ? f(r.otherCpu, 0) : '–',
    ]
  })
  const line = (cells) => `| ${cells.join(' | ')} |`
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n')
}

function verdicts(results) {
  const out = []
  const get = (w, relay) => results.find((r) => r.workload === w && r.relay === relay && !r.error)
  const compare = (w, metric, unit, label) => {
    const s = get(w, 'skein')
    const peers = ['stock', 'stock-mem', 'hocuspocus'].map((p) => get(w, p)).filter((p) => p && Number.isFinite(p[metric]))
    if (!s || !Number.isFinite(s[metric]) || peers.length === 0) return out.push(`- ${w} ${label}: n/a (missing results)`)
    const bound = [s, ...peers].filter((r) => r.generatorBound)
    if (bound.length)
      return out.push(`- ${w} ${label}: n/a — generator-bound, so not a relay comparison (${bound.map((r) => `${r.relay}: ${r.generatorBound}`).join('; ')})`)
    const best = peers.reduce((a, b) => (b[metric] < a[metric] ? b : a))
    const margin = ((s[metric] - best[metric]) / best[metric]) * 100
    const ok = s[metric] <= best[metric]
    out.push(
      `- ${w} ${label}: ${ok ? 'PASS' : 'MISS'} — Skein ${f(s[metric], 2)} ${unit} vs best peer ${best.relay} ${f(best[metric], 2)} ${unit} ` +
        `(${margin <= 0 ? `${f(-margin, 1)}% better` : `${f(margin, 1)}% worse`})`,
    )
  }
  const typingWorkloads = [...new Set(results.map((r) => r.workload))].filter((w) => w.startsWith('W1') || w.startsWith('W2'))
  for (const w of typingWorkloads) {
    compare(w, 'p99', 'ms', 'p99 latency ≤ best peer')
    compare(w, 'rssSteady', 'MiB', 'steady RSS ≤ best peer')
  }
  // The single-relay targets against the stock server alone (docs/benchmarks.md).
  for (const w of typingWorkloads.filter((x) => x.startsWith('W1'))) {
    const s = get(w, 'skein')
    if (!s) continue
    for (const name of ['stock', 'stock-mem']) {
      const k = get(w, name)
      if (!k) continue
      for (const [metric, unit, label, factor] of [['p50', 'ms', 'p50', 1], ['p99', 'ms', 'p99', 1], ['cpuPerK', 'CPU ms/1k updates', 'relay CPU per update', 1.2]]) {
        const limit = k[metric] * factor
        const ok = s[metric] <= limit
        out.push(
          `- ${w} ${label} ≤ ${factor === 1 ? '' : `${factor}× `}${name}: ${ok ? 'PASS' : 'MISS'} — Skein ${f(s[metric], 2)} ${unit} vs limit ${f(limit, 2)} ` +
            `(${name} ${f(k[metric], 2)}; Skein is ${f((s[metric] / k[metric]) * 100, 0)}% of ${name})`,
        )
      }
    }
  }
  const s3 = get('W3 idle', 'skein')
  for (const name of ['stock', 'stock-mem']) {
    const k3 = get('W3 idle', name)
    if (s3 && k3 && Number.isFinite(s3.rssPerRoomKiB) && Number.isFinite(k3.rssPerRoomKiB)) {
      const limit = k3.rssPerRoomKiB / 2
      const ok = s3.rssPerRoomKiB <= limit
      out.push(
        `- W3 idle RSS per room ≤ ½ ${name}: ${ok ? 'PASS' : 'MISS'} — Skein ${f(s3.rssPerRoomKiB, 2)} KiB vs limit ${f(limit, 2)} KiB ` +
          `(${name} ${f(k3.rssPerRoomKiB, 2)} KiB; Skein is ${f((s3.rssPerRoomKiB / k3.rssPerRoomKiB) * 100, 0)}% of ${name})`,
      )
    } else if (OPTIONS.workloads.includes(3) && OPTIONS.relays.includes(name)) out.push(`- W3 idle RSS per room ≤ ½ ${name}: n/a (missing results)`)
  }
  return out.join('\n')
}

/** Which Skein build ran: dist mtime and a short hash of the compiled server, since server/ changes often. */
function skeinBuild() {
  const dir = join(ROOT, 'dist/node/server')
  const files = []
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (p.endsWith('.js')) files.push(p)
    }
  }
  walk(dir)
  files.sort()
  const hash = createHash('sha256')
  let newest = 0
  for (const p of files) {
    hash.update(readFileSync(p))
    newest = Math.max(newest, statSync(p).mtimeMs)
  }
  let git = ''
  try {
    git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim()
  } catch {
    // no git
  }
  return `dist/node/server sha256 ${hash.digest('hex').slice(0, 12)} built ${new Date(newest).toISOString()}${git ? ` (HEAD ${git} + working tree)` : ''}`
}

function machine() {
  const cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
  return `node ${process.version}, ${cpus().length} CPUs (${cpuModel}), RAM ${(totalmem() / 2 ** 30).toFixed(1)} GiB (${(freemem() / 2 ** 30).toFixed(1)} free), load avg ${load}`
}

// ---------------------------------------------------------------------------------------------

const OPTIONS = parseOptions()
// y-websocket's provider adds a process 'exit' listener per instance; thousands are expected here.
process.setMaxListeners(0)

async function main() {
  const opts = OPTIONS
  if (opts.relays.includes('skein') && !existsSync(SKEIN_CLI)) {
    process.stderr.write('bench: dist/node/server/cli.js missing; running npm run build:node\n')
    const r = spawnSync('npm', ['run', 'build:node', '--silent'], { cwd: ROOT, stdio: 'inherit' })
    if (r.status !== 0) throw new Error('npm run build:node failed')
  }
  const started = performance.now()
  const log = (msg) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1)}s] ${msg}\n`)
  log(`machine: ${machine()}`)
  log(
    `scale: W1 ${opts.rooms} rooms × ${opts.clients} clients, W2 ${opts.hotClients} clients in one room ` +
      `(${Math.min(opts.hotTypists, opts.hotClients)} typing), ` +
      `W3 ${opts.idleRooms} idle rooms; ${opts.rate} updates/s per client; ${opts.duration} s windows; ${opts.workers} generator threads${opts.quick ? ' (--quick)' : ''}`,
  )
  const workloads = [
    { id: 1, name: `W1 ${opts.rooms} rooms`, run: workloadMultiRoom },
    { id: 2, name: 'W2 hot room', run: workloadHotRoom },
    { id: 3, name: 'W3 idle', run: workloadIdle },
  ].filter((w) => opts.workloads.includes(w.id))
  const results = []
  for (const w of workloads) {
    for (const name of opts.relays) {
      const def = RELAYS[name]
      log(`${w.name} → ${name} …`)
      try {
        const r = await w.run(def, opts)
        results.push({ workload: w.name, relay: name, ...r })
        log(
          `${w.name} → ${name}: ` +
            (w.id === 3
              ? `RSS ${f(r.rssSteady)} MiB (fresh ${f(r.rssFresh)}), ${f(r.rssPerRoomKiB, 2)} KiB/room, stored ${fInt(r.storedPerRoom)} B/room`
              : `sent ${fInt(r.sentPerSec)}/s, applied ${fInt(r.appliedPerSec)}/s (${f(r.delivery * 100)}%), p50 ${f(r.p50, 2)} p99 ${f(r.p99, 2)} ms, ` +
                `relay CPU ${f(r.relayCpu, 0)}%, other processes ${f(r.otherCpu, 0)}%, gen CPU ${f(r.genCpu, 0)}% over ${r.genThreads} threads (busiest ${f(r.genElu * 100, 0)}%, ` +
                `lag p99 ${f(r.genLagP99)} max ${f(r.genLagMax, 0)} ms), RSS ${f(r.rssSteady)} MiB, skipped sends ${r.skipped}, unstamped ${r.unstamped}` +
                (r.generatorBound ? ` — GENERATOR-BOUND (${r.generatorBound})` : '')),
        )
      } catch (err) {
        log(`${w.name} → ${name}: FAILED: ${err.stack ?? err}`)
        results.push({ workload: w.name, relay: name, error: String(err.message ?? err) })
      }
      removeTempDirs()
      await sleep(200)
    }
  }
  const elapsed = (performance.now() - started) / 1000
  const persist = opts.relays.map((n) => `${n}: ${results.find((r) => r.relay === n && r.persistence)?.persistence ?? RELAYS[n].persistence}`).join('; ')
  const report = [
    '',
    `## Relay benchmark (${new Date().toISOString()})`,
    '',
    `Machine: ${machine()}`,
    `Scale: W1 ${opts.rooms} rooms × ${opts.clients} clients; W2 ${opts.hotClients} clients in one room, ` +
      `${Math.min(opts.hotTypists, opts.hotClients)} of them typing; W3 ${opts.idleRooms} idle rooms sampled after ${opts.idleSettle} s idle; ` +
      `${opts.rate} updates/s per typing client; ${opts.duration} s measurement windows; ${opts.workers} generator threads. Total ${elapsed.toFixed(0)} s.`,
    `Persistence: ${persist}`,
    opts.relays.includes('skein') ? `Skein relay: ${skeinBuild()}; extra flags: ${[...skeinLimitArgs(), ...opts.skeinArgs].join(' ') || 'none'}` : '',
    '',
    table(results),
    '',
    `A typing row is **generator-bound** when the load generator sent < ${GEN_BOUND_SENT * 100}% of its target or its busiest thread's ` +
      `event-loop lag p99 was > ${GEN_BOUND_LAG_MS} ms: its latency (and load-dependent RSS/CPU) then describe the generator, not the relay.`,
    '',
    'Targets (Skein vs peers):',
    verdicts(results),
    '',
  ].join('\n')
  process.stdout.write(report + '\n')
  if (opts.json) writeFileSync(opts.json, JSON.stringify({ options: opts, machine: machine(), elapsed, results }, null, 2))
  return results.some((r) => r.error) ? 1 : 0
}

main().then(
  (code) => {
    killAllChildren()
    removeTempDirs()
    process.exit(code)
  },
  (err) => {
    process.stderr.write(`bench: ${err.stack ?? err}\n`)
    killAllChildren()
    removeTempDirs()
    process.exit(1)
  },
)
