import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import { connect } from 'node:net'
import WebSocket from 'ws'
import { MemoryStorage } from '../../server/storage/memory'
import { encodeSyncUpdate } from '../../protocol/encode'
import { closeEvent, connectClient, rawSocket, startTestRelay, tempDir, waitFor, whenSynced } from '../helpers/relay'
import type { RoomId } from '../../server/room-id'
import { MemoryMetaStorage } from '../../server/meta/memory-store'
import { MemoryBlobStorage } from '../../server/blobs/memory'

function awarenessFrame(clientId: number, clock: number, state: unknown): Uint8Array {
  const inner = encoding.createEncoder()
  encoding.writeVarUint(inner, 1)
  encoding.writeVarUint(inner, clientId)
  encoding.writeVarUint(inner, clock)
  encoding.writeVarString(inner, JSON.stringify(state))
  const outer = encoding.createEncoder()
  encoding.writeVarUint(outer, 1)
  encoding.writeVarUint8Array(outer, encoding.toUint8Array(inner))
  return encoding.toUint8Array(outer)
}

function upgradeStatus(wsUrl: string, room: string): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${wsUrl}/${room}`)
    ws.once('open', () => {
      ws.close()
      resolve('open')
    })
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
    ws.once('error', () => undefined)
  })
}

describe('relay limits and hostile peers', () => {
  it('closes a connection that sends faster than its rate limit with 4529', async () => {
    const relay = await startTestRelay({ dataDir: tempDir(), limits: { messagesPerSecond: 10, messageBurst: 20 } })
    const ws = await rawSocket(relay.wsUrl, 'note/rate')
    const closed = closeEvent(ws)
    const query = new Uint8Array([3])
    for (let i = 0; i < 100; i++) ws.send(query)
    expect((await closed).code).toBe(4529)
  })

  it('closes a connection that floods before its room has loaded with 4529', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    class SlowStorage extends MemoryStorage {
      override async load(room: RoomId) {
        await gate
        return super.load(room)
      }
    }
    const relay = await startTestRelay({ storage: { docs: new SlowStorage(), meta: new MemoryMetaStorage(), blobs: new MemoryBlobStorage() }, limits: { maxQueuedFrames: 10 } })
    const ws = await rawSocket(relay.wsUrl, 'note/flood')
    const closed = closeEvent(ws)
    for (let i = 0; i < 50; i++) ws.send(new Uint8Array([3]))
    const { code } = await closed
    release()
    expect(code).toBe(4529)
  })

  it('closes a connection whose update would grow the document past the size limit with 4413, storing nothing of it', async () => {
    const relay = await startTestRelay({ dataDir: tempDir(), limits: { maxDocBytes: 4096 } })
    const ws = await rawSocket(relay.wsUrl, 'note/big')
    const closed = closeEvent(ws)
    const doc = new Y.Doc()
    doc.getText('t').insert(0, 'x'.repeat(10_000))
    ws.send(encodeSyncUpdate(Y.encodeStateAsUpdate(doc)))
    expect((await closed).code).toBe(4413)
    const room = await relay.rooms.peek({ workspace: 'default', room: 'note/big' })
    expect(room?.doc.getText('t').length ?? 0).toBe(0)
  })

  it('refuses connections past the per-IP limit with 429 and past the overall limit with 503', async () => {
    const perIp = await startTestRelay({ dataDir: tempDir(), limits: { maxConnectionsPerIp: 2 } })
    await rawSocket(perIp.wsUrl, 'note/a')
    await rawSocket(perIp.wsUrl, 'note/a')
    expect(await upgradeStatus(perIp.wsUrl, 'note/a')).toBe(429)

    const overall = await startTestRelay({ dataDir: tempDir(), limits: { maxConnections: 1 } })
    await rawSocket(overall.wsUrl, 'note/a')
    expect(await upgradeStatus(overall.wsUrl, 'note/a')).toBe(503)
  })

  it('answers an upgrade request with thousands of headers with 431 and keeps serving', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const response = await new Promise<string>((resolve) => {
      const socket = connect(relay.port, '127.0.0.1', () => {
        const headers = Array.from({ length: 5000 }, (_, i) => `x-h${i}: ${'v'.repeat(20)}`).join('\r\n')
        socket.write(`GET /note/a HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${headers}\r\n\r\n`)
      })
      let data = ''
      socket.on('data', (d) => (data += d.toString()))
      socket.on('close', () => resolve(data))
      socket.on('error', () => resolve(data))
    })
    expect(response).toMatch(/^HTTP\/1\.1 431/)
    const ok = connectClient(relay.wsUrl, 'note/a')
    await whenSynced(ok.provider)
  })

  it("drops and counts a change to another live client's presence, keeps the victim's presence, and closes nobody", async () => {
    const refused: string[] = []
    const relay = await startTestRelay({ dataDir: tempDir(), hooks: { onPresenceRefused: ({ reason }) => refused.push(reason) } })
    const victim = connectClient(relay.wsUrl, 'note/p')
    victim.provider.awareness.setLocalStateField('user', { name: 'Victim' })
    const watcher = connectClient(relay.wsUrl, 'note/p')
    await Promise.all([whenSynced(victim.provider), whenSynced(watcher.provider)])
    const victimId = victim.doc.clientID
    await waitFor('watcher sees victim', () => watcher.provider.awareness.getStates().has(victimId))

    const attacker = await rawSocket(relay.wsUrl, 'note/p')
    const clock = victim.provider.awareness.meta.get(victimId)!.clock
    attacker.send(awarenessFrame(victimId, clock + 5, { user: { name: 'Spoofed' } }))
    await waitFor('the spoof counted', () => refused.length === 1)
    // The victim answers the relay's liveness probe, so the retried spoof is refused again.
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    expect(refused).toEqual(['held-by-another', 'held-by-another'])
    expect(attacker.readyState).toBe(WebSocket.OPEN)
    expect(victim.provider.wsconnected).toBe(true)
    expect((watcher.provider.awareness.getStates().get(victimId) as { user: { name: string } }).user.name).toBe('Victim')
  })

  it('lets a stock client echo presence it received (same clock) without being closed', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const a = connectClient(relay.wsUrl, 'note/echo')
    a.provider.awareness.setLocalStateField('user', { name: 'A' })
    await whenSynced(a.provider)
    const echoer = await rawSocket(relay.wsUrl, 'note/echo')
    const clock = a.provider.awareness.meta.get(a.doc.clientID)!.clock
    echoer.send(awarenessFrame(a.doc.clientID, clock, { user: { name: 'A' } }))
    echoer.send(new Uint8Array([3]))
    const reply = await new Promise<Buffer>((resolve) => echoer.on('message', (d: Buffer) => d[0] === 1 && resolve(d)))
    expect(reply[0]).toBe(1)
    expect(echoer.readyState).toBe(WebSocket.OPEN)
  })

  it('unloads a room with no connections after the grace period, keeping its content', async () => {
    const relay = await startTestRelay({ dataDir: tempDir(), unloadAfterMs: 50 })
    const a = connectClient(relay.wsUrl, 'note/unload')
    await whenSynced(a.provider)
    a.text.insert(0, 'kept')
    await waitFor('stored', async () => (await relay.rooms.peek({ workspace: 'default', room: 'note/unload' }))?.doc.getText('t').toString() === 'kept')
    a.provider.destroy()
    await waitFor('room unloaded', () => relay.rooms.loadedCount === 0)
    const b = connectClient(relay.wsUrl, 'note/unload', new Y.Doc())
    await whenSynced(b.provider)
    await waitFor('content reloaded', () => b.text.toString() === 'kept')
  })
})
