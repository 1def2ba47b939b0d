import { describe, expect, it } from 'vitest'
import * as encoding from 'lib0/encoding'
import WebSocket from 'ws'
import { connectClient, startTestRelay, tempDir, waitFor, whenSynced } from '../helpers/relay'
import { prng, testSeed } from '../helpers/prng'

const MAX_MESSAGE_BYTES = 64 * 1024
/** Codes a hostile connection may be closed with; anything else (1011, 1006 from a crash) is a bug. */
const EXPECTED_CLOSES = new Set([1002, 1003, 1009, 4400, 4413, 4529])

type Rng = ReturnType<typeof prng>

function frame(write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder()
  write(e)
  return encoding.toUint8Array(e)
}

/** Frame generators: each is one kind of bad input from the list. */
const generators: Record<string, (r: Rng) => Uint8Array | string> = {
  randomBytes: (r) => r.bytes(r.int(0, 300)),
  truncatedVarint: (r) => Uint8Array.from({ length: r.int(1, 12) }, () => 0x80 | r.int(0, 127)),
  unknownType: (r) => frame((e) => { encoding.writeVarUint(e, r.pick([4, 5, 42, 99, 101, 2 ** 31])); encoding.writeUint8Array(e, r.bytes(r.int(0, 20))) }),
  textFrame: (r) => 'x'.repeat(r.int(0, 100)),
  oversized: (r) => r.bytes(MAX_MESSAGE_BYTES + r.int(1, 1000)),
  garbageUpdate: (r) => frame((e) => { encoding.writeVarUint(e, 0); encoding.writeVarUint(e, r.pick([1, 2])); encoding.writeVarUint8Array(e, r.bytes(r.int(1, 200))) }),
  garbageStateVector: (r) => frame((e) => { encoding.writeVarUint(e, 0); encoding.writeVarUint(e, 0); encoding.writeVarUint8Array(e, r.bytes(r.int(1, 50))) }),
  badSyncSubtype: (r) => frame((e) => { encoding.writeVarUint(e, 0); encoding.writeVarUint(e, r.int(3, 1000)); encoding.writeVarUint8Array(e, r.bytes(3)) }),
  lyingLength: (r) => frame((e) => { encoding.writeVarUint(e, 0); encoding.writeVarUint(e, 2); encoding.writeVarUint(e, 1_000_000 + r.int(0, 1000)); encoding.writeUint8Array(e, r.bytes(10)) }),
  garbageAwareness: (r) => frame((e) => { encoding.writeVarUint(e, 1); encoding.writeVarUint8Array(e, r.bytes(r.int(1, 100))) }),
  hugeAwarenessCount: () => frame((e) => { encoding.writeVarUint(e, 1); const inner = encoding.createEncoder(); encoding.writeVarUint(inner, 1_000_000); encoding.writeVarUint8Array(e, encoding.toUint8Array(inner)) }),
  spoofAwareness: (r) =>
    frame((e) => {
      const inner = encoding.createEncoder()
      encoding.writeVarUint(inner, 1)
      encoding.writeVarUint(inner, r.int(1, 2 ** 30))
      encoding.writeVarUint(inner, r.int(0, 1000))
      encoding.writeVarString(inner, r.pick(['{"user":{"name":"evil"}}', 'not json', 'null', '{}']))
      encoding.writeVarUint(e, 1)
      encoding.writeVarUint8Array(e, encoding.toUint8Array(inner))
    }),
}

describe('relay under a seeded storm of bad frames', () => {
  const seed = testSeed()
  it(`stays up and keeps well-behaved clients syncing (seed ${seed}; replay with SKEIN_SEED=${seed})`, async () => {
    const r = prng(seed)
    const relay = await startTestRelay({ dataDir: tempDir(), limits: { maxMessageBytes: MAX_MESSAGE_BYTES, messagesPerSecond: 200, messageBurst: 50 } })
    const a = connectClient(relay.wsUrl, 'note/target')
    const b = connectClient(relay.wsUrl, 'note/target')
    const other = connectClient(relay.wsUrl, 'note/bystander')
    await Promise.all([whenSynced(a.provider), whenSynced(b.provider), whenSynced(other.provider)])
    let goodCloses = 0
    for (const c of [a, b, other]) c.provider.on('connection-close', () => goodCloses++)

    const kinds = Object.keys(generators)
    const unexpected: string[] = []
    let framesSent = 0
    let typed = 0
    const BATCHES = 40
    for (let batch = 0; batch < BATCHES; batch++) {
      const sockets = await Promise.all(
        Array.from({ length: 15 }, async () => {
          const room = r.pick(['note/target', 'note/target', 'note/bystander', 'note/fuzz'])
          const ws = new WebSocket(`${relay.wsUrl}/${room}`)
          const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
          ws.on('error', () => undefined)
          await new Promise<void>((resolve) => { ws.once('open', () => resolve()); ws.once('close', () => resolve()) })
          return { ws, closed }
        }),
      )
      for (const { ws } of sockets) {
        const kind = r.pick(kinds)
        // A flood: many frames back to back, before the room is even loaded.
        const count = r.next() < 0.1 ? r.int(60, 150) : r.int(1, 4)
        for (let i = 0; i < count && ws.readyState === WebSocket.OPEN; i++) {
          ws.send(generators[kind]!(r))
          framesSent++
        }
      }
      // Good clients keep typing through the storm.
      a.text.insert(a.text.length, 'a')
      b.text.insert(0, 'b')
      other.text.insert(0, 'o')
      typed++
      const codes = await Promise.all(
        sockets.map(({ ws, closed }) =>
          Promise.race([closed, new Promise<number>((resolve) => setTimeout(() => { ws.terminate(); resolve(-1) }, 300))]),
        ),
      )
      for (const code of codes) if (code !== -1 && code !== 1006 && !EXPECTED_CLOSES.has(code)) unexpected.push(String(code))
    }

    expect(framesSent).toBeGreaterThan(2000)
    expect(unexpected, `unexpected close codes (seed ${seed})`).toEqual([])
    await waitFor(`good clients converge (seed ${seed})`, () => a.text.toString() === b.text.toString() && a.text.length === typed * 2, 20_000)
    await waitFor('bystander room intact', async () => (await relay.rooms.peek({ workspace: 'default', room: 'note/bystander' }))?.doc.getText('t').length === typed)
    expect(goodCloses, `well-behaved clients were disconnected (seed ${seed})`).toBe(0)
    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200)
  }, 120_000)
})
