// What every relay benchmark needs: free ports, /proc CPU and memory readings, and the RPC to a
// load-generator thread (bench/load-worker.mjs). Shared by bench/relay.mjs and bench/scale.mjs.
import { readFileSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { Worker } from 'node:worker_threads'

export const CLK_TCK = 100 // Linux USER_HZ; /proc/<pid>/stat times are in these ticks.
const WORKER_URL = new URL('./load-worker.mjs', import.meta.url)
/**
 * Every client's Y.Doc keeps what it applies, so most young objects survive and scavenges are
 * frequent and costly at the default young-generation size (~1/4 of generator time in W1).
 * 128 MB cut scavenge time ~3× and the busiest thread's lag p99 from ~160 to ~40-50 ms.
 */
const YOUNG_GENERATION_MB = 128

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.unref()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (s.address())
      s.close(() => resolve(port))
    })
  })
}

export function canConnect(port) {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port })
    sock.once('connect', () => {
      sock.destroy()
      resolve(true)
    })
    sock.once('error', () => resolve(false))
  })
}

/** The fields of /proc/<pid>/stat after the command name, or null when the process is gone. */
export function procStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return null
  }
}

/** CPU seconds (user + system) the process has used so far. */
export function cpuSeconds(pid) {
  const f = procStat(pid)
  return f ? (Number(f[11]) + Number(f[12])) / CLK_TCK : null // utime, stime (fields 14 and 15)
}

/** CPU seconds the whole machine has been busy (all cores; /proc/stat minus idle and iowait). */
export function machineBusySeconds() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
    const [user, nice, system, , , irq, softirq, steal] = f
    return (user + nice + system + irq + softirq + (steal ?? 0)) / CLK_TCK
  } catch {
    return null
  }
}

export function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : null
  } catch {
    return null
  }
}

/** One load-generator thread, driven by `call(cmd, args)`; a dead thread rejects every call. */
export function startGenerator(workerData) {
  const worker = new Worker(WORKER_URL, { workerData, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } })
  let nextId = 0
  const pending = new Map()
  let dead = null
  const failAll = (err) => {
    dead = err
    for (const { reject } of pending.values()) reject(err)
    pending.clear()
  }
  worker.on('message', (m) => {
    const p = pending.get(m.id)
    if (!p) return
    pending.delete(m.id)
    if (m.ok) p.resolve(m)
    else p.reject(new Error(m.error))
  })
  worker.on('error', (err) => failAll(err))
  worker.on('exit', (code) => failAll(new Error(`generator thread exited (code ${code})`)))
  return {
    call(cmd, args = {}) {
      if (dead) return Promise.reject(dead)
      return new Promise((resolve, reject) => {
        const id = nextId++
        pending.set(id, { resolve, reject })
        worker.postMessage({ id, cmd, ...args })
      })
    },
    async terminate() {
      await worker.terminate()
    },
  }
}
