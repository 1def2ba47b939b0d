/**
 * WebSocket close codes the relay uses. Clients and operators see these in close events and in
 * the relay's one-line-per-close log, so each names its reason.
 *
 * The ranges follow the stock y-websocket client's convention: 4400–4499 are permanent (the
 * client stops reconnecting: retrying cannot help), 4500–4599 are "try again later".
 */
export const CloseCode = {
  /** The relay is shutting down (SIGTERM). Clients should reconnect later. */
  goingAway: 1001,
  /** A text frame arrived; the protocol is binary only. */
  unsupportedData: 1003,
  /** A frame exceeded the relay's message size cap. */
  messageTooBig: 1009,
  /** An unexpected condition inside the relay, not caused by the peer. */
  internalError: 1011,
  /** The peer sent a frame that does not decode as the protocol, or that Yjs rejects. */
  malformedMessage: 4400,
  /** Missing, wrong or revoked token. */
  unauthorized: 4401,
  /** The connection tried something its token does not allow (e.g. another client's presence). */
  forbidden: 4403,
  /** No pong arrived for a ping: the peer is gone (logged; the socket is dropped without a handshake). */
  timeout: 4508,
  /** The update would grow the document past the relay's size limit. */
  documentTooLarge: 4413,
  /**
   * The note was deleted forever and purged, and the update holds nothing the purged note did not
   * (a stale copy from a device that has not heard of the delete). Permanent: resending cannot help.
   */
  deletedForever: 4410,
  /** The room was purged while the connection was open. Transient: reconnecting meets the purged room. */
  roomPurged: 4510,
  /** The peer sent messages faster than its rate limit, or flooded before its room was ready. Transient. */
  rateLimited: 4529,
} as const

export type CloseCodeName = keyof typeof CloseCode
