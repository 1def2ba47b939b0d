// A device that only watches pulls a note someone else is typing in now and then, not on every
// feed entry: each pull is a new connection to the relay. It still ends with the final text.

import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { noteRoom } from '../../protocol/rooms'
import { Catalog } from '../../renderer/catalog/catalog'
import { SyncWorker } from '../../renderer/catalog/sync-worker'
import { HttpTransport } from '../../renderer/catalog/transport'
import { ContentSync } from '../../renderer/sync/content-sync'
import { DocRegistry } from '../../renderer/sync/doc-registry'
import { contentStateRecorder } from '../../renderer/workspace'
import { op, sendOps } from '../helpers/meta'
import { connectClient, startTestRelay, tempDir, waitFor, whenSynced } from '../helpers/relay'

;(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket

const stops: (() => unknown)[] = []
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop()
})

describe('background pulls of a busy note', () => {
  it('connect at most once every few seconds while another device types, and end with the final text', { timeout: 60_000 }, async () => {
    const connects = new Map<string, number>()
    const relay = await startTestRelay({ dataDir: tempDir(), hooks: { onConnect: ({ room }) => connects.set(room, (connects.get(room) ?? 0) + 1) } })
    const noteId = '20000000-0000-4000-8000-000000000001'
    await sendOps(relay.url, [op('note.create', noteId, { title: 'Busy', folderId: null, tags: [] })])

    // The watching device: catalog + feed (sync worker) + background content sync.
    const catalog = await Catalog.open({ name: 'watcher' })
    stops.push(() => catalog.close())
    const registry = new DocRegistry(Promise.resolve({ wsUrl: relay.wsUrl, token: null }), contentStateRecorder(catalog))
    const worker = new SyncWorker(catalog, new HttpTransport({ baseUrl: relay.url, token: null }), { events: null, feedWaitSeconds: 1 })
    worker.start()
    stops.push(() => worker.stop())
    const sync = new ContentSync(catalog, registry, worker.reach)
    sync.start()
    stops.push(() => sync.stop())
    await waitFor('the watcher knows the note', () => catalog.get('note', noteId) !== undefined)

    // The typing device: a stock client, a keystroke every 100 ms for 8 s.
    const typist = connectClient(relay.wsUrl, noteRoom(noteId))
    await whenSynced(typist.provider)
    const key = `default/${noteRoom(noteId)}`
    const before = connects.get(key) ?? 0 // the typist's own connection
    const fragment = typist.doc.getXmlFragment('default')
    const paragraph = new Y.XmlElement('paragraph')
    const text = new Y.XmlText()
    paragraph.insert(0, [text])
    fragment.insert(0, [paragraph])
    for (let i = 0; i < 80; i++) {
      text.insert(text.length, 'x')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const pulls = (connects.get(key) ?? 0) - before
    expect(pulls).toBeGreaterThan(0)
    expect(pulls).toBeLessThanOrEqual(3) // 8 s of typing, at most one pull per 5 s (+ the first)

    // Ground truth: what the watcher holds in IndexedDB is the final text.
    await waitFor(
      'the watcher has the final text',
      async () => (await registry.withLocalContent(noteRoom(noteId), (doc) => doc.getXmlFragment('default').toString())) === fragment.toString(),
      20_000,
    )
  })
})
