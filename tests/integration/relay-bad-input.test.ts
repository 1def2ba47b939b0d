import { describe, expect, it } from 'vitest'
import * as encoding from 'lib0/encoding'
import { closeEvent, connectClient, rawSocket, startTestRelay, tempDir, waitFor, whenSynced } from '../helpers/relay'

describe('relay facing bad input', () => {
  it('closes a connection that sends a text frame with 1003 and keeps serving others', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const good = connectClient(relay.wsUrl, 'note/shared')
    const watcher = connectClient(relay.wsUrl, 'note/shared')
    await Promise.all([whenSynced(good.provider), whenSynced(watcher.provider)])

    const bad = await rawSocket(relay.wsUrl, 'note/shared')
    const closed = closeEvent(bad)
    bad.send('hello')
    expect((await closed).code).toBe(1003)

    good.text.insert(0, 'still fine')
    await waitFor('others keep syncing', () => watcher.text.toString() === 'still fine')
  })

  it('closes a connection that sends an unknown message type with 4400', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const bad = await rawSocket(relay.wsUrl, 'note/x')
    const closed = closeEvent(bad)
    const enc = encoding.createEncoder()
    encoding.writeVarUint(enc, 99)
    bad.send(encoding.toUint8Array(enc))
    const { code, reason } = await closed
    expect(code).toBe(4400)
    expect(reason).toMatch(/unknown message type 99/)
  })

  it('closes a connection that sends a truncated varint with 4400', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const bad = await rawSocket(relay.wsUrl, 'note/x')
    const closed = closeEvent(bad)
    bad.send(new Uint8Array([0x80, 0x80, 0x80]))
    expect((await closed).code).toBe(4400)
  })

  it('closes a connection whose frame exceeds the size cap with 1009', async () => {
    const relay = await startTestRelay({ dataDir: tempDir(), limits: { maxMessageBytes: 4096 } })
    const bad = await rawSocket(relay.wsUrl, 'note/x')
    const closed = closeEvent(bad)
    bad.send(new Uint8Array(8192))
    expect((await closed).code).toBe(1009)
  })

  it('refuses an upgrade whose path is not a valid room name with 400', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const err = await rawSocket(relay.wsUrl, 'note%2F..%2F..%2Fetc').then(
      () => null,
      (e: Error) => e,
    )
    expect(err?.message).toMatch(/400/)
  })

  it('answers health and readiness over HTTP', async () => {
    const relay = await startTestRelay({ dataDir: tempDir() })
    const health = await fetch(`${relay.url}/healthz`)
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok' })
    const ready = await fetch(`${relay.url}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ status: 'ready' })
  })
})
