import * as Y from 'yjs'
import { roomLabel, type RoomId } from '../room-id.js'
import type { DocStorage } from './types.js'

interface Entry {
  seq: number
  data: Uint8Array
}

/** Volatile storage for unit tests and embedders; same contract as the SQLite storage. */
export class MemoryStorage implements DocStorage {
  /** By room label, each with its id (labels are map keys here, never parsed back). */
  private readonly logs = new Map<string, { id: RoomId; entries: Entry[] }>()
  private nextSeq = 1
  private closed = false

  async load(room: RoomId): Promise<Uint8Array | null> {
    this.assertOpen()
    const log = this.logs.get(roomLabel(room))?.entries
    return log && log.length > 0 ? Y.mergeUpdates(log.map((e) => e.data)) : null
  }

  async append(room: RoomId, update: Uint8Array): Promise<number> {
    this.assertOpen()
    const seq = this.nextSeq++
    this.logOf(room).push({ seq, data: update.slice() })
    return seq
  }

  async replace(room: RoomId, state: Uint8Array, upTo: number): Promise<void> {
    this.assertOpen()
    const kept = (this.logs.get(roomLabel(room))?.entries ?? []).filter((e) => e.seq > upTo)
    this.logs.set(roomLabel(room), { id: { ...room }, entries: [{ seq: upTo, data: state.slice() }, ...kept] })
  }

  async purge(rooms: readonly RoomId[]): Promise<void> {
    this.assertOpen()
    for (const room of rooms) this.logs.delete(roomLabel(room))
  }

  async latestEntry(): Promise<number> {
    this.assertOpen()
    let latest = 0
    for (const log of this.logs.values()) for (const e of log.entries) latest = Math.max(latest, e.seq)
    return latest
  }

  async roomsWithEntriesAfter(seq: number): Promise<RoomId[]> {
    this.assertOpen()
    return [...this.logs.values()].filter((log) => log.entries.some((e) => e.seq > seq)).map((log) => ({ ...log.id }))
  }

  async entryCount(room: RoomId): Promise<number> {
    return this.logs.get(roomLabel(room))?.entries.length ?? 0
  }

  async byteSize(room: RoomId): Promise<number> {
    return (this.logs.get(roomLabel(room))?.entries ?? []).reduce((sum, e) => sum + e.data.byteLength, 0)
  }

  async checkWritable(): Promise<void> {
    this.assertOpen()
  }

  async close(): Promise<void> {
    this.closed = true
  }

  private logOf(room: RoomId): Entry[] {
    const label = roomLabel(room)
    let log = this.logs.get(label)
    if (!log) this.logs.set(label, (log = { id: { ...room }, entries: [] }))
    return log.entries
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('MemoryStorage: used after close()')
  }
}
