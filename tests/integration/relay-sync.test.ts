import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { connectClient, startTestRelay, tempDir, waitFor, whenSynced } from '../helpers/relay'

describe('relay with stock y-websocket clients', () => {
  it('merges concurrent edits from two clients into the same text on both', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const a = connectClient(relay.wsUrl, 'note/a')
    const b = connectClient(relay.wsUrl, 'note/a')
    await Promise.all([whenSynced(a.provider), whenSynced(b.provider)])

    a.text.insert(0, 'hello ')
    b.text.insert(0, 'world ')
    await waitFor('both edits on both clients', () => a.text.length === 12 && b.text.length === 12)
    expect(a.text.toString()).toBe(b.text.toString())
    expect(a.text.toString()).toContain('hello ')
    expect(a.text.toString()).toContain('world ')
  })

  it('gives a client that joins later the full document', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const a = connectClient(relay.wsUrl, 'note/late')
    await whenSynced(a.provider)
    a.text.insert(0, 'written before you came')
    await waitFor('relay has the update', () => relay.rooms.loadedCount === 1)

    const b = connectClient(relay.wsUrl, 'note/late')
    await whenSynced(b.provider)
    await waitFor('late joiner has the text', () => b.text.toString() === 'written before you came')
  })

  it('keeps rooms apart: an edit in one room never reaches another', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const a = connectClient(relay.wsUrl, 'note/one')
    const b = connectClient(relay.wsUrl, 'note/two')
    const a2 = connectClient(relay.wsUrl, 'note/one')
    await Promise.all([whenSynced(a.provider), whenSynced(b.provider), whenSynced(a2.provider)])
    a.text.insert(0, 'only in one')
    await waitFor('same-room client sees it', () => a2.text.toString() === 'only in one')
    expect(b.text.toString()).toBe('')
  })

  it('relays presence and removes it when the client disconnects', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const a = connectClient(relay.wsUrl, 'note/presence')
    const b = connectClient(relay.wsUrl, 'note/presence')
    await Promise.all([whenSynced(a.provider), whenSynced(b.provider)])
    a.provider.awareness.setLocalStateField('user', { name: 'Ada' })
    const aId = a.doc.clientID
    await waitFor('b sees a', () => (b.provider.awareness.getStates().get(aId) as { user?: { name: string } })?.user?.name === 'Ada')

    a.provider.disconnect()
    await waitFor('a is gone from b', () => !b.provider.awareness.getStates().has(aId))
  })

  it('keeps every document across a relay restart', async () => {
    const dataDir = tempDir()
    const first = await startTestRelay({ dataDir })
    const a = connectClient(first.wsUrl, 'note/durable')
    await whenSynced(a.provider)
    for (let i = 0; i < 50; i++) a.text.insert(a.text.length, `${i},`)
    const expected = a.text.toString()
    await waitFor('relay doc has every edit', async () => (await first.rooms.peek({ workspace: 'default', room: 'note/durable' }))?.doc.getText('t').toString() === expected)
    a.provider.destroy()
    await first.close()

    const second = await startTestRelay({ dataDir })
    const fresh = connectClient(second.wsUrl, 'note/durable', new Y.Doc())
    await whenSynced(fresh.provider)
    await waitFor('restored text', () => fresh.text.toString() === expected)
  })
})

describe('relay fan-out batching', () => {
  it('sends updates that arrive in one turn as one merged frame, and nothing back to a lone sender', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const sender = connectClient(relay.wsUrl, 'note/batch')
    const receiver = connectClient(relay.wsUrl, 'note/batch')
    await Promise.all([whenSynced(sender.provider), whenSynced(receiver.provider)])
    let framesToSender = 0
    let framesToReceiver = 0
    sender.provider.ws!.addEventListener('message', () => framesToSender++)
    receiver.provider.ws!.addEventListener('message', () => framesToReceiver++)
    // Forty separate transactions flushed by the client in one burst arrive in one relay turn.
    for (let i = 0; i < 40; i++) sender.text.insert(sender.text.length, `${i % 10}`)
    await waitFor('receiver has all forty edits', () => receiver.text.length === 40)
    expect(receiver.text.toString()).toBe(sender.text.toString())
    expect(framesToReceiver).toBeLessThan(40)
    expect(framesToSender).toBe(0)
  })
})
