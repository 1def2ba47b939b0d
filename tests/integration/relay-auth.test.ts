import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import WebSocket from 'ws'
import { AuthTable } from '../../server/auth'
import { SqliteStorage } from '../../server/storage/sqlite'
import { closeEvent, connectClient, startTestRelay, tempDir, waitFor, whenSynced } from '../helpers/relay'

const TOKENS = {
  aliceRw: 'alice-read-write-token-0001',
  bobRw: 'bob-read-write-token-000001',
  aliceRo: 'alice-read-only-token-00001',
}
const authJson = (tokens = TOKENS) =>
  JSON.stringify({
    tokens: [
      { token: tokens.aliceRw, workspace: 'alice', access: 'read-write' },
      { token: tokens.bobRw, workspace: 'bob', access: 'read-write' },
      { token: tokens.aliceRo, workspace: 'alice', access: 'read-only' },
    ],
  })

function socket(url: string, init?: { headers?: Record<string, string> }): WebSocket {
  return new WebSocket(url, init)
}

describe('relay auth', () => {
  it('closes a connection without a token, or with a wrong one, with 4401', async () => {
    const relay = await startTestRelay({ dataDir: tempDir(), auth: AuthTable.parse(authJson()) })
    for (const url of [`${relay.wsUrl}/note/x`, `${relay.wsUrl}/note/x?token=not-a-real-token-at-all`]) {
      const closed = await closeEvent(socket(url))
      expect(closed.code).toBe(4401)
    }
    expect(relay.rooms.loadedCount).toBe(0)
  })

  it('accepts the token as a query parameter or as a bearer header', async () => {
    const relay = await startTestRelay({ dataDir: tempDir(), auth: AuthTable.parse(authJson()) })
    const a = connectClient(relay.wsUrl, 'note/x', new Y.Doc(), { params: { token: TOKENS.aliceRw } })
    await whenSynced(a.provider)
    const bearer = socket(`${relay.wsUrl}/note/x`, { headers: { authorization: `Bearer ${TOKENS.aliceRw}` } })
    const first = await new Promise<Buffer>((resolve) => bearer.once('message', (d: Buffer) => resolve(d)))
    expect(first[0]).toBe(0) // sync step 1 from the relay: authenticated
    bearer.close()
  })

  it('keeps workspaces apart: the same room name in two workspaces holds two documents', async () => {
    const relay = await startTestRelay({ dataDir: tempDir(), auth: AuthTable.parse(authJson()) })
    const alice = connectClient(relay.wsUrl, 'note/same', new Y.Doc(), { params: { token: TOKENS.aliceRw } })
    const bob = connectClient(relay.wsUrl, 'note/same', new Y.Doc(), { params: { token: TOKENS.bobRw } })
    await Promise.all([whenSynced(alice.provider), whenSynced(bob.provider)])
    alice.text.insert(0, 'alice secret')
    bob.text.insert(0, 'bob secret')
    await waitFor('both stored', async () => (await relay.rooms.peek({ workspace: 'alice', room: 'note/same' }))?.doc.getText('t').length === 12)
    const bobLate = connectClient(relay.wsUrl, 'note/same', new Y.Doc(), { params: { token: TOKENS.bobRw } })
    await whenSynced(bobLate.provider)
    await waitFor('bob sees his text', () => bobLate.text.toString() === 'bob secret')
    expect(alice.text.toString()).toBe('alice secret')
    expect(bob.text.toString()).toBe('bob secret')
  })

  it('lets a read-only connection read and see presence, but never applies, stores or broadcasts its edits', async () => {
    const dataDir = tempDir()
    const relay = await startTestRelay({ dataDir, auth: AuthTable.parse(authJson()) })
    const writer = connectClient(relay.wsUrl, 'note/ro', new Y.Doc(), { params: { token: TOKENS.aliceRw } })
    await whenSynced(writer.provider)
    writer.text.insert(0, 'published')
    writer.provider.awareness.setLocalStateField('user', { name: 'Writer' })

    const viewer = connectClient(relay.wsUrl, 'note/ro', new Y.Doc(), { params: { token: TOKENS.aliceRo } })
    await whenSynced(viewer.provider)
    await waitFor('viewer reads the text', () => viewer.text.toString() === 'published')
    await waitFor('viewer sees presence', () => viewer.provider.awareness.getStates().has(writer.doc.clientID))

    viewer.text.insert(0, 'vandalism ')
    writer.text.insert(writer.text.length, '!')
    await waitFor('writer edit reaches viewer', () => viewer.text.toString().endsWith('published!'))
    const room = await relay.rooms.peek({ workspace: 'alice', room: 'note/ro' })
    expect(room?.doc.getText('t').toString()).toBe('published!')
    expect(writer.text.toString()).toBe('published!')

    await relay.close()
    const storage = new SqliteStorage(dataDir)
    const stored = new Y.Doc()
    Y.applyUpdate(stored, (await storage.load({ workspace: 'alice', room: 'note/ro' }))!)
    await storage.close()
    expect(stored.getText('t').toString()).toBe('published!')
  })

  it('closes the open connections of a revoked token with 4401 when the table is swapped', async () => {
    const relay = await startTestRelay({ dataDir: tempDir(), auth: AuthTable.parse(authJson()) })
    const bob = connectClient(relay.wsUrl, 'note/x', new Y.Doc(), { params: { token: TOKENS.bobRw } })
    const alice = connectClient(relay.wsUrl, 'note/x', new Y.Doc(), { params: { token: TOKENS.aliceRw } })
    await Promise.all([whenSynced(bob.provider), whenSynced(alice.provider)])
    const closes: number[] = []
    bob.provider.on('connection-close', (e: CloseEvent | null) => e && closes.push(e.code))
    bob.provider.shouldConnect = false

    relay.setAuth(AuthTable.parse(JSON.stringify({ tokens: [{ token: TOKENS.aliceRw, workspace: 'alice', access: 'read-write' }] })))
    await waitFor('bob closed', () => closes.length > 0)
    expect(closes[0]).toBe(4401)
    expect(alice.provider.wsconnected).toBe(true)
  })

  it('rejects malformed auth files with a precise message', () => {
    expect(() => AuthTable.parse('{')).toThrow(/not valid JSON/)
    expect(() => AuthTable.parse(JSON.stringify({ tokens: [{ token: 'short', workspace: 'a', access: 'read-write' }] }))).toThrow(/at least 16/)
    expect(() => AuthTable.parse(JSON.stringify({ tokens: [{ token: 'x'.repeat(20), workspace: 'a/b', access: 'read-write' }] }))).toThrow(/workspace/)
    expect(() => AuthTable.parse(JSON.stringify({ tokens: [{ token: 'x'.repeat(20), workspace: 'a', access: 'admin' }] }))).toThrow(/access/)
  })
})
