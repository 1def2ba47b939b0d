import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { Room } from '../../server/room'
import { MemoryStorage } from '../../server/storage/memory'
import { createLogger } from '../../server/log'
import { combineHooks } from '../../server/hooks'
import type { RoomId } from '../../server/room-id'

const hooks = combineHooks()
const R: RoomId = { workspace: 'w', room: 'r' }
/** Compacts at once, where the registry would queue it. */
const requestCompaction = (room: Room) => void room.compact()

/** Storage whose next `failures` appends throw, as a full disk would. */
class FlakyStorage extends MemoryStorage {
  constructor(public failures: number) {
    super()
  }
  override async append(room: RoomId, update: Uint8Array): Promise<number> {
    if (this.failures > 0) {
      this.failures--
      throw new Error('SQLITE_FULL: database or disk is full')
    }
    return super.append(room, update)
  }
}

function text(state: Uint8Array | null): string {
  const d = new Y.Doc()
  if (state) Y.applyUpdate(d, state)
  return d.getText('t').toString()
}

describe('Room persistence', () => {
  it('keeps updates in memory through storage failures and stores them once storage recovers', async () => {
    const storage = new FlakyStorage(3)
    const room = await Room.load(R, storage, createLogger('silent'), { compactAfter: 1000, hibernateAfterMs: 60_000, hooks, requestCompaction })
    const client = new Y.Doc()
    client.getText('t').insert(0, 'must not be lost')
    Y.applyUpdate(room.doc, Y.encodeStateAsUpdate(client), 'peer')

    await room.flush()
    expect(storage.failures).toBe(0)
    expect(text(await storage.load(R))).toBe('must not be lost')
    await room.destroy()
  })

  it('compacts its stored log once it passes the threshold', async () => {
    const storage = new MemoryStorage()
    const room = await Room.load(R, storage, createLogger('silent'), { compactAfter: 5, hibernateAfterMs: 60_000, hooks, requestCompaction })
    for (let i = 0; i < 12; i++) {
      room.doc.getText('t').insert(0, 'x')
      await room.flush()
    }
    // The threshold is jittered to 4–6 writes, so at most 6 entries pile up before a snapshot.
    expect(await storage.entryCount(R)).toBeLessThan(7)
    expect(text(await storage.load(R))).toBe('x'.repeat(12))
    await room.destroy()
  })
})
