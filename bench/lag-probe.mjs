// Event-loop lag probe, preloaded into every relay child with `node --import <this file> ...`.
// The same probe runs inside all three relays, so their numbers are comparable.
//
// It samples event-loop delay with perf_hooks.monitorEventLoopDelay (10 ms timer resolution)
// minus the 10 ms timer period, and, on SIGUSR2, appends one JSON line {seq, count, p50, p99, max, mean} (milliseconds) to the
// file named by BENCH_LAG_FILE, then resets the histogram. The bench sends SIGUSR2 once at the
// start of a measurement window (to discard the start-up phase) and once at its end.
// (SIGUSR1 is Node's inspector signal, so it is not used.)
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { appendFileSync } from 'node:fs'

const file = process.env.BENCH_LAG_FILE
if (file) {
  // monitorEventLoopDelay records the time between ticks of a `resolution` ms timer, so an idle
  // loop reads ~10 ms; the probe subtracts the resolution to report the delay beyond it.
  const RESOLUTION_MS = 10
  const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  h.enable()
  let seq = 0
  const ms = (ns) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100)
  const dump = () => {
    const line = {
      seq: seq++,
      pid: process.pid,
      count: h.count,
      p50: ms(h.percentile(50)),
      p99: ms(h.percentile(99)),
      max: ms(h.max),
      mean: ms(h.mean),
    }
    try {
      appendFileSync(file, JSON.stringify(line) + '\n')
    } catch {
      // The bench reads what it can; a probe must never take the relay down.
    }
    h.reset()
  }
  process.on('SIGUSR2', dump)
}
