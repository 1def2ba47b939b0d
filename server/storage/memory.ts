import * as Y from 'yjs'
import type { DocStorage } from './types.js'

/** Volatile storage for unit tests; same contract as the SQLite storage. */
export class MemoryStorage implements DocStorage {
  private readonly logs = new Map<string, Uint8Array[]>()
  private closed = false

  async load(room: string): Promise<Uint8Array | null> {
    this.assertOpen()
    const log = this.logs.get(room)
    return log && log.length > 0 ? Y.mergeUpdates(log) : null
  }

  async append(room: string, update: Uint8Array): Promise<void> {
    this.assertOpen()
    const log = this.logs.get(room) ?? []
    log.push(update.slice())
    this.logs.set(room, log)
  }

  async entryCount(room: string): Promise<number> {
    return this.logs.get(room)?.length ?? 0
  }

  async compact(room: string): Promise<void> {
    this.assertOpen()
    const log = this.logs.get(room)
    if (log && log.length > 1) this.logs.set(room, [Y.mergeUpdates(log)])
  }

  async byteSize(room: string): Promise<number> {
    return (this.logs.get(room) ?? []).reduce((sum, u) => sum + u.byteLength, 0)
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
