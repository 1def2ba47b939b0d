import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { connectClient, startTestRelay, tempDir, waitFor, whenSynced } from '../helpers/relay'
import type { RoomId } from '../../server/room-id'
import { MemoryMetaStorage } from '../../server/meta/memory-store'
import { MemoryBlobStorage } from '../../server/blobs/memory'

describe('idle room hibernation', () => {
  it('releases an idle document while its clients stay connected, and wakes it with nothing lost', async () => {
    const relay = await startTestRelay({ dataDir: tempDir(), hibernateAfterMs: 100 })
    const a = connectClient(relay.wsUrl, 'note/sleepy')
    const b = connectClient(relay.wsUrl, 'note/sleepy')
    await Promise.all([whenSynced(a.provider), whenSynced(b.provider)])
    a.text.insert(0, 'before sleep')
    await waitFor('b has it', () => b.text.toString() === 'before sleep')
    a.provider.awareness.setLocalStateField('user', { name: 'A' })

    const room = (await relay.rooms.peek({ workspace: 'default', room: 'note/sleepy' }))!
    await waitFor('room hibernates', () => room.hibernating)
    expect(relay.rooms.hibernatingCount).toBe(1)
    // Presence lives outside the document and keeps flowing while it sleeps.
    await waitFor('b sees a presence', () => b.provider.awareness.getStates().has(a.doc.clientID))
    expect(room.hibernating).toBe(true)

    b.text.insert(b.text.length, ', after')
    await waitFor('a gets the edit made while hibernating', () => a.text.toString() === 'before sleep, after')
    const late = connectClient(relay.wsUrl, 'note/sleepy', new Y.Doc())
    await whenSynced(late.provider)
    await waitFor('late joiner has everything', () => late.text.toString() === 'before sleep, after')
    const metrics = await (await fetch(`${relay.url}/metrics`)).text()
    expect(metrics).toMatch(/^skein_rooms_hibernating \d/m)
  })

  it('stores the hibernating document as one snapshot in place of its update log', async () => {
    const { MemoryStorage } = await import('../../server/storage/memory')
    const storage = new MemoryStorage()
    const relay = await startTestRelay({ storage: { docs: storage, meta: new MemoryMetaStorage(), blobs: new MemoryBlobStorage() }, hibernateAfterMs: 100 })
    const a = connectClient(relay.wsUrl, 'note/log')
    await whenSynced(a.provider)
    for (let i = 0; i < 10; i++) {
      a.text.insert(a.text.length, `${i}`)
      await waitFor('stored', async () => (await storage.entryCount({ workspace: 'default', room: 'note/log' })) >= i + 1)
    }
    const room = (await relay.rooms.peek({ workspace: 'default', room: 'note/log' }))!
    await waitFor('hibernated', () => room.hibernating)
    await waitFor('log compacted', async () => (await storage.entryCount({ workspace: 'default', room: 'note/log' })) === 1)
    const restored = new Y.Doc()
    Y.applyUpdate(restored, (await storage.load({ workspace: 'default', room: 'note/log' }))!)
    expect(restored.getText('t').toString()).toBe('0123456789')
  })

  it('never hibernates a room with updates not yet stored', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const { MemoryStorage } = await import('../../server/storage/memory')
    class SlowStorage extends MemoryStorage {
      override async append(room: RoomId, update: Uint8Array) {
        await gate
        return super.append(room, update)
      }
    }
    const storage = new SlowStorage()
    const relay = await startTestRelay({ storage: { docs: storage, meta: new MemoryMetaStorage(), blobs: new MemoryBlobStorage() }, hibernateAfterMs: 20 })
    const a = connectClient(relay.wsUrl, 'note/busy')
    await whenSynced(a.provider)
    a.text.insert(0, 'unstored')
    const room = (await relay.rooms.peek({ workspace: 'default', room: 'note/busy' }))!
    await waitFor('update received', () => room.pendingCount > 0 || room.doc.getText('t').length > 0)
    await new Promise((r) => setTimeout(r, 200))
    expect(room.hibernating).toBe(false)
    release()
    await waitFor('stored, then hibernates', () => room.hibernating, 5000)
    const restored = new Y.Doc()
    Y.applyUpdate(restored, (await storage.load({ workspace: 'default', room: 'note/busy' }))!)
    expect(restored.getText('t').toString()).toBe('unstored')
  })
})
