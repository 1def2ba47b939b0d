import * as Y from 'yjs'
import { roomLabel, type RoomId } from '../room-id.js'
import type { RoomRegistry } from '../room-registry.js'
import type { Room } from '../room.js'
import type { DocStorage } from '../storage/types.js'

/** A document's full state as one update, encoded only when a rule asks for it. */
export type StateOf = (room: RoomId) => Uint8Array

/**
 * Lends the current content of some rooms to `use` (which runs a storage transaction). Rooms are
 * held from before `use` until its promise settles, so the content is what the relay holds while
 * the transaction runs, including edits not yet stored; `stateOf` is synchronous, so the pure
 * rules can read it inside their decision.
 */
export type ContentReader = <T>(rooms: readonly RoomId[], use: (stateOf: StateOf) => Promise<T>) => Promise<T>

const EMPTY_STATE = Y.encodeStateAsUpdate(new Y.Doc())

/**
 * Reads through the room registry while it runs (a loaded room's doc holds unstored edits), and
 * straight from storage once the rooms are closed (everything is stored by then).
 */
export function createContentReader(registry: RoomRegistry, storage: DocStorage, roomsClosed: () => boolean): ContentReader {
  return async (ids, use) => {
    const unique = [...new Map(ids.map((id) => [roomLabel(id), id])).values()]
    if (roomsClosed()) {
      const states = new Map(await Promise.all(unique.map(async (id) => [roomLabel(id), (await storage.load(id)) ?? EMPTY_STATE] as const)))
      return use((id) => lent(states, id))
    }
    const settled = await Promise.allSettled(unique.map((id) => registry.acquire(id)))
    const rooms = new Map<string, Room>()
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') rooms.set(roomLabel(unique[i]!), s.value)
    })
    try {
      for (const s of settled) if (s.status === 'rejected') throw s.reason
      return await use((id) => Y.encodeStateAsUpdate(lent(rooms, id).doc))
    } finally {
      for (const room of rooms.values()) registry.release(room)
    }
  }
}

function lent<V>(map: ReadonlyMap<string, V>, id: RoomId): V {
  const value = map.get(roomLabel(id))
  if (value === undefined) throw new Error(`content of ${roomLabel(id)} was not loaded before the transaction`)
  return value
}
