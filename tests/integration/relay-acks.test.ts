import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as decoding from 'lib0/decoding'
import { MemoryStorage } from '../../server/storage/memory'
import { isStoredOnRelay } from '../../protocol/stored-acks'
import { trackStoredAcks } from '../../renderer/sync/stored-acks'
import { connectClient, rawSocket, startTestRelay, tempDir, waitFor, whenSynced } from '../helpers/relay'
import type { RoomId } from '../../server/room-id'
import { MemoryMetaStorage } from '../../server/meta/memory-store'
import { MemoryBlobStorage } from '../../server/blobs/memory'

/** Storage that holds every append until released, or fails it while `failing`. */
class GatedStorage extends MemoryStorage {
  failing = false
  appends = 0
  override async append(room: RoomId, update: Uint8Array): Promise<number> {
    if (this.failing) throw new Error('disk full')
    this.appends++
    return super.append(room, update)
  }
}

describe('stored acknowledgements', () => {
  it('tells an opted-in client the durable state vector once its updates are stored', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const a = connectClient(relay.wsUrl, 'note/acks')
    let stored: Uint8Array | null = null
    trackStoredAcks(a.provider, (sv) => (stored = sv))
    await whenSynced(a.provider)
    a.text.insert(0, 'durable')
    await waitFor('ack covering the edit', () => stored !== null && isStoredOnRelay(a.doc, stored))
    expect(Y.decodeStateVector(stored!).get(a.doc.clientID)).toBe(7)
  })

  it('never acknowledges an update that storage failed to write, and does once storage recovers', async () => {
    const storage = new GatedStorage()
    const relay = await startTestRelay({ storage: { docs: storage, meta: new MemoryMetaStorage(), blobs: new MemoryBlobStorage() } })
    const a = connectClient(relay.wsUrl, 'note/acks')
    const acks: Uint8Array[] = []
    trackStoredAcks(a.provider, (sv) => acks.push(sv))
    await whenSynced(a.provider)
    await waitFor('initial ack', () => acks.length > 0)

    storage.failing = true
    a.text.insert(0, 'pending')
    const observer = connectClient(relay.wsUrl, 'note/acks')
    await waitFor('relay received the edit', () => observer.text.toString() === 'pending')
    await new Promise((r) => setTimeout(r, 600)) // spans several failed write attempts (250 ms, 500 ms)
    expect(acks.some((sv) => isStoredOnRelay(a.doc, sv))).toBe(false)

    storage.failing = false
    await waitFor('ack after recovery', () => acks.some((sv) => isStoredOnRelay(a.doc, sv)), 15_000)
    const restored = new Y.Doc()
    Y.applyUpdate(restored, (await storage.load({ workspace: 'default', room: 'note/acks' }))!)
    expect(restored.getText('t').toString()).toBe('pending')
  })

  it('sends a stock client nothing but the stock message types', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const writer = connectClient(relay.wsUrl, 'note/stock')
    trackStoredAcks(writer.provider, () => undefined)
    await whenSynced(writer.provider)
    const raw = await rawSocket(relay.wsUrl, 'note/stock')
    const types: number[] = []
    raw.on('message', (data: Buffer) => types.push(decoding.readVarUint(decoding.createDecoder(new Uint8Array(data)))))
    for (let i = 0; i < 20; i++) {
      writer.text.insert(0, 'x')
      await new Promise((r) => setTimeout(r, 5))
    }
    // The relay may merge updates that arrive in one turn, so count frames, not edits.
    await waitFor('raw socket got the edits', () => types.filter((t) => t === 0).length >= 3)
    await new Promise((r) => setTimeout(r, 100)) // room for a stray ack, which follows each stored batch
    expect(types.every((t) => t === 0 || t === 1)).toBe(true)
  })
})
