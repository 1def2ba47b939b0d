import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { isValidRoomName } from '../protocol/rooms.js'
import { OPEN_GRANT, tokenFromRequest, type AuthTable, type Grant } from './auth.js'
import { CloseCode } from './close-codes.js'
import { CLOSE_GRACE_MS, Connection, type ConnectionLimits, type ConnectionServices } from './connection.js'
import { combineHooks, type RejectReason, type RelayHooks } from './hooks.js'
import { createRequestHandler } from './http/routes.js'
import { BlobService } from './blobs/service.js'
import { SqliteBlobStorage } from './blobs/sqlite.js'
import type { BlobStorage } from './blobs/storage.js'
import { createLogger, type Logger } from './log.js'
import { createMetrics } from './metrics.js'
import { createContentReader } from './meta/note-content.js'
import { DAY_MS } from './meta/purger.js'
import { MetaService } from './meta/service.js'
import type { MetaStorage } from './meta/storage.js'
import { SqliteMetaStorage } from './meta/store.js'
import { RoomRegistry } from './room-registry.js'
import { SqliteStorage } from './storage/sqlite.js'
import { isSharedDocStorage, type DocStorage } from './storage/types.js'
import { Fanout } from './fanout/fanout.js'
import { startCompactionSweeper } from './storage/shared-compaction.js'
import { randomUUID } from 'node:crypto'
import type { RoomId } from './room-id.js'

export interface RelayLimits extends ConnectionLimits {
  pingIntervalMs: number
  maxMessageBytes: number
  maxConnections: number
  maxConnectionsPerIp: number
  /** Largest attachment upload, in bytes; larger ones get 413. */
  maxAttachmentBytes: number
}

/**
 * Where the relay keeps its data: documents (`DocStorage`) and metadata (`MetaStorage`). The relay
 * owns both once started and closes them when it closes.
 */
export interface RelayStorage {
  /** Default: SQLite in `dataDir/skein.sqlite`. */
  docs?: DocStorage
  /**
   * Default: SQLite in `dataDir/meta.sqlite`. Never kept in memory behind the embedder's back:
   * without `dataDir` it must be given (`MemoryMetaStorage` for a volatile relay), or
   * `startRelay` throws.
   */
  meta?: MetaStorage
  /** Attachments. Default: SQLite in `dataDir/blobs.sqlite`; like `meta`, never memory unless given. */
  blobs?: BlobStorage
}

export interface RelayOptions {
  host?: string
  port?: number
  /** Folder for the SQLite databases of whichever of `storage.docs` and `storage.meta` is not given. */
  dataDir?: string
  storage?: RelayStorage
  /** Folder holding the built web client, served at `/`; null serves none. */
  staticDir?: string | null
  logger?: Logger
  /** Token table; without one the relay is open and every connection shares one workspace. */
  auth?: AuthTable | null
  limits?: Partial<RelayLimits>
  unloadAfterMs?: number
  /** Release the Y.Doc of a connected room after this long without document traffic. */
  hibernateAfterMs?: number
  compactAfter?: number
  /** Purge a note deleted forever (its content, history and record) once its delete is this old; 0: at once. */
  purgeAfterMs?: number
  /** How often to look for notes to purge (default hourly; every minute when `purgeAfterMs` is 0). */
  purgeSweepMs?: number
  hooks?: RelayHooks
  /**
   * Redis URL connecting this relay to the others that share its storage (`--redis`). Needs a
   * shared document storage (PostgreSQL); without it the relay is on its own.
   */
  redisUrl?: string
  /** With shared storage: how often the sweeper compacts rooms (open here or not); 0: never. */
  compactionSweepMs?: number
}

export interface Relay {
  readonly port: number
  /** `http://host:port`; WebSocket clients use the same address with `ws:`. */
  readonly url: string
  readonly rooms: RoomRegistry
  readonly connectionCount: number
  /**
   * Swaps the token table; connections whose token is gone or moved workspace are closed with
   * 4401, here and (with `--redis`) on every other relay.
   */
  setAuth(auth: AuthTable | null): void
  /** Stops accepting, closes every connection with 1001, stores everything, closes storage. */
  close(): Promise<void>
}

export const DEFAULT_LIMITS: RelayLimits = {
  maxMessageBytes: 16 * 1024 * 1024,
  maxDocBytes: 64 * 1024 * 1024,
  maxConnections: 10_000,
  maxConnectionsPerIp: 500,
  maxAttachmentBytes: 25 * 1024 * 1024,
  messagesPerSecond: 100,
  messageBurst: 500,
  maxQueuedFrames: 100,
  pingIntervalMs: 30_000,
}

export const RELAY_DEFAULTS = {
  host: '127.0.0.1',
  port: 1234,
  unloadAfterMs: 30_000,
  hibernateAfterMs: 10_000,
  compactAfter: 500,
  compactionSweepMs: 60_000,
  /** A long-poll re-reads the feed this often when a wake-up from another relay may be lost. */
  feedRecheckMs: 2_000,
  /** How often the shared storage's round trip is measured (metrics; /readyz measures on demand). */
  storageProbeMs: 5_000,
  purgeAfterMs: 30 * DAY_MS,
} as const

interface LiveConnection {
  connection: Connection
  /** Kept to re-check the connection when the token table is reloaded. */
  token: string | null
}

export async function startRelay(options: RelayOptions = {}): Promise<Relay> {
  const log = options.logger ?? createLogger('silent')
  const host = options.host ?? RELAY_DEFAULTS.host
  const limits: RelayLimits = { ...DEFAULT_LIMITS, ...options.limits }
  const given = options.storage ?? {}
  if (!options.dataDir && !(given.docs && given.meta && given.blobs)) {
    const missing = [given.docs ? null : 'storage.docs', given.meta ? null : 'storage.meta', given.blobs ? null : 'storage.blobs'].filter((m) => m !== null)
    const list = missing.length > 1 ? `${missing.slice(0, -1).join(', ')} and ${missing.at(-1)!}` : missing[0]!
    throw new Error(`startRelay: pass dataDir (SQLite files) or ${list}; metadata and attachments are never kept only in memory unless storage says so`)
  }
  let auth = options.auth ?? null
  /** Token ids revoked on another relay, refused here until this relay's own table is reloaded. */
  let revokedElsewhere = new Set<string>()
  const grantFor = (token: string | null): Grant | null => {
    if (!auth) return OPEN_GRANT
    const grant = auth.grantFor(token)
    return grant && !revokedElsewhere.has(grant.tokenId) ? grant : null
  }

  const live = new Map<Connection, LiveConnection>()
  const perIp = new Map<string, number>()
  // The gauges read the registry only at scrape time, after it exists.
  const metrics = createMetrics({
    connections: () => live.size,
    loadedRooms: () => registry.loadedCount,
    hibernatingRooms: () => registry.hibernatingCount,
    pendingUpdates: () => registry.pendingUpdates,
    feedWaiters: () => meta.feedWaiters,
    redisUp: () => (fanout ? Number(fanout.status.up) : null),
    blobBytes: () => blobStorage.bytesStored(),
  })
  const hooks = combineHooks(metrics.hooks, { onContentChanged: ({ room }) => meta.contentChanged(room) }, options.hooks ?? {})
  const storage =
    given.docs ??
    new SqliteStorage(options.dataDir!, (message) => {
      log.error({ reason: message }, 'storage background error')
      hooks.onStorageError({ room: '', error: message })
    })
  const hibernateAfterMs = options.hibernateAfterMs ?? RELAY_DEFAULTS.hibernateAfterMs
  const shared = isSharedDocStorage(storage)
  if (options.redisUrl && !shared) throw new Error('startRelay: redisUrl connects relays that share their storage; pass a shared storage.docs (PostgreSQL)')
  const fanout = options.redisUrl ? new Fanout(options.redisUrl, randomUUID(), log, metrics.redis) : null
  const metaStorage = given.meta ?? SqliteMetaStorage.open(options.dataDir!)
  const blobStorage = given.blobs ?? new SqliteBlobStorage(options.dataDir!)
  const registry = new RoomRegistry(storage, log, {
    ...(fanout ? { fanout, subscriptions: fanout } : {}),
    unloadAfterMs: options.unloadAfterMs ?? RELAY_DEFAULTS.unloadAfterMs,
    hibernateAfterMs,
    compactAfter: options.compactAfter ?? RELAY_DEFAULTS.compactAfter,
    hooks,
    purgedStateOf: (room): Promise<Uint8Array | null> => meta.purgedStateOf(room),
  })
  let roomsClosed = false
  const meta: MetaService = new MetaService({
    meta: metaStorage,
    storage,
    blobs: blobStorage,
    registry,
    purgeAfterMs: options.purgeAfterMs ?? RELAY_DEFAULTS.purgeAfterMs,
    ...(options.purgeSweepMs !== undefined ? { purgeSweepMs: options.purgeSweepMs } : {}),
    readContent: createContentReader(registry, storage, () => roomsClosed),
    // The table is read per request: SIGHUP swaps it.
    grantFor,
    hooks,
    log,
    ...(shared
      ? {
          shared: {
            feedCommitted: (workspace: string) => fanout?.feedCommitted(workspace),
            roomsPurged: (rooms: RoomId[]) => fanout?.purged(rooms),
            feedRecheckMs: RELAY_DEFAULTS.feedRecheckMs,
          },
        }
      : {}),
  })
  const blobs = new BlobService({ blobs: blobStorage, meta: metaStorage, grantFor, maxBytes: limits.maxAttachmentBytes, hooks, log })
  const closeRevoked = (keep: (grant: Grant) => Grant | null): void => {
    for (const { connection, token } of live.values()) {
      const grant = keep(connection.grant) && grantFor(token)
      if (!grant || grant.workspace !== connection.grant.workspace) connection.close('unauthorized', 'token revoked')
      else connection.setAccess(grant.access)
    }
  }
  fanout?.attach({
    loadedRoom: (room) => registry.loadedRoom(room),
    loadedRooms: () => registry.loadedRooms(),
    feedChanged: (workspace) => meta.feedChangedElsewhere(workspace),
    revoked: (tokenIds) => {
      if (!auth) return
      for (const id of tokenIds) revokedElsewhere.add(id)
      log.info({ tokens: tokenIds.length }, 'tokens revoked on another relay; closing their connections here')
      closeRevoked((grant) => (revokedElsewhere.has(grant.tokenId) ? null : grant))
    },
    purged: (rooms) => {
      // Stored again from here, the purged content would come back: drop the rooms, close their peers.
      void registry.withRoomsClosed(rooms, (room) => room.closePeers('roomPurged', 'the note was deleted forever'), async () => undefined)
    },
  })
  // The round trip to shared storage, for metrics; a failure is what /readyz reports.
  const probe = shared
    ? setInterval(() => {
        const started = performance.now()
        storage.checkWritable().then(
          () => metrics.postgres.roundTrip((performance.now() - started) / 1000),
          () => metrics.postgres.error(),
        )
      }, RELAY_DEFAULTS.storageProbeMs)
    : null
  probe?.unref()
  const sweepMs = options.compactionSweepMs ?? RELAY_DEFAULTS.compactionSweepMs
  const sweeper =
    shared && sweepMs > 0
      ? startCompactionSweeper(storage, { everyMs: sweepMs, minEntries: options.compactAfter ?? RELAY_DEFAULTS.compactAfter, hooks, log })
      : null
  let shuttingDown = false
  const services: ConnectionServices = { registry, hooks, log, limits }
  const onConnectionClosed = (connection: Connection): void => {
    live.delete(connection)
    const ip = connection.ip
    const n = (perIp.get(ip) ?? 1) - 1
    if (n > 0) perIp.set(ip, n)
    else perIp.delete(ip)
  }

  const server = createServer(
    createRequestHandler({
      checkWritable: async () => {
        await storage.checkWritable()
        await meta.checkWritable()
        await blobStorage.checkWritable()
      },
      // Redis being away degrades fan-out between relays, not this relay: reported, still ready.
      ...(fanout ? { readiness: () => ({ redis: fanout.status.up ? 'up' : 'down' }) } : {}),
      staticDir: options.staticDir ?? null,
      metrics: metrics.registry,
      api: (req, res) => meta.handle(req, res),
      blobs: (req, res) => blobs.handle(req, res),
    }),
  )
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes, perMessageDeflate: false })

  const reject = (socket: Duplex, ip: string, reason: RejectReason, status: number, text: string): void => {
    hooks.onReject({ reason, ip })
    log.info({ ip, reason }, 'connection rejected')
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const ip = req.socket.remoteAddress ?? 'unknown'
    socket.on('error', () => socket.destroy())
    if (shuttingDown) return reject(socket, ip, 'shutting-down', 503, 'Service Unavailable')
    const room = roomFromRequest(req)
    if (room === null) return reject(socket, ip, 'invalid-room', 400, 'Bad Request')
    if (live.size >= limits.maxConnections) return reject(socket, ip, 'too-many-connections', 503, 'Service Unavailable')
    if ((perIp.get(ip) ?? 0) >= limits.maxConnectionsPerIp) return reject(socket, ip, 'too-many-connections-per-ip', 429, 'Too Many Requests')

    const token = tokenFromRequest(req)
    const grant: Grant | null = grantFor(token)
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      if (!grant) {
        // Accept, then close with a code: browsers cannot read an HTTP status from a failed upgrade.
        hooks.onReject({ reason: 'unauthorized', ip })
        log.info({ ip, room, reason: token ? 'unknown token' : 'missing token' }, 'connection rejected')
        ws.close(CloseCode.unauthorized, token ? 'unknown token' : 'missing token')
        const drop = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS) // see CLOSE_GRACE_MS
        ws.once('close', () => clearTimeout(drop))
        return
      }
      perIp.set(ip, (perIp.get(ip) ?? 0) + 1)
      const connection = new Connection(ws, { room: { workspace: grant.workspace, room }, grant, ip }, services, onConnectionClosed)
      live.set(connection, { connection, token })
    })
  })

  // One timer for every connection's keepalive, rather than one per connection.
  const heartbeat = setInterval(() => {
    for (const conn of live.keys()) conn.heartbeat()
  }, limits.pingIntervalMs)
  heartbeat.unref()
  const hibernation = setInterval(() => {
    registry.hibernateIdle()
    if (fanout) registry.expireRemotePresence()
  }, Math.max(50, Math.min(hibernateAfterMs / 2, 5_000)))
  hibernation.unref()

  // Content changes a crash kept out of the feed are recorded before anyone connects.
  await meta.start()
  await listen(server, host, options.port ?? RELAY_DEFAULTS.port)
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('relay: server has no TCP address')
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
  log.info({ host, port: address.port, auth: auth ? 'tokens' : 'open' }, 'relay listening')

  let closing: Promise<void> | null = null
  return {
    port: address.port,
    url: `http://${urlHost}:${address.port}`,
    rooms: registry,
    get connectionCount() {
      return live.size
    },
    setAuth(next) {
      const before = auth?.tokenIds() ?? new Set<string>()
      auth = next
      // This relay's own table is the authority again: what another relay revoked and this file
      // still lists is the operator's call.
      revokedElsewhere = new Set()
      closeRevoked((grant) => grant)
      const after = next?.tokenIds() ?? new Set<string>()
      fanout?.revoked([...before].filter((id) => !after.has(id)))
    },
    close: () =>
      (closing ??= (async () => {
        shuttingDown = true
        clearInterval(heartbeat)
        clearInterval(hibernation)
        if (probe) clearInterval(probe)
        sweeper?.stop()
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
        for (const conn of live.keys()) conn.close('goingAway', 'relay shutting down')
        await meta.beginClose()
        await registry.closeAll()
        roomsClosed = true
        await blobs.close()
        await meta.close()
        for (const ws of wss.clients) ws.terminate()
        server.closeAllConnections()
        await stopped
        await fanout?.close()
        await storage.close()
        metrics.stop()
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

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}
