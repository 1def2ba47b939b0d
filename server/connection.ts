import type { WebSocket, RawData } from 'ws'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import * as awarenessProtocol from 'y-protocols/awareness'
import type { Logger } from 'pino'
import { randomUUID } from 'node:crypto'
import { MESSAGE_AUTH, MESSAGE_AWARENESS, MESSAGE_QUERY_AWARENESS, MESSAGE_SYNC } from '../protocol/messages.js'
import { encodeAwarenessUpdate, encodeSyncStep1 } from '../protocol/encode.js'
import { CloseCode, type CloseCodeName } from './close-codes.js'
import type { Peer, Room } from './room.js'
import type { RoomRegistry } from './room-registry.js'

export interface ConnectionOptions {
  pingIntervalMs: number
}

/** A frame the peer should not have sent; closes the connection with the named code. */
export class PeerError extends Error {
  constructor(
    readonly code: CloseCodeName,
    message: string,
  ) {
    super(message)
  }
}

/**
 * Serves one WebSocket: joins its room, answers the y-websocket protocol, and leaves cleanly.
 * Frames that arrive while the room is still loading are kept and handled in order once it is.
 */
export function serveConnection(
  ws: WebSocket,
  roomName: string,
  registry: RoomRegistry,
  parentLog: Logger,
  options: ConnectionOptions,
  meta: { ip: string },
): void {
  const id = randomUUID()
  const log = parentLog.child({ conn: id, room: roomName, ip: meta.ip })
  const peer: Peer = {
    id,
    send(frame) {
      if (ws.readyState === ws.OPEN) ws.send(frame, (err) => err && close('internalError', `send failed: ${err.message}`))
    },
  }
  let room: Room | null = null
  let closed = false
  let alive = true
  const queued: Uint8Array[] = []

  const close = (code: CloseCodeName, reason: string): void => {
    if (closed) return
    closed = true
    log.info({ code: CloseCode[code], reason }, 'closing connection')
    ws.close(CloseCode[code], reason.slice(0, 120))
  }

  const handle = (frame: Uint8Array): void => {
    if (!room) {
      queued.push(frame)
      return
    }
    try {
      const reply = handleFrame(frame, room, peer)
      if (reply) peer.send(reply)
    } catch (err) {
      if (err instanceof PeerError) close(err.code, err.message)
      else close('malformedMessage', `undecodable frame: ${(err as Error).message}`)
    }
  }

  ws.binaryType = 'nodebuffer'
  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (closed) return
    if (!isBinary) return close('unsupportedData', 'text frames are not part of the protocol')
    handle(toUint8Array(data))
  })

  const pinger = setInterval(() => {
    if (!alive) {
      log.info({ reason: 'no pong' }, 'terminating unresponsive connection')
      closed = true
      ws.terminate()
      return
    }
    alive = false
    ws.ping()
  }, options.pingIntervalMs)
  ws.on('pong', () => {
    alive = true
  })

  ws.on('error', (err) => log.warn({ err }, 'socket error'))
  ws.on('close', (code, reason) => {
    clearInterval(pinger)
    log.info({ code, reason: reason.toString() || undefined }, 'connection closed')
    closed = true
    if (room) {
      room.removePeer(peer)
      registry.release(room)
    }
  })

  registry.acquire(roomName).then(
    (loaded) => {
      if (closed) {
        registry.release(loaded)
        return
      }
      room = loaded
      room.addPeer(peer)
      peer.send(encodeSyncStep1(room.doc))
      const states = room.awareness.getStates()
      if (states.size > 0) peer.send(encodeAwarenessUpdate(room.awareness, [...states.keys()]))
      for (const frame of queued.splice(0)) handle(frame)
    },
    (err: unknown) => {
      log.error({ err }, 'room failed to load')
      close('internalError', 'room failed to load')
    },
  )
}

/** Applies one client frame to the room; returns the reply frame, if any. Throws PeerError on bad input. */
export function handleFrame(frame: Uint8Array, room: Room, peer: Peer): Uint8Array | null {
  const decoder = decoding.createDecoder(frame)
  const type = decoding.readVarUint(decoder)
  switch (type) {
    case MESSAGE_SYNC: {
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, MESSAGE_SYNC)
      syncProtocol.readSyncMessage(decoder, encoder, room.doc, peer)
      return encoding.length(encoder) > 1 ? encoding.toUint8Array(encoder) : null
    }
    case MESSAGE_AWARENESS:
      awarenessProtocol.applyAwarenessUpdate(room.awareness, decoding.readVarUint8Array(decoder), peer)
      return null
    case MESSAGE_QUERY_AWARENESS:
      return encodeAwarenessUpdate(room.awareness, [...room.awareness.getStates().keys()])
    case MESSAGE_AUTH:
      // Stock clients never send auth frames; the token travels in the upgrade request.
      return null
    default:
      throw new PeerError('malformedMessage', `unknown message type ${type}`)
  }
}

function toUint8Array(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data))
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}
