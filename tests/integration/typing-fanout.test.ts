// What one writer's typing costs the devices around it. Each keystroke reaches the relay and the
// other devices over the note's WebSocket; the metadata feed only says "this note's content
// changed", a few times a minute. So:
// - the typing device marks the note "not on the relay" once per burst, not twice per key;
// - a device with the note open and in step with the relay takes the feed's news without a
//   pull and in one catalog write; one without it open still pulls, so nothing is claimed early;
// - a feed page that changes nothing here re-renders nothing.
// Claims are checked against ground truth: what the relay stored, what the device's doc holds.

import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { noteRoom } from '../../protocol/rooms'
import { NOTE_FRAGMENT } from '../../protocol/notes'
import { Catalog } from '../../renderer/catalog/catalog'
import { SyncWorker } from '../../renderer/catalog/sync-worker'
import { HttpTransport } from '../../renderer/catalog/transport'
import { ACK_SETTLE_MS, DocRegistry, type DocHandle } from '../../renderer/sync/doc-registry'
import { contentStateRecorder, notesInStep } from '../../renderer/workspace'
import { op, sendOps } from '../helpers/meta'
import { connectClient, startTestRelay, tempDir, waitFor, whenSynced } from '../helpers/relay'
import { startTcpProxy } from '../helpers/tcp-proxy'

;(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket

const stops: (() => unknown)[] = []
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop()
})

let dbCount = 0
async function device(relay: { url: string; wsUrl: string }) {
  const catalog = await Catalog.open({ name: `fanout-${++dbCount}` })
  stops.push(() => catalog.close())
  const marks: boolean[] = []
  const record = contentStateRecorder(catalog)
  const registry = new DocRegistry(Promise.resolve({ wsUrl: relay.wsUrl, token: null }), (room, unacknowledged) => {
    marks.push(unacknowledged)
    return record(room, unacknowledged)
  })
  const worker = new SyncWorker(catalog, new HttpTransport({ baseUrl: relay.url, token: null }), { events: null, contentInStep: notesInStep(registry) })
  return { catalog, registry, worker, marks }
}

async function open(registry: DocRegistry, noteId: string): Promise<DocHandle> {
  const handle = registry.get(noteRoom(noteId))
  registry.retain(handle)
  stops.push(() => registry.release(handle))
  await handle.whenRelaySynced
  return handle
}

function typeInto(doc: Y.Doc, text: string): void {
  const fragment = doc.getXmlFragment(NOTE_FRAGMENT)
  if (fragment.length === 0) fragment.insert(0, [new Y.XmlElement('paragraph')])
  const paragraph = fragment.get(0) as Y.XmlElement
  if (paragraph.length === 0) paragraph.insert(0, [new Y.XmlText()])
  const t = paragraph.get(0) as Y.XmlText
  t.insert(t.length, text)
}

/** The relay, one device on it, and one note that device created and holds open. */
async function deviceWithOpenNote(noteId: string, title: string) {
  const relay = await startTestRelay({ dataDir: tempDir() })
  const dev = await device(relay)
  await dev.catalog.createNote({ id: noteId, title })
  return { relay, dev, handle: await open(dev.registry, noteId) }
}

const textOf = (doc: Y.Doc): string => ((doc.getXmlFragment(NOTE_FRAGMENT).get(0) as Y.XmlElement | undefined)?.get(0) as Y.XmlText | undefined)?.toString() ?? ''

describe('one device typing', () => {
  it('marks the note unacknowledged once per burst of keys, and clears it once the relay has stored them all', { timeout: 30_000 }, async () => {
    const noteId = '30000000-0000-4000-8000-000000000001'
    const { relay, dev: typist, handle } = await deviceWithOpenNote(noteId, 'Burst')

    for (let i = 0; i < 20; i++) {
      typeInto(handle.doc, 'k')
      await new Promise((resolve) => setTimeout(resolve, 60))
      // Every key is marked at once, in the catalog too: a crash now must not lose the mark.
      expect(typist.catalog.get('note', noteId)?.contentDirty).toBe(true)
    }
    await waitFor('the catalog says the note is on the relay', () => typist.catalog.get('note', noteId)?.contentDirty === false, 10_000)
    expect(typist.marks).toEqual([true, false])

    // Ground truth: the relay stored all 20 keys.
    const check = connectClient(relay.wsUrl, noteRoom(noteId))
    await whenSynced(check.provider)
    expect(textOf(check.doc)).toBe('k'.repeat(20))
  })

  it('records the acknowledgement at once when the note closes before it has settled', { timeout: 30_000 }, async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const noteId = '30000000-0000-4000-8000-000000000002'
    const typist = await device(relay)
    await typist.catalog.createNote({ id: noteId, title: 'Closing' })
    const handle = typist.registry.get(noteRoom(noteId))
    typist.registry.retain(handle)
    await handle.whenRelaySynced
    typeInto(handle.doc, 'written, then closed')
    await waitFor('stored on the relay', () => handle.relayStore.get() === 'stored')
    expect(typist.catalog.get('note', noteId)?.contentDirty).toBe(true) // settling
    await handle.destroy()
    await handle.whenMarked()
    await waitFor('the catalog says the note is on the relay', () => typist.catalog.get('note', noteId)?.contentDirty === false, ACK_SETTLE_MS / 2)
  })
})

describe('a device watching while another types', () => {
  it('with the note open and in step: takes the feed news without a pull, in one write; without it open: still behind until pulled', { timeout: 40_000 }, async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const shown = '30000000-0000-4000-8000-000000000003'
    const elsewhere = '30000000-0000-4000-8000-000000000004'
    await sendOps(relay.url, [op('note.create', shown, { title: 'Open here', folderId: null, tags: [] }), op('note.create', elsewhere, { title: 'Not open', folderId: null, tags: [] })])
    const watcher = await device(relay)
    await watcher.worker.pull()
    const watching = await open(watcher.registry, shown)
    let renders = 0
    stops.push(watcher.catalog.subscribe(() => renders++))

    const typist = connectClient(relay.wsUrl, noteRoom(shown))
    const other = connectClient(relay.wsUrl, noteRoom(elsewhere))
    await Promise.all([whenSynced(typist.provider), whenSynced(other.provider)])
    typeInto(typist.doc, 'typed elsewhere')
    typeInto(other.doc, 'typed in a note not open here')
    await waitFor('the watcher’s open doc has the text', () => textOf(watching.doc) === 'typed elsewhere')

    // The relay reports both content changes in its feed within a couple of seconds.
    await waitFor(
      'the feed reports both notes changed',
      async () => {
        await watcher.worker.pull()
        return (watcher.catalog.get('note', shown)?.contentSeq ?? 0) > 0 && (watcher.catalog.get('note', elsewhere)?.contentSeq ?? 0) > 0
      },
      10_000,
    )
    const open_ = watcher.catalog.get('note', shown)!
    expect(open_.contentPulled).toBe(open_.contentSeq) // in step: nothing to pull
    const closed = watcher.catalog.get('note', elsewhere)!
    expect(closed.contentPulled).toBeLessThan(closed.contentSeq) // not open here: it must be pulled

    // A page with nothing new re-renders nothing.
    const before = renders
    await watcher.worker.pull()
    await watcher.worker.pull()
    expect(renders).toBe(before)
  })

  it('does not count a note as in step when its connection has stopped answering', { timeout: 30_000 }, async () => {
    const { relay, handle } = await deviceWithOpenNote('30000000-0000-4000-8000-000000000005', 'Quiet')
    expect(await handle.confirmInSync()).toBe(true)
    // The relay goes away without closing the socket on this side's terms: no answer comes.
    await relay.close()
    expect(await handle.confirmInSync(500)).toBe(false)
  })

  it('gives up on the round trip as soon as the connection closes, rather than waiting it out', { timeout: 30_000 }, async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const proxy = await startTcpProxy(relay.port)
    stops.push(() => proxy.close())
    const dev = await device({ url: relay.url, wsUrl: `ws://127.0.0.1:${proxy.port}` })
    const noteId = '30000000-0000-4000-8000-000000000006'
    await dev.catalog.createNote({ id: noteId, title: 'Cut' })
    const handle = await open(dev.registry, noteId)
    proxy.freeze() // the request goes out, no answer comes back
    const answer = handle.confirmInSync(60_000)
    proxy.cut()
    expect(await answer).toBe(false)
  })
})
