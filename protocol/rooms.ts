/**
 * Room names shared by the renderer and the relay. A room is the URL path of a y-websocket
 * connection (`ws://host:port/<room>`), so these names are part of the wire contract.
 */

/** The workspace index: which notes exist, in which order, with their display titles. */
export const INDEX_ROOM = 'index'

const NOTE_PREFIX = 'note/'
const MAX_ROOM_NAME_LENGTH = 256
// Printable ASCII without spaces, `?`, `#` or `%`: room names travel unescaped in URL paths.
const ROOM_NAME = /^[A-Za-z0-9._~:@!$&'()*+,;=/-]+$/

export function noteRoom(noteId: string): string {
  if (!noteId) throw new Error('noteRoom: noteId must be a non-empty string')
  return NOTE_PREFIX + noteId
}

const HISTORY_PREFIX = 'history/'

/** A note's saved versions (renderer/history): a room of its own, synced like the note. */
export function historyRoom(noteId: string): string {
  if (!noteId) throw new Error('historyRoom: noteId must be a non-empty string')
  return HISTORY_PREFIX + noteId
}

function idAfter(prefix: string, room: string): string | null {
  return room.startsWith(prefix) && room.length > prefix.length ? room.slice(prefix.length) : null
}

/** The note id of a note room, or null for any other room. */
export function noteIdOfRoom(room: string): string | null {
  return idAfter(NOTE_PREFIX, room)
}

/** The note id of a history room, or null for any other room. */
export function noteIdOfHistoryRoom(room: string): string | null {
  return idAfter(HISTORY_PREFIX, room)
}

export function isValidRoomName(room: string): boolean {
  return (
    room.length > 0 &&
    room.length <= MAX_ROOM_NAME_LENGTH &&
    ROOM_NAME.test(room) &&
    !room.startsWith('/') &&
    !room.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')
  )
}
