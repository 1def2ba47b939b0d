import * as Y from 'yjs'
import type { DocStorage } from './types.js'

interface Entry {
  seq: number
  data: Uint8Array
}

/** Volatile storage for unit tests; same contract as the SQLite storage. */
export class MemoryStorage implements DocStorage {
  private readonly logs = new Map<string, Entry[]>()
  private nextSeq = 1
  private closed = false

  async load(room: string): Promise<Uint8Array | null> {
    this.assertOpen()
    const log = this.logs.get(room)
    return log && log.length > 0 ? Y.mergeUpdates(log.map((e) => e.data)) : null
  }

  async append(room: string, update: Uint8Array): Promise<number> {
    this.assertOpen()
    const seq = this.nextSeq++
    const log = this.logs.get(room) ?? []
    log.push({ seq, data: update.slice() })
    this.logs.set(room, log)
    return seq
  }

  async replace(room: string, state: Uint8Array, upTo: number): Promise<void> {
    this.assertOpen()
    const kept = (this.logs.get(room) ?? []).filter((e) => e.seq > upTo)
    this.logs.set(room, [{ seq: upTo, data: state.slice() }, ...kept])
  }

  async purge(rooms: readonly string[]): Promise<void> {
    this.assertOpen()
    for (const room of rooms) this.logs.delete(room)
  }

  async latestEntry(): Promise<number> {
    this.assertOpen()
    let latest = 0
    for (const log of this.logs.values()) for (const e of log) latest = Math.max(latest, e.seq)
    return latest
  }

  async roomsWithEntriesAfter(seq: number): Promise<string[]> {
    this.assertOpen()
    return [...this.logs].filter(([, log]) => log.some((e) => e.seq > seq)).map(([room]) => room)
  }

  async entryCount(room: string): Promise<number> {
    return this.logs.get(room)?.length ?? 0
  }

  async byteSize(room: string): Promise<number> {
    return (this.logs.get(room) ?? []).reduce((sum, e) => sum + e.data.byteLength, 0)
  }

  async checkWritable(): Promise<void> {
    this.assertOpen()
  }

  async close(): Promise<void> {
    this.closed = true
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('MemoryStorage: used after close()')
  }
}
