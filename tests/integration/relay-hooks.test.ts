import { describe, expect, it } from 'vitest'
import type { RelayHookPayloads } from '../../server/hooks'
import { closeEvent, connectClient, rawSocket, startTestRelay, tempDir, waitFor, whenSynced } from '../helpers/relay'

describe('relay hooks', () => {
  it('calls embedder hooks with typed payloads for connect, persist, room lifecycle, reject and close', async () => {
    const seen: { [K in keyof RelayHookPayloads]?: RelayHookPayloads[K][] } = {}
    const record =
      <K extends keyof RelayHookPayloads>(name: K) =>
      (payload: RelayHookPayloads[K]) => {
        ;((seen[name] ??= []) as RelayHookPayloads[K][]).push(payload)
      }
    const relay = await startTestRelay({
      dataDir: tempDir(),
      unloadAfterMs: 20,
      hooks: {
        onConnect: record('onConnect'),
        onPersisted: record('onPersisted'),
        onRoomLoaded: record('onRoomLoaded'),
        onRoomUnloaded: record('onRoomUnloaded'),
        onReject: record('onReject'),
        onClose: record('onClose'),
      },
    })
    const a = connectClient(relay.wsUrl, 'note/h')
    await whenSynced(a.provider)
    a.text.insert(0, 'hi')
    await waitFor('persisted', () => (seen.onPersisted?.length ?? 0) > 0)
    const bad = await rawSocket(relay.wsUrl, 'note/h')
    const closed = closeEvent(bad)
    bad.send('text')
    await closed
    await rawSocket(relay.wsUrl, 'x%2F..').catch(() => undefined)
    a.provider.destroy()
    await waitFor('room unloaded', () => (seen.onRoomUnloaded?.length ?? 0) > 0)

    expect(seen.onConnect?.[0]).toMatchObject({ room: 'default/note/h', workspace: 'default', access: 'read-write', ip: '127.0.0.1' })
    expect(seen.onPersisted?.[0]).toMatchObject({ room: 'default/note/h', updates: 1 })
    expect(seen.onRoomLoaded).toEqual([{ room: 'default/note/h' }])
    expect(seen.onReject).toEqual([{ reason: 'invalid-room', ip: '127.0.0.1' }])
    expect(seen.onClose?.map((c) => c.code)).toContain(1003)
  })
})
