import type { WebSocket, RawData } from 'ws'
import * as Y from 'yjs'
import type { Logger } from 'pino'
import { decodeClientFrame } from '../protocol/decode.js'
import { encodeStored, encodeSyncStep1, encodeSyncStep2 } from '../protocol/encode.js'
import { ProtocolError, type ClientMessage } from '../protocol/messages.js'

type AwarenessMessage = Extract<ClientMessage, { type: 'awareness' }>
import { OPEN_GRANT, type Access, type Grant } from './auth.js'
import { CloseCode, type CloseCodeName } from './close-codes.js'
import type { RelayHooks } from './hooks.js'
import { TokenBucket } from '../shared/rate-limit.js'
import { roomLabel, type RoomId } from './room-id.js'
import type { DecodedUpdate, Peer, PresenceRefusal, Room } from './room.js'
import type { RoomRegistry } from './room-registry.js'

export interface ConnectionLimits {
  maxDocBytes: number
  messagesPerSecond: number
  messageBurst: number
  /** Frames a peer may send before its room has loaded. */
  maxQueuedFrames: number
}

/** What every connection of one relay shares. */
export interface ConnectionServices {
  registry: RoomRegistry
  hooks: Required<RelayHooks>
  log: Logger
  limits: ConnectionLimits
}

export interface ConnectionTarget {
  /** Which room: the grant's workspace and the room the client asked for. */
  room: RoomId
  grant: Grant
  ip: string
}

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
 * A peer closed by the relay has this long to answer the close frame before its socket is
 * dropped. `ws` waits 30 s by default: a peer sending garbage and ignoring the close would hold
 * its socket, buffers and connection state that long, so a flood of them piles up.
 */
export const CLOSE_GRACE_MS = 2_000

/** A presence holder asked to prove it is alive has this long to answer the ping. */
export const LIVENESS_PROBE_MS = 1_000
/** A refused presence update is tried once more after the holder had time to answer (or go). */
const PRESENCE_RETRY_MS = LIVENESS_PROBE_MS + 200

const CONNECTION = Symbol('skein:connection')
type TaggedSocket = WebSocket & { [CONNECTION]: Connection }
let nextConnectionId = 0

/**
 * Serves one WebSocket: joins its room, answers the y-websocket protocol within the
 * connection's grant and limits, and leaves cleanly. Bad input closes only this connection, with
 * a named code and one log line.
 *
 * Thousands of these sit idle on a busy relay, so the per-connection state is one object: the
 * socket's listeners are shared functions that find their connection on the socket.
 */
export class Connection implements Peer {
  readonly id = `c${(nextConnectionId++).toString(36)}`
  /** Without auth, connections cannot be told apart by who is behind them (many users share an IP). */
  readonly identity: string
  lastSeen = performance.now()
  wantsStored = false
  private access: Access
  private room: Room | null = null
  private closing: { code: number; reason: string } | null = null
  private alive = true
  private queued: Uint8Array[] | null = []
  private readonly bucket: TokenBucket
  /** Drops the socket if the peer does not answer the relay's close frame in time. */
  private closeTimer: ReturnType<typeof setTimeout> | null = null
  /** Set while a liveness probe waits for its pong. */
  private probe: ReturnType<typeof setTimeout> | null = null
  /** The newest refused presence frame, tried again once after PRESENCE_RETRY_MS. */
  private refusedPresence: { message: AwarenessMessage; timer: ReturnType<typeof setTimeout> | null } | null = null

  constructor(
    private readonly ws: WebSocket,
    private readonly target: ConnectionTarget,
    private readonly services: ConnectionServices,
    private readonly onClosed: (conn: Connection) => void,
  ) {
    this.identity = target.grant === OPEN_GRANT ? this.id : `token:${target.grant.tokenId}`
    this.access = target.grant.access
    const { limits } = services
    this.bucket = new TokenBucket(limits.messagesPerSecond, limits.messageBurst)
    ;(ws as TaggedSocket)[CONNECTION] = this
    ws.binaryType = 'nodebuffer'
    ws.on('message', onSocketMessage)
    ws.on('pong', onSocketPong)
    ws.on('error', onSocketError)
    ws.on('close', onSocketClose)
    services.registry.acquire(target.room).then(
      (room) => this.join(room),
      (err: unknown) => {
        this.logLine('error', { err }, 'room failed to load')
        this.close('internalError', 'room failed to load')
      },
    )
    services.hooks.onConnect({ room: this.label, workspace: target.grant.workspace, access: this.access, ip: target.ip })
  }

  get grant(): Grant {
    return this.target.grant
  }

  /** The room's label for logs and hooks (made when needed: idle connections keep no string). */
  private get label(): string {
    return roomLabel(this.target.room)
  }

  get ip(): string {
    return this.target.ip
  }

  /** Applies a changed grant: a weaker access level takes effect for the next frame. */
  setAccess(access: Access): void {
    this.access = access
  }

  send(frame: Uint8Array): void {
    if (this.ws.readyState !== this.ws.OPEN) return
    this.services.hooks.onMessageOut({ bytes: frame.byteLength })
    this.ws.send(frame, (err) => err && this.close('internalError', `send failed: ${err.message}`))
  }

  /** Called by the relay's shared timer: closes the connection if the last ping went unanswered, then pings. */
  heartbeat(): void {
    if (this.closing) return
    if (!this.alive) return this.close('timeout', 'no pong within the ping interval')
    this.alive = false
    this.ws.ping()
  }

  /**
   * Another connection claims presence this one holds. A socket left half-open by a sleeping
   * laptop never answers; it is dropped, which frees the presence for the device's new socket.
   */
  probeLiveness(): void {
    if (this.closing || this.probe) return
    this.probe = setTimeout(() => {
      this.probe = null
      this.close('timeout', 'no pong to a liveness probe (another connection claimed its presence)')
    }, LIVENESS_PROBE_MS)
    this.ws.ping()
  }

  close(code: CloseCodeName, reason: string): void {
    if (this.closing) return
    this.closing = { code: CloseCode[code], reason }
    if (code === 'timeout') return this.ws.terminate()
    this.ws.close(CloseCode[code], reason.slice(0, 120))
    this.closeTimer = setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS)
  }

  private join(room: Room): void {
    if (this.closing) {
      this.storeLeftoverEdits(room)
      this.services.registry.release(room)
      return
    }
    this.room = room
    room.addPeer(this)
    this.send(encodeSyncStep1(room.doc))
    if (room.presence.states.size > 0) this.send(room.encodePresence())
    const queued = this.queued ?? []
    this.queued = null
    for (const frame of queued) {
      if (this.closing) break
      this.handle(frame)
    }
  }

  /**
   * The connection closed before its room was ready. The edits it sent meanwhile are stored as a
   * ready room would have stored them: the client got no answer and may never come back to send
   * them again. Nothing is answered, and a malformed frame is logged and skipped.
   */
  private storeLeftoverEdits(room: Room): void {
    const queued = this.queued ?? []
    this.queued = null
    for (const frame of queued) {
      try {
        const message = decodeClientFrame(frame)
        if (message.type === 'sync-step2' || message.type === 'sync-update') this.applyUpdate(message.update, room)
      } catch (err) {
        this.logLine('info', { err: err instanceof Error ? err.message : String(err) }, 'skipped a frame from a connection that closed before its room loaded')
      }
    }
  }

  onMessage(data: RawData, isBinary: boolean): void {
    if (this.closing) return
    this.lastSeen = performance.now()
    if (!this.bucket.take()) return this.close('rateLimited', `more than ${this.services.limits.messagesPerSecond} messages/s`)
    if (!isBinary) return this.close('unsupportedData', 'text frames are not part of the protocol')
    this.handle(toUint8Array(data))
  }

  onPong(): void {
    this.alive = true
    if (this.probe) {
      clearTimeout(this.probe)
      this.probe = null
    }
  }

  onError(err: Error): void {
    // ws reports protocol violations here (oversized frame → 1009, bad opcode → 1002) and then closes.
    if (!this.closing)
      this.closing = { code: (err as NodeJS.ErrnoException).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 1009 : 1002, reason: err.message }
  }

  onClose(code: number, reasonBuffer: Buffer): void {
    const by = this.closing ? 'relay' : 'peer'
    const final = this.closing ?? { code, reason: reasonBuffer.toString() }
    this.closing = final
    if (this.probe) clearTimeout(this.probe)
    if (this.closeTimer) clearTimeout(this.closeTimer)
    if (this.refusedPresence?.timer) clearTimeout(this.refusedPresence.timer)
    this.probe = null
    this.refusedPresence = null
    this.logLine('info', { code: final.code, reason: final.reason || undefined, by }, 'connection closed')
    this.services.hooks.onClose({ room: this.label, code: final.code, reason: final.reason })
    if (this.room) {
      this.room.removePeer(this)
      this.services.registry.release(this.room)
    }
    this.onClosed(this)
  }

  private handle(frame: Uint8Array): void {
    try {
      if (!this.room) {
        const queued = (this.queued ??= [])
        if (queued.length >= this.services.limits.maxQueuedFrames) throw new PeerError('rateLimited', 'too many frames before the room was ready')
        queued.push(frame)
        return
      }
      const message = decodeClientFrame(frame)
      this.services.hooks.onMessageIn({ kind: message.type, bytes: frame.byteLength })
      const reply = this.respond(message, this.room)
      if (reply) this.send(reply)
    } catch (err) {
      if (err instanceof PeerError) this.close(err.code, err.message)
      else if (err instanceof ProtocolError) this.close('malformedMessage', err.message)
      else {
        this.logLine('error', { err }, 'unexpected error handling a frame')
        this.close('internalError', 'unexpected error')
      }
    }
  }

  private respond(message: ClientMessage, room: Room): Uint8Array | null {
    switch (message.type) {
      case 'sync-step1':
        try {
          return encodeSyncStep2(room.doc, message.stateVector)
        } catch {
          throw new PeerError('malformedMessage', 'invalid state vector')
        }
      case 'sync-step2':
      case 'sync-update':
        this.applyUpdate(message.update, room)
        return null
      case 'awareness':
        this.applyPresence(message, room, false)
        return null
      case 'query-awareness':
        return room.encodePresence()
      case 'auth':
        // The token travels in the upgrade request; in-band auth frames mean nothing here.
        return null
      case 'stored-subscribe':
        this.wantsStored = true
        return encodeStored(room.storedStateVector)
    }
  }

  /**
   * Presence is never worth a connection: a refused update is dropped, counted and logged, and
   * the newest one is tried again once the holder had time to prove it is alive (a device back
   * from sleep gets its caret back when its old, dead socket is dropped).
   */
  private applyPresence(message: AwarenessMessage, room: Room, isRetry: boolean): void {
    const refusal = room.claimAwareness(this, message.clients)
    if (!refusal) return room.applyPresenceUpdate(message.update, this)
    this.services.hooks.onPresenceRefused({ room: this.label, reason: refusal })
    // A retry still refused is held by a live connection: dropped for good; the client renews within 15 s.
    if (!isRetry) this.presenceRefused(refusal, message)
  }

  private presenceRefused(reason: PresenceRefusal, message: AwarenessMessage): void {
    const first = this.refusedPresence === null
    if (this.refusedPresence) this.refusedPresence.message = message
    else this.refusedPresence = { message, timer: null }
    if (first) this.logLine('info', { reason }, 'presence update refused (dropped)')
    if (reason !== 'held-by-another' || this.refusedPresence.timer) return
    this.refusedPresence.timer = setTimeout(() => {
      const retry = this.refusedPresence
      this.refusedPresence = null
      if (retry && !this.closing && this.room) this.applyPresence(retry.message, this.room, true)
    }, PRESENCE_RETRY_MS)
  }

  private applyUpdate(update: Uint8Array, room: Room): void {
    if (this.access !== 'read-write') {
      // Stock clients send their state on every connect; a read-only viewer's is ignored, not fatal.
      this.services.hooks.onReadOnlyWriteDropped({ room: this.label })
      this.logLine('debug', {}, 'dropped a document update from a read-only connection')
      return
    }
    const { maxDocBytes } = this.services.limits
    if (room.approxBytes + update.byteLength > maxDocBytes) throw new PeerError('documentTooLarge', `document would exceed ${maxDocBytes} bytes`)
    let decoded: DecodedUpdate
    try {
      // Parse the whole update before it touches the shared doc: Yjs would integrate a prefix of
      // a corrupt update before failing.
      decoded = Y.decodeUpdate(update)
    } catch (err) {
      throw new PeerError('malformedMessage', `invalid Yjs update: ${(err as Error).message}`)
    }
    if (!room.admitUpdate(decoded)) throw new PeerError('deletedForever', 'the note was deleted forever; this copy holds nothing new')
    try {
      room.applyClientUpdate(update, this)
    } catch (err) {
      throw new PeerError('malformedMessage', `Yjs rejected the update: ${(err as Error).message}`)
    }
  }

  private logLine(level: 'debug' | 'info' | 'error', extra: object, msg: string): void {
    this.services.log[level]({ conn: this.id, room: this.label, ip: this.target.ip, ...extra }, msg)
  }
}

function onSocketMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  ;(this as TaggedSocket)[CONNECTION].onMessage(data, isBinary)
}
function onSocketPong(this: WebSocket): void {
  ;(this as TaggedSocket)[CONNECTION].onPong()
}
function onSocketError(this: WebSocket, err: Error): void {
  ;(this as TaggedSocket)[CONNECTION].onError(err)
}
function onSocketClose(this: WebSocket, code: number, reason: Buffer): void {
  ;(this as TaggedSocket)[CONNECTION].onClose(code, reason)
}

function toUint8Array(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data))
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  return data // a Buffer is a Uint8Array: no second view per frame
}
