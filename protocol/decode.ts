import * as decoding from 'lib0/decoding'
import {
  MESSAGE_AUTH,
  MESSAGE_AWARENESS,
  MESSAGE_QUERY_AWARENESS,
  MESSAGE_STORED,
  MESSAGE_SYNC,
  ProtocolError,
  SYNC_STEP1,
  SYNC_STEP2,
  SYNC_UPDATE,
  type AwarenessEntry,
  type ClientMessage,
} from './messages.js'

/** Most awareness entries one frame may carry; a real client sends its own and a few stale ones. */
export const MAX_AWARENESS_ENTRIES = 64

/**
 * Decodes one client frame without touching any document. Throws ProtocolError for anything
 * that is not a well-formed message, so callers can reject it before it reaches Yjs.
 */
export function decodeClientFrame(frame: Uint8Array): ClientMessage {
  try {
    return decode(frame)
  } catch (err) {
    if (err instanceof ProtocolError) throw err
    // lib0 throws plain Errors ("Unexpected end of array", "Integer out of Range") on bad input.
    throw new ProtocolError(`malformed frame: ${(err as Error).message}`)
  }
}

function decode(frame: Uint8Array): ClientMessage {
  if (frame.byteLength === 0) throw new ProtocolError('empty frame')
  const decoder = decoding.createDecoder(frame)
  const type = decoding.readVarUint(decoder)
  switch (type) {
    case MESSAGE_SYNC: {
      const sub = decoding.readVarUint(decoder)
      const payload = decoding.readVarUint8Array(decoder)
      if (sub === SYNC_STEP1) return { type: 'sync-step1', stateVector: payload }
      if (sub === SYNC_STEP2) return { type: 'sync-step2', update: payload }
      if (sub === SYNC_UPDATE) return { type: 'sync-update', update: payload }
      throw new ProtocolError(`unknown sync message type ${sub}`)
    }
    case MESSAGE_AWARENESS: {
      const update = decoding.readVarUint8Array(decoder)
      return { type: 'awareness', update, clients: decodeAwarenessEntries(update) }
    }
    case MESSAGE_QUERY_AWARENESS:
      return { type: 'query-awareness' }
    case MESSAGE_AUTH:
      return { type: 'auth' }
    case MESSAGE_STORED:
      return { type: 'stored-subscribe' }
    default:
      throw new ProtocolError(`unknown message type ${type}`)
  }
}

/** The entries of a y-protocols awareness update: varuint(n) then n × (client, clock, JSON). */
export function decodeAwarenessEntries(update: Uint8Array): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update)
  const count = decoding.readVarUint(decoder)
  if (count > MAX_AWARENESS_ENTRIES) throw new ProtocolError(`awareness update with ${count} entries`)
  const entries: AwarenessEntry[] = []
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder)
    const clock = decoding.readVarUint(decoder)
    const json = decoding.readVarString(decoder)
    let state: unknown
    try {
      state = JSON.parse(json)
    } catch {
      throw new ProtocolError('awareness state is not JSON')
    }
    entries.push({ clientId, clock, state })
  }
  return entries
}
