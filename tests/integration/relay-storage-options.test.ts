import { describe, expect, it } from 'vitest'
import { MemoryMetaStorage } from '../../server/meta/memory-store'
import { MemoryBlobStorage } from '../../server/blobs/memory'
import { startRelay } from '../../server/relay'
import { MemoryStorage } from '../../server/storage/memory'
import { allChanges, op, sendOps } from '../helpers/meta'
import { startTestRelay, tempDir } from '../helpers/relay'

describe('startRelay storage options', () => {
  it('refuses document storage without metadata and attachment storage or a data folder, naming what is missing', async () => {
    await expect(startRelay({ port: 0, storage: { docs: new MemoryStorage() } })).rejects.toThrow(/storage\.meta and storage\.blobs;/)
    await expect(startRelay({ port: 0, storage: { docs: new MemoryStorage(), meta: new MemoryMetaStorage() } })).rejects.toThrow(/or storage\.blobs;/)
    await expect(startRelay({ port: 0 })).rejects.toThrow(/dataDir.*storage\.docs, storage\.meta and storage\.blobs/)
  })

  it('keeps metadata in meta.sqlite across restarts when only the document storage is given', async () => {
    const dataDir = tempDir()
    const first = await startTestRelay({ dataDir, storage: { docs: new MemoryStorage() } })
    await sendOps(first.url, [op('note.create', 'kept', { title: 'Survives', folderId: null, tags: [] })])
    await first.close()
    const second = await startTestRelay({ dataDir, storage: { docs: new MemoryStorage() } })
    expect((await allChanges(second.url)).map((e) => e.record?.type === 'note' && e.record.title)).toEqual(['Survives'])
  })

  it('runs on volatile storage when both are given', async () => {
    const relay = await startTestRelay({ storage: { docs: new MemoryStorage(), meta: new MemoryMetaStorage(), blobs: new MemoryBlobStorage() } })
    await sendOps(relay.url, [op('note.create', 'm', { title: 'In memory', folderId: null, tags: [] })])
    expect((await allChanges(relay.url)).map((e) => e.id)).toEqual(['m'])
  })
})
