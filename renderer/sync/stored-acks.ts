// The client side of the relay's stored acknowledgements (docs/protocol.md): binds a stock
// y-websocket provider to the message format in protocol/.
import type { WebsocketProvider } from 'y-websocket'
import { encodeStoredSubscribe } from '../../protocol/encode'
import { MESSAGE_STORED } from '../../protocol/messages'
import { readStoredAck } from '../../protocol/stored-acks'

// Copied into its own ArrayBuffer: the DOM's WebSocket.send takes no views of shared buffers.
const SUBSCRIBE = new Uint8Array(encodeStoredSubscribe())

/** Asks the relay for its stored state vector now (it always answers): also a liveness probe. */
export function requestStoredAck(provider: WebsocketProvider): void {
  if (provider.wsconnected) provider.ws?.send(SUBSCRIBE)
}

/**
 * Opts a stock y-websocket provider into the relay's stored acknowledgements: registers a
 * handler for message type 100 and asks for acks on every (re)connect. `onStored` gets the
 * relay's durable state vector each time it changes. Returns a function that stops tracking.
 */
export function trackStoredAcks(provider: WebsocketProvider, onStored: (stateVector: Uint8Array) => void): () => void {
  provider.messageHandlers[MESSAGE_STORED] = (_encoder, decoder) => {
    onStored(readStoredAck(decoder))
  }
  const subscribe = ({ status }: { status: string }) => {
    if (status === 'connected') provider.ws?.send(SUBSCRIBE)
  }
  provider.on('status', subscribe)
  requestStoredAck(provider)
  return () => {
    provider.off('status', subscribe)
    delete provider.messageHandlers[MESSAGE_STORED]
  }
}
