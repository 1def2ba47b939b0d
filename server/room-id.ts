import { isValidId } from '../protocol/meta/parse.js'
import { historyRoom, noteIdOfHistoryRoom, noteIdOfRoom, noteRoom } from '../protocol/rooms.js'

/**
 * Which room: a workspace (from the connection's token) and the room name the client asked for
 * (`note/<id>`, `history/<id>`, …). Workspaces never share a room. The relay passes this pair
 * around as it is; only the document storage turns it into one key, at its boundary.
 */
export interface RoomId {
  readonly workspace: string
  readonly room: string
}

/** A note: the entity the metadata service knows, owning a note room and a history room. */
export interface NoteRef {
  readonly workspace: string
  readonly noteId: string
}

/** `<workspace>/<room>`: a room in log lines, metric labels and hook payloads. Never parsed back. */
export function roomLabel({ workspace, room }: RoomId): string {
  return `${workspace}/${room}`
}

export const noteRoomOf = ({ workspace, noteId }: NoteRef): RoomId => ({ workspace, room: noteRoom(noteId) })
export const historyRoomOf = ({ workspace, noteId }: NoteRef): RoomId => ({ workspace, room: historyRoom(noteId) })

/** The note whose content room this is; null for any other room, or an id the metadata cannot hold. */
export function noteOfRoom({ workspace, room }: RoomId): NoteRef | null {
  const noteId = noteIdOfRoom(room)
  return noteId !== null && isValidId(noteId) ? { workspace, noteId } : null
}

/** The note whose history room this is; null for any other room. */
export function noteOfHistoryRoom({ workspace, room }: RoomId): NoteRef | null {
  const noteId = noteIdOfHistoryRoom(room)
  return noteId !== null && isValidId(noteId) ? { workspace, noteId } : null
}

export const sameRoom = (a: RoomId, b: RoomId): boolean => a.workspace === b.workspace && a.room === b.room
