import type { WebSocket, RawData } from 'ws'
import * as Y from 'yjs'
import type { Logger } from 'pino'
import { decodeClientFrame } from '../protocol/decode.js'
import { encodeStored, encodeSyncStep1, encodeSyncStep2 } from '../protocol/encode.js'
import { ProtocolError, type ClientMessage } from '../protocol/messages.js'
import { OPEN_GRANT, type Access, type Grant } from './auth.js'
import { CloseCode, type CloseCodeName } from './close-codes.js'
import type { RelayHooks } from './hooks.js'
import { TokenBucket } from './rate-limit.js'
import type { Peer, Room } from './room.js'
import type { RoomRegistry } from './room-registry.js'

export interface ConnectionLimits {
  maxDocBytes: number
  messagesPerSecond: number
  messageBurst: number
  /** Frames a peer may send before its room has loaded. */
  maxQueuedFrames: number
}

export interface ConnectionContext {
  /** The room as the client named it (its URL path). */
  room: string
  /** Where the room lives: workspace-qualified. */
  storageKey: string
  grant: Grant
  ip: string
  registry: RoomRegistry
  hooks: Required<RelayHooks>
  log: Logger
  limits: ConnectionLimits
}

/** The relay's handle on a live connection (for shutdown and auth reloads). */
export interface ConnectionHandle {
  readonly grant: Grant
  /** Applies a changed grant: a weaker access level takes effect for the next frame. */
  setAccess(access: Access): void
  /** Called by the relay's shared timer: closes the connection if the last ping went unanswered, then pings. */
  heartbeat(): void
  close(code: CloseCodeName, reason: string): void
}

let nextConnectionId = 0

/** A frame the peer should not have sent; closes the connection with the named code. */
class PeerError extends Error {
  constructor(
    readonly code: CloseCodeName,
    message: string,
  ) {
    super(message)
  }
}

/**
 * Serves one WebSocket: joins its room, answers the y-websocket protocol within the
 * connection's grant and limits, and leaves cleanly. Bad input closes only this connection, with
 * a named code and one log line.
 */
export function serveConnection(ws: WebSocket, ctx: ConnectionContext, onClosed: () => void): ConnectionHandle {
  const { hooks, limits } = ctx
  const id = `c${(nextConnectionId++).toString(36)}`
  // Fields for this connection's log lines; a pino child per connection would cost memory on
  // every idle connection for lines that are rarely written.
  const fields = (extra: object) => ({ conn: id, room: ctx.storageKey, ip: ctx.ip, ...extra })
  const log = ctx.log
  let access = ctx.grant.access
  let wantsStored = false
  let room: Room | null = null
  let closing: { code: number; reason: string } | null = null
  let alive = true
  let lastSeen = performance.now()
  const queued: Uint8Array[] = []
  const bucket = new TokenBucket(limits.messagesPerSecond, limits.messageBurst)

  const peer: Peer = {
    id,
    // Without auth, connections cannot be told apart by who is behind them (many users share
    // an IP behind NAT), so each connection is its own identity.
    identity: ctx.grant === OPEN_GRANT ? `conn:${id}` : `token:${ctx.grant.tokenId}`,
    get lastSeen() {
      return lastSeen
    },
    get wantsStored() {
      return wantsStored
    },
    send(frame) {
      if (ws.readyState !== ws.OPEN) return
      hooks.onMessageOut({ bytes: frame.byteLength })
      ws.send(frame, (err) => err && close('internalError', `send failed: ${err.message}`))
    },
  }

  const close = (code: CloseCodeName, reason: string): void => {
    if (closing) return
    closing = { code: CloseCode[code], reason }
    if (code === 'timeout') ws.terminate()
    else ws.close(CloseCode[code], reason.slice(0, 120))
  }

  const handle = (frame: Uint8Array): void => {
    try {
      if (!room) {
        if (queued.length >= limits.maxQueuedFrames) throw new PeerError('rateLimited', 'too many frames before the room was ready')
        queued.push(frame)
        return
      }
      const message = decodeClientFrame(frame)
      hooks.onMessageIn({ kind: message.type, bytes: frame.byteLength })
      const reply = respond(message, room)
      if (reply) peer.send(reply)
    } catch (err) {
      if (err instanceof PeerError) close(err.code, err.message)
      else if (err instanceof ProtocolError) close('malformedMessage', err.message)
      else {
        log.error(fields({ err }), 'unexpected error handling a frame')
        close('internalError', 'unexpected error')
      }
    }
  }

  const respond = (message: ClientMessage, room: Room): Uint8Array | null => {
    switch (message.type) {
      case 'sync-step1':
        try {
          return encodeSyncStep2(room.doc, message.stateVector)
        } catch {
          throw new PeerError('malformedMessage', 'invalid state vector')
        }
      case 'sync-step2':
      case 'sync-update':
        applyUpdate(message.update, room)
        return null
      case 'awareness':
        if (!room.claimAwareness(peer, message.clients))
          throw new PeerError('forbidden', 'awareness for a client id this connection does not own')
        room.applyPresenceUpdate(message.update, peer)
        return null
      case 'query-awareness':
        return room.encodePresence()
      case 'auth':
        // The token travels in the upgrade request; in-band auth frames mean nothing here.
        return null
      case 'stored-subscribe':
        wantsStored = true
        return encodeStored(room.storedStateVector)
    }
  }

  const applyUpdate = (update: Uint8Array, room: Room): void => {
    if (access !== 'read-write') {
      // Stock clients send their state on every connect; a read-only viewer's is ignored, not fatal.
      hooks.onReadOnlyWriteDropped({ room: ctx.storageKey })
      log.debug(fields({}), 'dropped a document update from a read-only connection')
      return
    }
    if (room.approxBytes + update.byteLength > limits.maxDocBytes)
      throw new PeerError('documentTooLarge', `document would exceed ${limits.maxDocBytes} bytes`)
    try {
      // Parse the whole update before it touches the shared doc: Yjs would integrate a prefix of
      // a corrupt update before failing.
      Y.decodeUpdate(update)
    } catch (err) {
      throw new PeerError('malformedMessage', `invalid Yjs update: ${(err as Error).message}`)
    }
    try {
      room.applyClientUpdate(update, peer)
    } catch (err) {
      throw new PeerError('malformedMessage', `Yjs rejected the update: ${(err as Error).message}`)
    }
  }

  ws.binaryType = 'nodebuffer'
  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (closing) return
    lastSeen = performance.now()
    if (!bucket.take()) return close('rateLimited', `more than ${limits.messagesPerSecond} messages/s`)
    if (!isBinary) return close('unsupportedData', 'text frames are not part of the protocol')
    handle(toUint8Array(data))
  })

  ws.on('pong', () => {
    alive = true
  })

  ws.on('error', (err) => {
    // ws reports protocol violations here (oversized frame → 1009, bad opcode → 1002) and then closes.
    if (!closing) closing = { code: (err as NodeJS.ErrnoException).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 1009 : 1002, reason: err.message }
  })
  ws.on('close', (code, reasonBuffer) => {
    const by = closing ? 'relay' : 'peer'
    const final = closing ?? { code, reason: reasonBuffer.toString() }
    closing ??= final
    log.info(fields({ code: final.code, reason: final.reason || undefined, by }), 'connection closed')
    hooks.onClose({ room: ctx.storageKey, code: final.code, reason: final.reason })
    if (room) {
      room.removePeer(peer)
      ctx.registry.release(room)
    }
    onClosed()
  })

  ctx.registry.acquire(ctx.storageKey).then(
    (loaded) => {
      if (closing) {
        ctx.registry.release(loaded)
        return
      }
      room = loaded
      room.addPeer(peer)
      peer.send(encodeSyncStep1(room.doc))
      if (room.presence.states.size > 0) peer.send(room.encodePresence())
      for (const frame of queued.splice(0)) {
        if (closing) break
        handle(frame)
      }
    },
    (err: unknown) => {
      log.error(fields({ err }), 'room failed to load')
      close('internalError', 'room failed to load')
    },
  )

  hooks.onConnect({ room: ctx.storageKey, workspace: ctx.grant.workspace, access, ip: ctx.ip })
  return {
    grant: ctx.grant,
    setAccess(next) {
      access = next
    },
    heartbeat() {
      if (closing) return
      if (!alive) return close('timeout', 'no pong within the ping interval')
      alive = false
      ws.ping()
    },
    close,
  }
}

function toUint8Array(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data))
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}
