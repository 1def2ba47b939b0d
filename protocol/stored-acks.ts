import * as decoding from 'lib0/decoding'
import * as Y from 'yjs'
import type { WebsocketProvider } from 'y-websocket'
import { MESSAGE_STORED } from './messages.js'
import { encodeStoredSubscribe } from './encode.js'

/**
 * True when the relay's stored state vector covers every update `doc`'s own client made, i.e.
 * nothing this device wrote is only on this device any more.
 */
export function isStoredOnRelay(doc: Y.Doc, storedStateVector: Uint8Array): boolean {
  const local = Y.encodeStateVector(doc)
  const mine = Y.decodeStateVector(local).get(doc.clientID) ?? 0
  const stored = Y.decodeStateVector(storedStateVector).get(doc.clientID) ?? 0
  return stored >= mine
}

/**
 * Opts a stock y-websocket provider into the relay's stored acknowledgements: registers a
 * handler for message type 100 and asks for acks on every (re)connect. `onStored` gets the
 * relay's durable state vector each time it changes. Returns a function that stops tracking.
 */
// Copied into its own ArrayBuffer: the DOM's WebSocket.send takes no views of shared buffers.
const SUBSCRIBE = new Uint8Array(encodeStoredSubscribe())

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
