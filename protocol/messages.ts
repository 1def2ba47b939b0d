/**
 * Top-level message types of the y-websocket protocol (see docs/protocol.md). Every binary
 * frame starts with one of these as a varuint; the rest is the sub-protocol's payload.
 * Numbers match the stock y-websocket client and server.
 */
export const MESSAGE_SYNC = 0
export const MESSAGE_AWARENESS = 1
export const MESSAGE_AUTH = 2
export const MESSAGE_QUERY_AWARENESS = 3

export type MessageType =
  | typeof MESSAGE_SYNC
  | typeof MESSAGE_AWARENESS
  | typeof MESSAGE_AUTH
  | typeof MESSAGE_QUERY_AWARENESS
