import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { isValidRoomName } from '../protocol/rooms.js'
import { CloseCode } from './close-codes.js'
import { serveConnection } from './connection.js'
import { createRequestHandler } from './http/routes.js'
import { createLogger, type Logger } from './log.js'
import { RoomRegistry } from './room-registry.js'
import { SqliteStorage } from './storage/sqlite.js'
import type { DocStorage } from './storage/types.js'

export interface RelayOptions {
  host?: string
  port?: number
  /** Folder for the SQLite database; ignored when `storage` is given. */
  dataDir?: string
  storage?: DocStorage
  /** Folder holding the built web client, served at `/`; null serves none. */
  staticDir?: string | null
  logger?: Logger
  maxMessageBytes?: number
  unloadAfterMs?: number
  compactAfter?: number
  pingIntervalMs?: number
}

export interface Relay {
  readonly port: number
  /** `http://host:port`; WebSocket clients use the same address with `ws:`. */
  readonly url: string
  readonly rooms: RoomRegistry
  /** Stops accepting, closes every connection with 1001, stores everything, closes storage. */
  close(): Promise<void>
}

export const RELAY_DEFAULTS = {
  host: '127.0.0.1',
  port: 1234,
  maxMessageBytes: 16 * 1024 * 1024,
  unloadAfterMs: 30_000,
  compactAfter: 500,
  pingIntervalMs: 30_000,
} as const

export async function startRelay(options: RelayOptions = {}): Promise<Relay> {
  const log = options.logger ?? createLogger('silent')
  const host = options.host ?? RELAY_DEFAULTS.host
  if (!options.storage && !options.dataDir) throw new Error('startRelay: pass either dataDir or storage')
  const storage = options.storage ?? new SqliteStorage(options.dataDir!)
  const rooms = new RoomRegistry(storage, log, {
    unloadAfterMs: options.unloadAfterMs ?? RELAY_DEFAULTS.unloadAfterMs,
    compactAfter: options.compactAfter ?? RELAY_DEFAULTS.compactAfter,
  })
  const server = createServer(createRequestHandler(storage, options.staticDir ?? null))
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes ?? RELAY_DEFAULTS.maxMessageBytes,
    perMessageDeflate: false,
  })
  const pingIntervalMs = options.pingIntervalMs ?? RELAY_DEFAULTS.pingIntervalMs

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const room = roomFromRequest(req)
    const ip = req.socket.remoteAddress ?? 'unknown'
    if (room === null) {
      log.info({ ip, url: req.url, reason: 'invalid room name' }, 'upgrade rejected')
      return rejectUpgrade(socket, 400, 'Bad Request')
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // ws closes oversized frames itself with 1009; log it like every other close.
      serveConnection(ws, room, rooms, log, { pingIntervalMs }, { ip })
    })
  })

  await listen(server, host, options.port ?? RELAY_DEFAULTS.port)
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('relay: server has no TCP address')
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
  log.info({ host, port: address.port }, 'relay listening')

  let closing: Promise<void> | null = null
  return {
    port: address.port,
    url: `http://${urlHost}:${address.port}`,
    rooms,
    close: () =>
      (closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
        for (const ws of wss.clients) ws.close(CloseCode.goingAway, 'relay shutting down')
        await rooms.closeAll()
        for (const ws of wss.clients) ws.terminate()
        server.closeAllConnections()
        await stopped
        await storage.close()
        log.info('relay stopped')
      })()),
  }
}

/** The room named by the request path, or null if the path is not a valid room name. */
export function roomFromRequest(req: IncomingMessage): string | null {
  let path: string
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://relay').pathname)
  } catch {
    return null
  }
  const room = path.replace(/^\/+/, '')
  return isValidRoomName(room) ? room : null
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}
