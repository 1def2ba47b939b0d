// Connection churn must not cost the relay memory: round after round of short connections that
// each send one malformed frame (some never answer the relay's close) leave the heap where it was,
// and the relay's own /metrics say so. `npm run soak` runs the same with more rounds.

import { connect } from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startTestRelay, tempDir } from '../helpers/relay'
import { metricValue } from '../helpers/meta'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const ROUNDS = Number(process.env.SKEIN_SOAK_ROUNDS ?? 4)
const PER_ROUND = Number(process.env.SKEIN_SOAK_CONNECTIONS ?? 1000)

/** A stock WebSocket that sends one malformed frame; the relay closes it (4400). */
function malformed(wsUrl: string): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${wsUrl}/note/soak`)
    ws.on('open', () => ws.send(Buffer.from([0xff, 0xff, 0xff])))
    ws.on('close', () => resolve())
    ws.on('error', () => undefined)
  })
}

/** A peer that sends a bad frame and never answers the close frame (nor closes its socket). */
function deaf(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write('GET /note/soak HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'),
    )
    let sent = false
    socket.on('data', () => {
      if (sent) return
      sent = true
      socket.write(Buffer.from([0x82, 0x83, 0, 0, 0, 0, 0xff, 0xff, 0xff]))
    })
    socket.on('close', () => resolve())
    socket.on('error', () => undefined)
  })
}

async function inBatches(n: number, size: number, one: () => Promise<void>): Promise<void> {
  for (let i = 0; i < n; i += size) await Promise.all(Array.from({ length: Math.min(size, n - i) }, one))
}

function heapAfterGc(): number {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

describe('connection churn', () => {
  it(`leaves the heap where it was after ${ROUNDS} rounds of ${PER_ROUND} malformed connections, and reports process metrics`, { timeout: 600_000 }, async () => {
    const relay = await startTestRelay({ dataDir: tempDir(), limits: { maxConnectionsPerIp: 100_000 } })
    const heaps: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      await inBatches(PER_ROUND, 50, () => malformed(relay.wsUrl))
      await inBatches(100, 50, () => deaf(relay.port))
      await new Promise((resolve) => setTimeout(resolve, 200))
      heaps.push(heapAfterGc())
    }
    expect(relay.connectionCount).toBe(0)
    const mb = heaps.map((h) => (h / 1024 / 1024).toFixed(1))
    console.log(`heap after each round (MB): ${mb.join(', ')}`)
    // The first round warms caches and JIT; after it the heap must stay flat.
    const growth = heaps[heaps.length - 1]! - heaps[1]!
    expect(growth).toBeLessThan(2 * 1024 * 1024)

    const text = await (await fetch(`${relay.url}/metrics`)).text()
    for (const series of ['process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_active_handles_total'])
      expect(metricValue(text, series), series).toBeGreaterThanOrEqual(0)
    expect(metricValue(text, 'skein_connection_closes_total{code="4400"}')).toBe(ROUNDS * (PER_ROUND + 100))
  })
})
