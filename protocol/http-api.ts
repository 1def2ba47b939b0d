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

/** PUT `/<sha256>?note=<noteId>` (raw bytes), GET and HEAD `/<sha256>`: a note's attachments. */
export const BLOBS_PATH = `${API_PREFIX}/blobs`
