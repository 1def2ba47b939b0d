// One load-generator thread of the relay benchmark (bench/relay.mjs starts several with
// worker_threads). It owns a share of the bench clients: stock WebsocketProvider (y-websocket 3) for
// Skein and the stock server, HocuspocusProvider for Hocuspocus, one WebSocket (`ws`) per client.
// The main thread only orchestrates and measures the relay process; all client work happens here.
//
// Clock: `performance.timeOrigin + performance.now()` is one clock for all threads of a process
// (same origin, same monotonic source), so a stamp set by a sender in one thread can be compared
// with the arrival time at a receiver in another.
//
// Protocol (request {id, cmd, ...} → reply {id, ok, ...}):
//   connect {rooms: string[], ids: number[], batch, writeParagraph, timeoutMs}  connects one client
//           per entry of `rooms` (bench-wide index ids[i]), `batch` at a time, each batch waiting for
//           sync; W3 writes one paragraph per client.
//   type {rate, typists, windowStart, windowEnd}  starts typing (clients with bench-wide index <
//           typists; fixed rate with jitter, no bursts) and latency observers on every client; the window (absolute clock) is known in advance, so counting does not
//           depend on message delivery between threads.
//   ping, stopTyping, stats, report, destroy.
//
// Several relays (bench/scale.mjs): workerData may also carry `ports` (one per relay) and
// `relayOf` (bench-wide client index → index into `ports`). Each client then connects to
// ports[relayOf[index]], and `report` adds latency split by whether sender and receiver are on the
// same relay (histSame/histCross, appliedSame/appliedCross). Without them nothing changes.
import { parentPort, workerData } from 'node:worker_threads'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import WS from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { HocuspocusProvider } from '@hocuspocus/provider'
import { Histogram, STAMP_RING } from './histogram.mjs'

const { port, kind, stampBuf, ports, relayOf } = /** @type {{port:number, kind:'y-websocket'|'hocuspocus', stampBuf: SharedArrayBuffer|null, ports?: number[], relayOf?: number[]}} */ (workerData)
const multiRelay = Array.isArray(ports) && Array.isArray(relayOf)
const portOf = (index) => (multiRelay ? ports[relayOf[index]] : port)

// Send stamps live in memory shared by all generator threads, not in the document: client k's
// update with Yjs clock q (= its q-th keystroke, one character each) is stamped at
// stamps[(k·RING + q mod RING)·2] = q, [… + 1] = send time. A receiver sees which (client, clock)
// ranges a remote transaction integrated (beforeState → afterState) and looks the stamps up.
// So the document carries only the typed characters, like a real client's.
const RING = STAMP_RING
const CLIENT_ID_BASE = 1_000_000 // Yjs clientID = CLIENT_ID_BASE + bench-wide client index
const stamps = stampBuf ? new Float64Array(stampBuf) : null
const nStamped = stamps ? stamps.length / (RING * 2) : 0
const clock = () => performance.timeOrigin + performance.now()
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
// y-websocket's provider adds a process 'exit' listener per instance; thousands are expected here.
process.setMaxListeners(0)

const PARAGRAPH =
  'Meeting notes: the relay keeps every room in memory while someone is connected, stores updates ' +
  'in batches and fans them out at once. Action items: measure it, then write it down.'

/** Client-side trouble seen while connecting (e.g. a refused upgrade), for error messages. */
const problems = new Map()
const noteProblem = (what) => problems.set(what, (problems.get(what) ?? 0) + 1)
const problemSummary = () =>
  problems.size === 0 ? 'no client-side errors seen' : [...problems].slice(0, 5).map(([k, n]) => `${n}× ${k}`).join('; ')

/**
 * @typedef {{ doc: Y.Doc, text: Y.Text, index: number, synced: Promise<void>,
 *   destroy: () => void, seq: number, next: number, observer: any }} Client
 */

/** @param {string} room @param {number} index bench-wide client index @returns {Client} */
function connectClient(room, index) {
  const doc = new Y.Doc()
  doc.clientID = CLIENT_ID_BASE + index // before the provider: its awareness uses the clientID
  let provider
  let synced
  if (kind === 'y-websocket') {
    const p = new WebsocketProvider(`ws://127.0.0.1:${portOf(index)}`, room, doc, {
      WebSocketPolyfill: /** @type {any} */ (WS),
      disableBc: true, // Node 20 has BroadcastChannel: same-process clients would bypass the relay
      maxBackoffTime: 2500,
    })
    provider = p
    synced = new Promise((res) => {
      if (p.synced) return res()
      const on = (s) => {
        if (s) {
          p.off('sync', on)
          res()
        }
      }
      p.on('sync', on)
    })
    p.on('connection-error', (e) => noteProblem(`connection error: ${e?.message ?? e?.type ?? e}`))
    p.on('connection-close', (e) => e && noteProblem(`connection closed: ${e.code} ${e.reason ?? ''}`))
  } else {
    // `url` (not a shared websocketProvider): one WebSocket per provider, like the y-websocket clients.
    const p = new HocuspocusProvider({ url: `ws://127.0.0.1:${portOf(index)}`, name: room, document: doc, WebSocketPolyfill: WS })
    provider = p
    p.on('close', ({ event }) => noteProblem(`connection closed: ${event?.code} ${event?.reason ?? ''}`))
    p.on('authenticationFailed', ({ reason }) => noteProblem(`authentication failed: ${reason}`))
    synced = new Promise((res) => {
      if (p.isSynced) return res()
      const on = () => {
        p.off('synced', on)
        res()
      }
      p.on('synced', on)
    })
  }
  return {
    doc,
    text: doc.getText('t'),
    index,
    synced,
    destroy() {
      try {
        provider.destroy()
      } catch {
        // ignore
      }
      doc.destroy()
    },
    seq: 0,
    next: 0,
    observer: null,
  }
}

function withTimeout(promise, ms, what) {
  let t
  return Promise.race([
    promise.finally(() => clearTimeout(t)),
    new Promise((_, rej) => {
      t = setTimeout(() => rej(new Error(`timed out after ${ms} ms: ${what}`)), ms)
    }),
  ])
}

/** @type {Client[]} */
let clients = []

async function connect({ rooms, ids, batch, writeParagraph, timeoutMs }) {
  problems.clear()
  for (let start = 0; start < rooms.length; start += batch) {
    const end = Math.min(rooms.length, start + batch)
    const group = []
    for (let i = start; i < end; i++) {
      const c = connectClient(rooms[i], ids[i])
      clients.push(c)
      group.push(writeParagraph ? c.synced.then(() => c.text.insert(0, PARAGRAPH)) : c.synced)
    }
    try {
      await withTimeout(Promise.all(group), timeoutMs, `clients ${start}..${end - 1} of this thread to sync`)
    } catch (err) {
      throw new Error(`${err.message} (${problemSummary()})`, { cause: err })
    }
  }
  return { n: clients.length }
}

// ---------------------------------------------------------------------------------------------
// Typing

const typing = {
  timer: /** @type {any} */ (null),
  hist: new Histogram(),
  histSame: new Histogram(), // multi-relay only: sender and receiver on the same relay
  histCross: new Histogram(), // multi-relay only: on different relays
  appliedSame: 0,
  appliedCross: 0,
  win: { start: Infinity, end: Infinity },
  sent: 0, // sends stamped inside the window
  applied: 0, // remote stamps from inside the window observed here
  unstamped: 0, // remote updates whose stamp was missing or overwritten (should stay 0)
  skipped: 0, // sends dropped because this thread fell more than one period behind
  lag: /** @type {import('node:perf_hooks').IntervalHistogram|null} */ (null),
  elu0: /** @type {any} */ (null),
  windowStats: /** @type {any} */ (null),
}

/**
 * Every client types one character per update at the start of Y.Text `t` (index 0: same update
 * size and shape as appending, without Yjs's local search-marker walk, which is generator-only
 * cost). The send time goes to the shared stamp table, not into the document. Every receiver
 * applies every update (as a real client does) and records arrival − send for updates sent
 * inside the window.
 * Each client's next send is its previous due time + period × U(0.75, 1.25) (mean = period, no drift);
 * a client that fell more than one period behind skips the missed sends (counted) instead of bursting.
 */
function startTyping({ rate, typists, windowStart, windowEnd }) {
  if (!stamps) throw new Error('typing needs a stamp table')
  const period = 1000 / rate
  const win = (typing.win = { start: windowStart, end: windowEnd })
  const inWin = (t) => t >= win.start && t < win.end
  for (const c of clients) {
    const own = c.doc.clientID
    const observer = (tr) => {
      if (tr.local) return
      const now = clock()
      tr.afterState.forEach((after, client) => {
        const before = tr.beforeState.get(client) ?? 0
        if (after <= before || client === own) return
        const k = client - CLIENT_ID_BASE
        if (k < 0 || k >= nStamped) return // not a bench typist (e.g. a relay-side client)
        for (let q = before; q < after; q++) {
          const slot = (k * RING + (q % RING)) * 2
          if (stamps[slot] !== q) {
            typing.unstamped++
            continue
          }
          const ts = stamps[slot + 1]
          if (!inWin(ts)) continue
          typing.hist.record(now - ts)
          typing.applied++
          if (multiRelay) {
            if (relayOf[k] === relayOf[c.index]) {
              typing.histSame.record(now - ts)
              typing.appliedSame++
            } else {
              typing.histCross.record(now - ts)
              typing.appliedCross++
            }
          }
        }
      })
    }
    c.doc.on('afterTransaction', observer)
    c.observer = observer
  }
  const typers = clients.filter((c) => c.index < typists) // the others only receive
  const t0 = clock()
  for (const c of typers) c.next = t0 + Math.random() * period // random phase
  const tick = () => {
    const now = clock()
    for (const c of typers) {
      if (c.next > now) continue
      if (now - c.next > period) {
        const missed = Math.floor((now - c.next) / period)
        if (c.next >= win.start && c.next < win.end) typing.skipped += missed
        c.next += missed * period
      }
      const seq = c.seq++ // = the Yjs clock of this keystroke: one character per update
      const ts = clock()
      const slot = (c.index * RING + (seq % RING)) * 2
      stamps[slot] = seq
      stamps[slot + 1] = ts // written before the update is sent
      c.text.insert(0, String.fromCharCode(97 + (seq % 26)))
      if (inWin(ts)) typing.sent++
      c.next += period * (0.75 + Math.random() * 0.5)
    }
  }
  typing.timer = setInterval(tick, 10)
  // This thread's own event-loop delay and utilisation, over exactly the window.
  const lag = (typing.lag = monitorEventLoopDelay({ resolution: 10 }))
  lag.enable()
  setTimeout(() => {
    lag.reset()
    typing.elu0 = performance.eventLoopUtilization()
  }, Math.max(0, windowStart - clock()))
  setTimeout(() => {
    const elu = typing.elu0 ? performance.eventLoopUtilization(typing.elu0) : null
    typing.windowStats = {
      lagP99: Math.max(0, lag.percentile(99) / 1e6 - 10), // same convention as lag-probe.mjs
      lagMax: Math.max(0, lag.max / 1e6 - 10),
      elu: elu ? elu.utilization : NaN,
    }
    lag.disable()
  }, Math.max(0, windowEnd - clock()))
  return {}
}

function stopTyping() {
  if (typing.timer) clearInterval(typing.timer)
  typing.timer = null
  return stats()
}

const stats = () => ({ sent: typing.sent, applied: typing.applied })

function report() {
  for (const c of clients) if (c.observer) c.doc.off('afterTransaction', c.observer)
  return {
    hist: typing.hist.toJSON(),
    sent: typing.sent,
    applied: typing.applied,
    unstamped: typing.unstamped,
    skipped: typing.skipped,
    ...(multiRelay
      ? { histSame: typing.histSame.toJSON(), histCross: typing.histCross.toJSON(), appliedSame: typing.appliedSame, appliedCross: typing.appliedCross, problems: problemSummary() }
      : {}),
    ...(typing.windowStats ?? { lagP99: NaN, lagMax: NaN, elu: NaN }),
  }
}

async function destroy() {
  for (const c of clients) c.destroy()
  clients = []
  await sleep(50)
  return {}
}

const handlers = { ping: () => ({}), connect, type: startTyping, stopTyping, stats, report, destroy }

parentPort.on('message', async (msg) => {
  try {
    const result = await handlers[msg.cmd](msg)
    parentPort.postMessage({ id: msg.id, ok: true, ...result })
  } catch (err) {
    parentPort.postMessage({ id: msg.id, ok: false, error: String(err?.message ?? err) })
  }
})
