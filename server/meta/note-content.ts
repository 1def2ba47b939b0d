import * as Y from 'yjs'
import type { RoomRegistry } from '../room-registry.js'
import type { Room } from '../room.js'
import type { DocStorage } from '../storage/types.js'

/** A document's full state as one update, encoded only when a rule asks for it. */
export type StateOf = (storageKey: string) => Uint8Array

/**
 * Lends the current content of some rooms to a synchronous `use` (a store transaction). Rooms
 * are held from before `use` until after it, so the content is what the relay holds at that
 * moment, including edits not yet stored.
 */
export type ContentReader = <T>(storageKeys: readonly string[], use: (stateOf: StateOf) => T) => Promise<T>

const EMPTY_STATE = Y.encodeStateAsUpdate(new Y.Doc())

/**
 * Reads through the room registry while it runs (a loaded room's doc holds unstored edits), and
 * straight from storage once the rooms are closed (everything is stored by then).
 */
export function createContentReader(registry: RoomRegistry, storage: DocStorage, roomsClosed: () => boolean): ContentReader {
  return async (keys, use) => {
    const unique = [...new Set(keys)]
    if (roomsClosed()) {
      const states = new Map(await Promise.all(unique.map(async (key) => [key, (await storage.load(key)) ?? EMPTY_STATE] as const)))
      return use((key) => lent(states, key))
    }
    const settled = await Promise.allSettled(unique.map((key) => registry.acquire(key)))
    const rooms = new Map<string, Room>()
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') rooms.set(unique[i]!, s.value)
    })
    try {
      for (const s of settled) if (s.status === 'rejected') throw s.reason
      return use((key) => Y.encodeStateAsUpdate(lent(rooms, key).doc))
    } finally {
      for (const room of rooms.values()) registry.release(room)
    }
  }
}

function lent<V>(map: ReadonlyMap<string, V>, key: string): V {
  const value = map.get(key)
  if (value === undefined) throw new Error(`content of ${key} was not loaded before the transaction`)
  return value
}
