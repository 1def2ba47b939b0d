/**
 * Top-level message types of the y-websocket protocol (see docs/protocol.md). Every binary
 * frame starts with one of these as a varuint; the rest is the sub-protocol's payload.
 * 0–3 match the stock y-websocket client and server.
 */
export const MESSAGE_SYNC = 0
export const MESSAGE_AWARENESS = 1
export const MESSAGE_AUTH = 2
export const MESSAGE_QUERY_AWARENESS = 3
/**
 * Skein's durable-acknowledgement extension. A client that sends `varuint(100)` alone opts in;
 * the relay then sends `varuint(100) bytes(stateVector)` each time it has durably stored a batch
 * of the room's updates. Stock clients never send it, so they never receive it.
 */
export const MESSAGE_STORED = 100

export const SYNC_STEP1 = 0
export const SYNC_STEP2 = 1
export const SYNC_UPDATE = 2

/** A frame from a client, decoded. */
export type ClientMessage =
  | { type: 'sync-step1'; stateVector: Uint8Array }
  | { type: 'sync-step2'; update: Uint8Array }
  | { type: 'sync-update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array; clients: AwarenessEntry[] }
  | { type: 'query-awareness' }
  | { type: 'auth' }
  | { type: 'stored-subscribe' }

export interface AwarenessEntry {
  clientId: number
  clock: number
  /** null means the client removed its presence. */
  state: unknown
}

/** Why a frame could not be decoded. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError'
}
