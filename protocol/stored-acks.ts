import * as decoding from 'lib0/decoding'
import * as Y from 'yjs'
import type { WebsocketProvider } from 'y-websocket'
import { MESSAGE_STORED } from './messages.js'
import { encodeStoredSubscribe } from './encode.js'

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

/**
 * Opts a stock y-websocket provider into the relay's stored acknowledgements: registers a
 * handler for message type 100 and asks for acks on every (re)connect. `onStored` gets the
 * relay's durable state vector each time it changes. Returns a function that stops tracking.
 */
// Copied into its own ArrayBuffer: the DOM's WebSocket.send takes no views of shared buffers.
const SUBSCRIBE = new Uint8Array(encodeStoredSubscribe())

/** Asks the relay for its stored state vector now (it always answers): also a liveness probe. */
export function requestStoredAck(provider: WebsocketProvider): void {
  if (provider.wsconnected) provider.ws?.send(SUBSCRIBE)
}

export function trackStoredAcks(provider: WebsocketProvider, onStored: (stateVector: Uint8Array) => void): () => void {
  provider.messageHandlers[MESSAGE_STORED] = (_encoder, decoder) => {
    onStored(decoding.readVarUint8Array(decoder))
  }
  const subscribe = ({ status }: { status: string }) => {
    if (status === 'connected') provider.ws?.send(SUBSCRIBE)
  }
  provider.on('status', subscribe)
  if (provider.wsconnected) provider.ws?.send(SUBSCRIBE)
  return () => {
    provider.off('status', subscribe)
    delete provider.messageHandlers[MESSAGE_STORED]
  }
}
