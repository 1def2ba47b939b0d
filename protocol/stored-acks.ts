import * as decoding from 'lib0/decoding'
import * as Y from 'yjs'

/** True when state vector `stored` has every clock of `local`. */
export function coversStateVector(stored: Uint8Array, local: Uint8Array): boolean {
  const have = Y.decodeStateVector(stored)
  for (const [client, clock] of Y.decodeStateVector(local)) if ((have.get(client) ?? 0) < clock) return false
  return true
}

/**
 * True when the relay's stored state vector covers everything `doc` holds: nothing on this
 * device is only on this device (edits from earlier sessions, under other client ids, included).
 */
export function isStoredOnRelay(doc: Y.Doc, storedStateVector: Uint8Array): boolean {
  return coversStateVector(storedStateVector, Y.encodeStateVector(doc))
}

/** The relay's durable state vector from a stored acknowledgement, read past its message type. */
export function readStoredAck(decoder: decoding.Decoder): Uint8Array {
  return decoding.readVarUint8Array(decoder)
}
