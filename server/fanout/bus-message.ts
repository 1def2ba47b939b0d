import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import type { RoomId } from '../room-id.js'

/**
 * What relays tell each other through Redis. Nothing here is a record of anything: every message
 * is a hint about data already committed to PostgreSQL (or, for presence, data nobody keeps), so
 * a lost message costs latency, never content. Pure encoders and decoders.
 */
export type BusMessage =
  /** A batch of a relay's updates, stored at `roomSeq` (after COMMIT). */
  | { kind: 'update'; room: RoomId; roomSeq: number; update: Uint8Array }
  /** Presence changed on a relay: a y-protocols awareness update. */
  | { kind: 'presence'; room: RoomId; update: Uint8Array }
  /** A metadata change committed in the workspace: wake its long-polls (they read the feed themselves). */
  | { kind: 'feed'; workspace: string }
  /** These tokens were revoked on some relay: close their sockets everywhere. */
  | { kind: 'revoke'; tokenIds: string[] }
  /** These rooms were purged: relays drop them from memory without storing them again. */
  | { kind: 'purge'; rooms: RoomId[] }

/** A message with who sent it and when (ms since the epoch, for the fan-out lag metric). */
export interface BusEnvelope {
  from: string
  sentAt: number
  message: BusMessage
}

const KINDS = ['update', 'presence', 'feed', 'revoke', 'purge'] as const satisfies readonly BusMessage['kind'][]

export class BusMessageError extends Error {}

function writeRoom(e: encoding.Encoder, { workspace, room }: RoomId): void {
  encoding.writeVarString(e, workspace)
  encoding.writeVarString(e, room)
}

function readRoom(d: decoding.Decoder): RoomId {
  return { workspace: decoding.readVarString(d), room: decoding.readVarString(d) }
}

export function encodeBusMessage({ from, sentAt, message }: BusEnvelope): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, KINDS.indexOf(message.kind))
  encoding.writeVarString(e, from)
  encoding.writeFloat64(e, sentAt)
  switch (message.kind) {
    case 'update':
      writeRoom(e, message.room)
      encoding.writeVarUint(e, message.roomSeq)
      encoding.writeVarUint8Array(e, message.update)
      break
    case 'presence':
      writeRoom(e, message.room)
      encoding.writeVarUint8Array(e, message.update)
      break
    case 'feed':
      encoding.writeVarString(e, message.workspace)
      break
    case 'revoke':
      encoding.writeVarUint(e, message.tokenIds.length)
      for (const id of message.tokenIds) encoding.writeVarString(e, id)
      break
    case 'purge':
      encoding.writeVarUint(e, message.rooms.length)
      for (const room of message.rooms) writeRoom(e, room)
      break
  }
  return encoding.toUint8Array(e)
}

/** Throws BusMessageError for anything that is not a well-formed message. */
export function decodeBusMessage(bytes: Uint8Array): BusEnvelope {
  try {
    const d = decoding.createDecoder(bytes)
    const kind = KINDS[decoding.readVarUint(d)]
    if (kind === undefined) throw new BusMessageError('unknown bus message kind')
    const from = decoding.readVarString(d)
    const sentAt = decoding.readFloat64(d)
    let message: BusMessage
    switch (kind) {
      case 'update':
        message = { kind, room: readRoom(d), roomSeq: decoding.readVarUint(d), update: decoding.readVarUint8Array(d) }
        break
      case 'presence':
        message = { kind, room: readRoom(d), update: decoding.readVarUint8Array(d) }
        break
      case 'feed':
        message = { kind, workspace: decoding.readVarString(d) }
        break
      case 'revoke':
        message = { kind, tokenIds: Array.from({ length: decoding.readVarUint(d) }, () => decoding.readVarString(d)) }
        break
      case 'purge':
        message = { kind, rooms: Array.from({ length: decoding.readVarUint(d) }, () => readRoom(d)) }
        break
    }
    if (decoding.hasContent(d)) throw new BusMessageError(`trailing bytes after a ${kind} message`)
    return { from, sentAt, message }
  } catch (err) {
    if (err instanceof BusMessageError) throw err
    throw new BusMessageError(`malformed bus message: ${(err as Error).message}`)
  }
}
