// What the app says about a note's connection is what the network is doing: a connection that
// went half-open (laptop asleep, Wi-Fi switched) stops being "connected" within 10 s and comes
// back by itself; a relay's refusal is remembered and shown for the note even after its document
// closes, and "Retry now" really connects again. Real relay, real sockets, a freezing TCP proxy.

import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { noteRoom } from '../../protocol/rooms'
import { DocRegistry } from '../../renderer/sync/doc-registry'
import { connectClient, startTestRelay, tempDir, waitFor, whenSynced } from '../helpers/relay'
import { startTcpProxy } from '../helpers/tcp-proxy'

;(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket

const stops: (() => unknown)[] = []
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop()
})
let n = 0
const room = () => noteRoom(`10000000-0000-4000-8000-${String(++n).padStart(12, '0')}`)

describe('connection truth', () => {
  it('stops saying connected within 10 s of the path going half-open, reconnects by itself, and the edit made meanwhile reaches the relay', { timeout: 60_000 }, async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const proxy = await startTcpProxy(relay.port)
    stops.push(() => proxy.close())
    const registry = new DocRegistry(Promise.resolve({ wsUrl: `ws://127.0.0.1:${proxy.port}`, token: null }))
    const name = room()
    const handle = registry.get(name)
    registry.retain(handle)
    stops.push(() => registry.release(handle))
    await waitFor('connected', () => handle.connection.get() === 'connected')

    proxy.freeze()
    proxy.dropNew(true) // and the network is really gone: new connections fail too
    const frozenAt = Date.now()
    handle.doc.getText('t').insert(0, 'typed while asleep')
    await waitFor('no longer connected', () => handle.connection.get() !== 'connected', 10_000)
    const lag = Date.now() - frozenAt
    expect(lag).toBeLessThan(10_000)

    proxy.dropNew(false)
    await waitFor('connected again', () => handle.connection.get() === 'connected', 15_000)
    await waitFor('stored on the relay', () => handle.relayStore.get() === 'stored', 10_000)
    const other = connectClient(relay.wsUrl, name)
    await whenSynced(other.provider)
    await waitFor('the relay has it', () => other.text.toString() === 'typed while asleep')
  })

  it('remembers a refusal after the note closes, and Retry now connects again', { timeout: 60_000 }, async () => {
    let connects = 0
    const relay = await startTestRelay({ dataDir: tempDir(), limits: { maxDocBytes: 2_000 }, hooks: { onConnect: () => connects++ } })
    const registry = new DocRegistry(Promise.resolve({ wsUrl: relay.wsUrl, token: null }))
    const name = room()
    const handle = registry.get(name)
    registry.retain(handle)
    await handle.whenLoaded
    handle.doc.getText('t').insert(0, 'x'.repeat(5_000)) // more than the relay accepts
    await waitFor('refused as too large', () => registry.refusals.get().get(name) === 'too-large')
    expect(handle.connection.get()).toBe('too-large')

    const before = connects
    await new Promise((resolve) => setTimeout(resolve, 3_000))
    expect(connects).toBe(before) // a refusal is not retried in a loop
    registry.retryNow()
    await waitFor('a new connection', () => connects > before)
    await waitFor('refused again', () => handle.connection.get() === 'too-large')

    registry.release(handle)
    await waitFor('closed', () => handle.destroyed)
    expect(registry.refusals.get().get(name)).toBe('too-large')
  })
})
