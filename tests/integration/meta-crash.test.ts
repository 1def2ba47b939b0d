import { describe, expect, it } from 'vitest'
import type { MetaOp, OpResult } from '../../protocol/meta/types'
import { freePort, tempDir } from '../helpers/relay'
import { startRelayProcess } from '../helpers/relay-process'
import { allChanges, op, postOps, sendOps } from '../helpers/meta'
import { prng, testSeed } from '../helpers/prng'

describe('metadata crash safety', () => {
  const seed = testSeed()
  it(`applies every answered op exactly once through SIGKILLs: a repeat after restart gets the first answer (seed ${seed})`, async () => {
    const r = prng(seed)
    const dataDir = tempDir()
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    const answered = new Map<string, { op: MetaOp; result: OpResult }>()
    const unanswered: MetaOp[] = []

    for (let round = 0; round < 3; round++) {
      const relay = startRelayProcess(port, dataDir)
      await relay.listening()
      // Send ops back to back; kill the relay at a random moment, often right after an answer.
      let stop = false
      const sending = (async () => {
        for (let i = 0; !stop; i++) {
          const id = `r${round}-n${i}`
          const batch = [op('note.create', id, { title: id, folderId: null, tags: [] }), op('note.tag', id, { tag: `t${i}` })]
          const res = await postOps(url, batch).catch(() => null)
          if (res?.status === 200) res.body.results.forEach((result, k) => answered.set(result.opId, { op: batch[k]!, result }))
          else unanswered.push(...batch)
        }
      })()
      await new Promise((resolve) => setTimeout(resolve, r.int(150, 500)))
      relay.child.kill('SIGKILL')
      await relay.exited
      stop = true
      await sending
    }
    expect(answered.size, 'nothing was answered before the kills').toBeGreaterThan(0)

    const relay = startRelayProcess(port, dataDir)
    await relay.listening()
    try {
      const ops = [...answered.values()].map((a) => a.op)
      for (let i = 0; i < ops.length; i += 200) {
        for (const repeat of await sendOps(url, ops.slice(i, i + 200))) {
          const first = answered.get(repeat.opId)!.result
          expect(repeat, `op ${repeat.opId} (seed ${seed})`).toMatchObject({ status: 'duplicate', original: { status: first.status, seq: first.seq } })
        }
      }
      // An op whose answer was lost may or may not have been applied, but never twice.
      for (const lost of unanswered) expect(['applied', 'duplicate']).toContain((await sendOps(url, [lost]))[0]!.status)
      const feed = new Map((await allChanges(url)).map((e) => [e.id, e.record]))
      for (const { op: sent, result } of answered.values()) {
        if (sent.kind !== 'note.tag') continue
        expect(feed.get(sent.entity), `record of ${sent.entity} (seed ${seed})`).toMatchObject({ tags: [sent.payload.tag] })
        expect(result.status).toBe('applied')
      }
    } finally {
      relay.child.kill('SIGTERM')
      await relay.exited
    }
  }, 90_000)
})
