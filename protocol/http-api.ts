// The relay's metadata HTTP API as both sides name it: the relay routes and reads these
// (server/meta/, server/http/), the sync worker's transport sends them (renderer/catalog/).
// Bodies are in protocol/meta/types.ts.

/** Every path of the metadata API starts with this. */
export const API_PREFIX = '/v1'

/** POST: apply a batch of metadata ops. */
export const OPS_PATH = `${API_PREFIX}/ops`

/** GET `?since=&limit=&wait=`: the change feed after a sequence number, long-polled with `wait`. */
export const CHANGES_PATH = `${API_PREFIX}/changes`

/** A client's report of how long (ms) its oldest unconfirmed op has waited; the relay exports it as a metric. */
export const OLDEST_PENDING_HEADER = 'x-skein-oldest-pending-ms'

/**
 * Attachments, stored once per workspace by content hash: `PUT|GET|HEAD ${BLOBS_PATH}/<hash>`
 * (PUT takes `?note=<noteId>`). docs/protocol.md, "Attachments (blob endpoints)".
 */
export const BLOBS_PATH = `${API_PREFIX}/blobs`

/** A blob's name: the SHA-256 of its bytes as 64 lowercase hex characters, nothing else. */
const BLOB_HASH = /^[0-9a-f]{64}$/

export function isBlobHash(value: unknown): value is string {
  return typeof value === 'string' && BLOB_HASH.test(value)
}

/** The path of one blob; throws on anything but a blob hash (a caller's bug, not input). */
export function blobPath(hash: string): string {
  if (!isBlobHash(hash)) throw new Error(`blobPath: not a SHA-256 hex hash: ${JSON.stringify(hash)}`)
  return `${BLOBS_PATH}/${hash}`
}
