// A laptop back from sleep reconnects on a new socket while the relay still holds its old one
// (half-open: nothing crosses it, nothing closes it). Its presence is for the same Yjs client id.
// The relay must not close the new connection over that; the device keeps syncing text and gets
// its presence back within 2 s, on an open relay (no token to tell the two sockets apart).

import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import { connectClient, startTestRelay, tempDir, waitFor, whenSynced } from '../helpers/relay'
import { startTcpProxy } from '../helpers/tcp-proxy'

const stops: (() => unknown)[] = []
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop()
})

function provider(url: string, room: string, doc: Y.Doc): { provider: WebsocketProvider; closes: number[] } {
  const p = new WebsocketProvider(url, room, doc, { WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, disableBc: true })
  const closes: number[] = []
  p.on('connection-close', (event) => {
    if (event) closes.push(event.code)
  })
  stops.push(() => p.destroy())
  return { provider: p, closes }
}

const nameOf = (states: Map<number, Record<string, unknown>>, id: number): string | undefined => (states.get(id)?.user as { name?: string } | undefined)?.name

describe('a device that reconnects while its old connection hangs half-open', () => {
  it('keeps syncing text both ways and gets its presence back within 2 s (stock clients, freezing proxy)', { timeout: 30_000 }, async () => {
    const refused: string[] = []
    const relay = await startTestRelay({ dataDir: tempDir(), hooks: { onPresenceRefused: ({ reason }) => refused.push(reason) } })
    const proxy = await startTcpProxy(relay.port)
    stops.push(() => proxy.close())
    const laptopDoc = new Y.Doc()
    const laptop = provider(`ws://127.0.0.1:${proxy.port}`, 'note/sleep', laptopDoc)
    laptop.provider.awareness.setLocalStateField('user', { name: 'Laptop before sleep' })
    const other = connectClient(relay.wsUrl, 'note/sleep')
    await Promise.all([whenSynced(laptop.provider), whenSynced(other.provider)])
    const id = laptopDoc.clientID
    await waitFor('the other device sees the laptop', () => nameOf(other.provider.awareness.getStates(), id) === 'Laptop before sleep')

    // Sleep: the old socket hangs half-open. The laptop wakes and connects again on a new one.
    proxy.freeze()
    laptop.provider.disconnect()
    laptop.provider.connect()
    await whenSynced(laptop.provider)
    const woke = performance.now()
    laptop.provider.awareness.setLocalStateField('user', { name: 'Laptop after sleep' })

    await waitFor('presence back on the other device', () => nameOf(other.provider.awareness.getStates(), id) === 'Laptop after sleep', 2_000)
    expect(performance.now() - woke).toBeLessThan(2_000)
    expect(refused.length).toBeGreaterThan(0) // it was disputed, and settled without a close
    expect(laptop.closes).toEqual([])

    // Text still merges both ways on the new connection.
    laptopDoc.getText('t').insert(0, 'from laptop ')
    other.text.insert(0, 'from other ')
    await waitFor('both have both', () => laptopDoc.getText('t').toString().includes('from other') && other.text.toString().includes('from laptop'))
    expect(laptop.provider.wsconnected).toBe(true)
  })

  it('still refuses a live connection that takes over another device\'s presence', { timeout: 30_000 }, async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const victimDoc = new Y.Doc()
    const victim = provider(relay.wsUrl, 'note/spoof', victimDoc)
    victim.provider.awareness.setLocalStateField('user', { name: 'Victim' })
    const watcher = connectClient(relay.wsUrl, 'note/spoof')
    await Promise.all([whenSynced(victim.provider), whenSynced(watcher.provider)])
    await waitFor('watcher sees victim', () => nameOf(watcher.provider.awareness.getStates(), victimDoc.clientID) === 'Victim')

    // A second doc posing as the victim's client id, on a live socket.
    const spoofDoc = new Y.Doc()
    spoofDoc.clientID = victimDoc.clientID
    const spoof = provider(relay.wsUrl, 'note/spoof', spoofDoc)
    await whenSynced(spoof.provider)
    spoof.provider.awareness.setLocalStateField('user', { name: 'Spoofed' })
    spoof.provider.awareness.setLocalStateField('user', { name: 'Spoofed again' })
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    expect(nameOf(watcher.provider.awareness.getStates(), victimDoc.clientID)).toBe('Victim')
    expect(victim.provider.wsconnected).toBe(true)
    expect(spoof.closes).toEqual([])
  })
})
