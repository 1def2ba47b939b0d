// A tiny TCP proxy in front of a local port. `cut()` simulates a device losing its network:
// every open connection is destroyed and new ones are dropped until `restore()`.

import { createConnection, createServer } from 'node:net'
import type { Socket } from 'node:net'

export interface TcpProxy {
  /** The port clients should connect to. */
  readonly port: number
  /** Destroys all current connections and refuses new ones. */
  cut(): void
  /** Accepts and forwards connections again. */
  restore(): void
  close(): Promise<void>
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  let isCut = false
  const track = (socket: Socket): void => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
  }

  const server = createServer((client) => {
    track(client)
    if (isCut) {
      client.destroy()
      return
    }
    const upstream = createConnection({ port: targetPort, host: targetHost })
    track(upstream)
    client.pipe(upstream)
    upstream.pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
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
    for (const socket of sockets) socket.destroy()
    sockets.clear()
  }

  return {
    port: address.port,
    cut() {
      isCut = true
      destroyAll()
    },
    restore() {
      isCut = false
    },
    close() {
      destroyAll()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
