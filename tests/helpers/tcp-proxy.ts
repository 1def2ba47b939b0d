// A small TCP proxy in front of a local port, for the network faults sync meets in real life:
// - `cut()`: a device loses its network; every open connection is destroyed and new ones are
//   dropped until `restore()`.
// - `freeze()`: a laptop sleeps or switches Wi-Fi; open connections stay open on both ends but
//   nothing crosses them any more (half-open), while new connections work. `thaw()` lets the
//   frozen ones flow again (what they buffered is delivered).
// - `dropNew(true)`: new connections are accepted and closed at once; open ones keep working.
// - `setDelay({ connectMs, latencyMs, jitterMs })`: new connections wait before reaching the
//   target (a slow handshake), and every chunk is delayed by latency ± jitter, in order.

import { createConnection, createServer } from 'node:net'
import type { Socket } from 'node:net'

export interface ProxyDelay {
  /** Before a new connection is forwarded. */
  connectMs?: number
  /** Added to every chunk in both directions. */
  latencyMs?: number
  /** Up to this much more, at random; order is kept. */
  jitterMs?: number
}

export interface TcpProxy {
  /** The port clients should connect to. */
  readonly port: number
  /** Destroys all current connections and refuses new ones. */
  cut(): void
  /** Accepts and forwards connections again (and thaws frozen ones). */
  restore(): void
  /** Open connections stop forwarding in both directions without closing; new ones are unaffected. */
  freeze(): void
  /** Frozen connections forward again, delivering what they held. */
  thaw(): void
  /** New connections are closed right after accept while on. */
  dropNew(on: boolean): void
  setDelay(delay: ProxyDelay): void
  /** Open client connections right now. */
  readonly openConnections: number
  close(): Promise<void>
}

interface Pipe {
  client: Socket
  upstream: Socket | null
  frozen: boolean
  held: { to: 'client' | 'upstream'; chunk: Buffer }[]
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1', random: () => number = Math.random): Promise<TcpProxy> {
  const pipes = new Set<Pipe>()
  let isCut = false
  let dropping = false
  let delay: Required<ProxyDelay> = { connectMs: 0, latencyMs: 0, jitterMs: 0 }

  const forward = (pipe: Pipe, to: 'client' | 'upstream', chunk: Buffer, lastAt: { t: number }): void => {
    const deliver = (): void => {
      if (pipe.frozen) return void pipe.held.push({ to, chunk })
      const socket = to === 'client' ? pipe.client : pipe.upstream
      if (socket && !socket.destroyed) socket.write(chunk)
    }
    if (delay.latencyMs === 0 && delay.jitterMs === 0) return deliver()
    // Keep order: never schedule before the previous chunk in this direction.
    const at = Math.max(lastAt.t, Date.now() + delay.latencyMs + random() * delay.jitterMs)
    lastAt.t = at
    setTimeout(deliver, at - Date.now())
  }

  const server = createServer((client) => {
    client.on('error', () => client.destroy())
    if (isCut || dropping) {
      client.destroy()
      return
    }
    const pipe: Pipe = { client, upstream: null, frozen: false, held: [] }
    pipes.add(pipe)
    const early: Buffer[] = []
    const toUpstream = { t: 0 }
    const toClient = { t: 0 }
    client.on('data', (chunk: Buffer) => (pipe.upstream ? forward(pipe, 'upstream', chunk, toUpstream) : early.push(chunk)))
    client.on('close', () => {
      pipes.delete(pipe)
      pipe.upstream?.destroy()
    })
    const connect = (): void => {
      if (client.destroyed) return
      const upstream = createConnection({ port: targetPort, host: targetHost })
      pipe.upstream = upstream
      upstream.on('error', () => upstream.destroy())
      upstream.on('data', (chunk: Buffer) => forward(pipe, 'client', chunk, toClient))
      upstream.on('close', () => {
        // A frozen connection stays open towards the client, as a dead network path would.
        if (!pipe.frozen) client.destroy()
      })
      for (const chunk of early.splice(0)) forward(pipe, 'upstream', chunk, toUpstream)
    }
    if (delay.connectMs > 0) setTimeout(connect, delay.connectMs)
    else connect()
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('tcp-proxy: no TCP address')

  const destroyAll = (): void => {
    for (const pipe of pipes) {
      pipe.client.destroy()
      pipe.upstream?.destroy()
    }
    pipes.clear()
  }
  const thawAll = (): void => {
    for (const pipe of pipes) {
      pipe.frozen = false
      for (const { to, chunk } of pipe.held.splice(0)) {
        const socket = to === 'client' ? pipe.client : pipe.upstream
        if (socket && !socket.destroyed) socket.write(chunk)
      }
      if (pipe.upstream?.destroyed) pipe.client.destroy()
    }
  }

  return {
    port: address.port,
    cut() {
      isCut = true
      destroyAll()
    },
    restore() {
      isCut = false
      thawAll()
    },
    freeze() {
      for (const pipe of pipes) pipe.frozen = true
    },
    thaw: thawAll,
    dropNew(on: boolean) {
      dropping = on
    },
    setDelay(next: ProxyDelay) {
      delay = { connectMs: next.connectMs ?? 0, latencyMs: next.latencyMs ?? 0, jitterMs: next.jitterMs ?? 0 }
    },
    get openConnections() {
      return pipes.size
    },
    close() {
      destroyAll()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
