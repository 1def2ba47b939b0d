// Compaction on shared storage: one owner at a time (the room's advisory lock), always from what
// PostgreSQL holds, and a sweeper for rooms no relay has open.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import * as Y from 'yjs'
import { PostgresBlobStorage } from '../../server/postgres/blob-storage'
import { PostgresDocStorage } from '../../server/postgres/doc-storage'
import { PostgresMetaStorage } from '../../server/postgres/meta-storage'
import { connectClient, startTestRelay, waitFor, whenSynced } from '../helpers/relay'
import { metricValue } from '../helpers/meta'
import { startPostgres, type PostgresServer } from '../helpers/servers'

let postgres: PostgresServer

beforeAll(async () => {
  postgres = await startPostgres()
}, 60_000)

afterAll(async () => {
  await postgres?.stop()
})

async function openStorage(url: string): Promise<PostgresDocStorage> {
  const storage = await PostgresDocStorage.open(url)
  onTestFinished(() => storage.close())
  return storage
}

async function relayOn(url: string, options: { compactAfter: number; compactionSweepMs: number }) {
  const docs = await PostgresDocStorage.open(url)
  const meta = await PostgresMetaStorage.open(url)
  const blobs = await PostgresBlobStorage.open(url)
  return startTestRelay({ storage: { docs, meta, blobs }, ...options })
}

const textOf = (state: Uint8Array | null): string => {
  const doc = new Y.Doc()
  if (state) Y.applyUpdate(doc, state)
  return doc.getText('t').toString()
}

describe('compaction on PostgreSQL', () => {
  it('sweeps rooms no relay here has open: another relay wrote them, and nothing is lost', async () => {
    const url = await postgres.createDatabase()
    const other = await openStorage(url) // another relay's storage, writing a room this relay never loads
    const room = { workspace: 'default', room: 'note/elsewhere' }
    const doc = new Y.Doc()
    for (let i = 0; i < 40; i++) {
      const before = Y.encodeStateVector(doc)
      doc.getText('t').insert(doc.getText('t').length, `${i} `)
      await other.append(room, Y.encodeStateAsUpdate(doc, before))
    }
    expect(await other.entryCount(room)).toBe(40)
    const relay = await relayOn(url, { compactAfter: 10, compactionSweepMs: 100 })
    await waitFor('the sweeper to compact the room', async () => (await other.entryCount(room)) <= 1)
    expect(textOf(await other.load(room))).toBe(doc.getText('t').toString())
    const metrics = await (await fetch(`${relay.url}/metrics`)).text()
    expect(metricValue(metrics, 'skein_compaction_lock_total{result="compacted"}')).toBeGreaterThan(0)
  })

  it('compacts a room open here from storage, keeping what another relay stored that this one never saw', async () => {
    const url = await postgres.createDatabase()
    const relay = await relayOn(url, { compactAfter: 4, compactionSweepMs: 0 })
    const other = await openStorage(url)
    const writer = connectClient(relay.wsUrl, 'note/mixed')
    await whenSynced(writer.provider)
    // Another relay stores an edit this relay is never told about (no Redis here).
    const theirs = new Y.Doc()
    theirs.getText('t').insert(0, 'theirs ')
    await other.append({ workspace: 'default', room: 'note/mixed' }, Y.encodeStateAsUpdate(theirs))
    for (let i = 0; i < 12; i++) {
      writer.text.insert(writer.text.length, `${i}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const room = { workspace: 'default', room: 'note/mixed' }
    await waitFor('the room compacted', async () => (await other.entryCount(room)) < 6)
    const stored = textOf(await other.load(room))
    expect(stored).toContain('theirs ')
    expect(stored.replace('theirs ', '')).toBe('01234567891011')
  })
})
