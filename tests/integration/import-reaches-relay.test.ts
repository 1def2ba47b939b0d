// Imported notes reach the relay even when their connection is slow to open. The import writes a
// note's content before the note's provider exists and lets go of the note well before a slow
// handshake completes; the note must still be marked as not on the relay, durably, and background
// sync must then get it there. Checked against ground truth: a stock y-websocket client straight
// to the relay reads every note's text.

import 'fake-indexeddb/auto'
import { describe, expect, it, afterEach } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { noteRoom } from '../../protocol/rooms'
import { Catalog } from '../../renderer/catalog/catalog'
import type { RelayReach } from '../../renderer/catalog/sync-worker'
import { ContentSync } from '../../renderer/sync/content-sync'
import { DocRegistry } from '../../renderer/sync/doc-registry'
import { ValueStore } from '../../renderer/sync/store'
import { importMarkdown, type ImportFile } from '../../renderer/transfer/import'
import { writeNoteContent } from '../../renderer/transfer/note-content'
import { importTargetOf } from '../../renderer/transfer/workspace-transfer'
import { contentStateRecorder } from '../../renderer/workspace'
import { connectClient, startTestRelay, tempDir, waitFor, whenSynced } from '../helpers/relay'
import { startTcpProxy } from '../helpers/tcp-proxy'

// y-websocket's provider uses the global WebSocket, which Node 20 does not have.
;(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket

let dbCount = 0
const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function device(wsUrl: string) {
  const catalog = await Catalog.open({ name: `catalog-${++dbCount}` })
  const registry = new DocRegistry(Promise.resolve({ wsUrl, token: null }), contentStateRecorder(catalog))
  cleanups.push(() => catalog.close())
  return { catalog, registry }
}

/** What a stock client straight to the relay reads from a note's room. */
async function textOnRelay(wsUrl: string, noteId: string): Promise<string> {
  const { doc, provider } = connectClient(wsUrl, noteRoom(noteId))
  await whenSynced(provider)
  const text = fragmentText(doc)
  provider.destroy()
  return text
}

function fragmentText(doc: Y.Doc): string {
  const out: string[] = []
  const visit = (node: Y.XmlElement | Y.XmlFragment | Y.XmlText): void => {
    if (node instanceof Y.XmlText) out.push(node.toString().replace(/<[^>]*>/g, ''))
    else for (const child of node.toArray()) visit(child as Y.XmlElement)
  }
  visit(doc.getXmlFragment('default'))
  return out.join('')
}

const files = (n: number): ImportFile[] =>
  Array.from({ length: n }, (_, i) => {
    const text = `# Imported ${i}\n\nBody of file number ${i} with word marker${i}x.\n`
    return { relativePath: `corpus/file-${String(i).padStart(3, '0')}.md`, size: text.length, read: () => Promise.resolve(text) }
  })

describe('imported notes and a slow relay handshake', () => {
  it('marks every imported note as not on the relay before the import lets go of it, and background sync stores them all', { timeout: 90_000 }, async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const proxy = await startTcpProxy(relay.port)
    cleanups.push(() => proxy.close())
    proxy.setDelay({ connectMs: 400 }) // every handshake through the proxy is slow
    const proxied = `ws://127.0.0.1:${proxy.port}`
    const { catalog, registry } = await device(proxied)

    const summary = await importMarkdown(files(12), importTargetOf({ catalog, registry, reach: null, kick: () => {} }))
    expect(summary.imported).toHaveLength(12)
    // The durable mark, written before the import returned: every note waits for the relay, unless
    // (on a loaded machine, where the import outlasts a 400 ms handshake) the relay already stored it.
    const ids = summary.imported.map((f) => f.noteId)
    const reopened = await Catalog.open({ name: `catalog-${dbCount}` })
    cleanups.push(() => reopened.close())
    const unmarked = ids.filter((id) => reopened.get('note', id)?.contentDirty !== true)
    const unmarkedAndNotStored: string[] = []
    for (const id of unmarked) if (!(await textOnRelay(relay.wsUrl, id)).includes('marker')) unmarkedAndNotStored.push(id)
    expect(unmarkedAndNotStored).toEqual([])

    // Background sync (as the sync-leader window runs it) gets them to the relay.
    const reach = new ValueStore<RelayReach>({ state: 'online', since: null, error: null })
    const sync = new ContentSync(catalog, registry, reach, { concurrency: 3, timeoutMs: 20_000 })
    sync.start()
    cleanups.push(() => sync.stop())
    await waitFor('every imported note marked as on the relay', () => ids.every((id) => catalog.get('note', id)?.contentDirty === false), 60_000)

    // Ground truth: the relay has every note's text.
    for (const [i, id] of ids.entries()) expect(await textOnRelay(relay.wsUrl, id)).toContain(`marker${i}x`)
  })

  it('sends a note whose content is on this device but was never marked (mark lost in a crash)', { timeout: 60_000 }, async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const { catalog, registry } = await device(relay.wsUrl)
    const id = await catalog.createNote({ title: 'Lost mark' })

    // Content written straight to the note's IndexedDB copy, with no handle to report it: what a
    // crash between the content write and the catalog's mark leaves behind.
    const orphan = new DocRegistry(Promise.resolve(null))
    const handle = orphan.get(noteRoom(id))
    orphan.retain(handle)
    await handle.whenLoaded
    writeNoteContent(handle.doc, { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'only on this device' }] }] })
    await waitFor('saved locally', () => handle.localSave.get() === 'saved')
    orphan.release(handle)
    await waitFor('closed', () => handle.destroyed)
    await catalog.setContentDirty(id, false)
    expect(catalog.get('note', id)?.contentDirty).toBe(false)

    const reach = new ValueStore<RelayReach>({ state: 'online', since: null, error: null })
    const sync = new ContentSync(catalog, registry, reach)
    sync.start()
    cleanups.push(() => sync.stop())
    await waitFor('the note checked against the relay', () => catalog.get('note', id)?.contentChecked === true, 30_000)
    expect(await textOnRelay(relay.wsUrl, id)).toBe('only on this device')
  })
})
