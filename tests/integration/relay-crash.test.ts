import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { trackStoredAcks } from '../../renderer/sync/stored-acks'
import { connectClient, tempDir, whenSynced, freePort } from '../helpers/relay'
import { prng, testSeed } from '../helpers/prng'
import { startRelayProcess } from '../helpers/relay-process'

describe('relay crash safety', () => {
  const seed = testSeed()
  it(`keeps every acknowledged update through repeated SIGKILLs under load (seed ${seed})`, async () => {
    const r = prng(seed)
    const dataDir = tempDir()
    const port = await freePort()
    const wsUrl = `ws://127.0.0.1:${port}`
    /** For each writer: its client id, room, and the highest clock the relay acknowledged. */
    const acked: { clientId: number; room: string; clock: number }[] = []

    for (let round = 0; round < 5; round++) {
      const relay = startRelayProcess(port, dataDir)
      await relay.listening()
      const writers = Array.from({ length: 6 }, (_, i) => {
        const room = `note/crash-${i % 3}`
        const client = connectClient(wsUrl, room, new Y.Doc())
        const record = { clientId: client.doc.clientID, room, clock: 0 }
        acked.push(record)
        trackStoredAcks(client.provider, (sv) => {
          record.clock = Math.max(record.clock, Y.decodeStateVector(sv).get(record.clientId) ?? 0)
        })
        return client
      })
      await Promise.all(writers.map((w) => whenSynced(w.provider)))
      // Type continuously, then kill the relay mid-stream at a random moment.
      const typing = setInterval(() => {
        for (const w of writers) w.text.insert(w.text.length, 'k')
      }, 2)
      await new Promise((resolve) => setTimeout(resolve, r.int(200, 700)))
      relay.child.kill('SIGKILL')
      await relay.exited
      clearInterval(typing)
      for (const w of writers) w.provider.destroy()
      expect(acked.slice(-6).some((a) => a.clock > 0), `round ${round}: nothing was acknowledged before the kill`).toBe(true)
    }

    const relay = startRelayProcess(port, dataDir)
    await relay.listening()
    try {
      for (const room of new Set(acked.map((a) => a.room))) {
        const reader = connectClient(wsUrl, room, new Y.Doc())
        await whenSynced(reader.provider)
        const stored = Y.decodeStateVector(Y.encodeStateVector(reader.doc))
        for (const a of acked.filter((x) => x.room === room)) {
          expect(stored.get(a.clientId) ?? 0, `client ${a.clientId} in ${room}: acked ${a.clock} (seed ${seed})`).toBeGreaterThanOrEqual(a.clock)
        }
      }
    } finally {
      relay.child.kill('SIGTERM')
      await relay.exited
    }
  }, 90_000)
})
