import type { OpStatus } from '../protocol/meta/types.js'
import type { Access } from './auth.js'
import type { RoomId } from './room-id.js'
import type { PresenceRefusal } from './room.js'

/** Why the relay turned a connection away before it joined a room. */
export type RejectReason =
  | 'invalid-room'
  | 'unauthorized'
  | 'too-many-connections'
  | 'too-many-connections-per-ip'
  | 'shutting-down'

/**
 * Payload of each hook; the map keeps hook names and payloads checked together. A `room: string`
 * is the room's label `<workspace>/<room>` (for logs and metrics); a hook whose consumer acts on
 * the room gets its `RoomId`.
 */
export interface RelayHookPayloads {
  onConnect: { room: string; workspace: string; access: Access; ip: string }
  onReject: { reason: RejectReason; ip: string }
  onClose: { room: string; code: number; reason: string }
  onMessageIn: { kind: string; bytes: number }
  onMessageOut: { bytes: number }
  onReadOnlyWriteDropped: { room: string }
  /** A presence update the relay would not apply (dropped; the connection stays). */
  onPresenceRefused: { room: string; reason: PresenceRefusal }
  onPersisted: { room: string; updates: number; bytes: number; seconds: number }
  onStorageError: { room: string; error: unknown }
  onCompaction: { room: string; seconds: number }
  /** A compaction of shared storage asked for the room's lock: 'busy' when another relay held it. */
  onCompactionLock: { result: 'compacted' | 'busy' | 'skipped' }
  onRoomLoaded: { room: string }
  onRoomUnloaded: { room: string }
  /** A client's update changed a room's document; not fired on load. */
  onContentChanged: { room: RoomId }
  /** A note deleted forever was purged: its rooms deleted from storage, its record a tombstone. */
  onNotePurged: { workspace: string }
  /** One metadata op answered over HTTP. */
  onMetaOp: { workspace: string; status: OpStatus }
  /** One /v1 request answered; `route` names the endpoint, `status` is the HTTP status. */
  onMetaRequest: { route: MetaRoute; status: number; seconds: number }
  /** A client's report of how long its oldest unsynced metadata op has waited. */
  onClientPendingAge: { seconds: number }
  /** One attachment upload answered (`bytes`: what was received of its body). */
  onBlobUpload: { workspace: string; result: BlobUploadResult; bytes: number }
  /** Attachments no note references any more were deleted (a note's purge). */
  onBlobsPurged: { workspace: string; blobs: number }
}

/** How an attachment upload ended, as a metric label. */
export type BlobUploadResult = 'created' | 'existed' | 'too-large' | 'hash-mismatch' | 'note-deleted' | 'refused' | 'failed'

/** The /v1 endpoints as metric labels; a long-poll is its own route because it includes its wait. */
export type MetaRoute = 'ops' | 'changes' | 'changes-wait' | 'preflight' | 'other'

/**
 * The relay's extension points: each optional hook is called synchronously where the event
 * happens. Metrics are one implementation; tests and embedders can add their own.
 */
export type RelayHooks = { [K in keyof RelayHookPayloads]?: (payload: RelayHookPayloads[K]) => void }

// Every hook name, as a record so the compiler rejects a name missing from (or extra to) the map.
const HOOK_NAMES: Record<keyof RelayHookPayloads, true> = {
  onConnect: true,
  onReject: true,
  onClose: true,
  onMessageIn: true,
  onMessageOut: true,
  onReadOnlyWriteDropped: true,
  onPresenceRefused: true,
  onPersisted: true,
  onStorageError: true,
  onCompaction: true,
  onCompactionLock: true,
  onRoomLoaded: true,
  onRoomUnloaded: true,
  onContentChanged: true,
  onNotePurged: true,
  onMetaOp: true,
  onMetaRequest: true,
  onClientPendingAge: true,
  onBlobUpload: true,
  onBlobsPurged: true,
}

/** One hooks object that calls every given one in order. */
export function combineHooks(...all: RelayHooks[]): Required<RelayHooks> {
  const names = Object.keys(HOOK_NAMES) as (keyof RelayHookPayloads)[]
  const combined = {} as Record<keyof RelayHookPayloads, (payload: never) => void>
  for (const name of names) {
    const fns = all.map((h) => h[name]).filter((f): f is NonNullable<typeof f> => f !== undefined) as ((p: never) => void)[]
    combined[name] = (payload: never) => {
      for (const fn of fns) fn(payload)
    }
  }
  return combined as Required<RelayHooks>
}
