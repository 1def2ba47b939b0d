// Chaos: two real Chromium devices co-edit one note while device A's network misbehaves through a
// TCP proxy in front of the relay — frozen half-open, cut, slow and jittery, refusing new
// connections, or simply offline for a while — or the relay process itself is SIGKILLed and
// restarted, in a seeded random order. Both devices keep typing
// throughout. In cluster mode (the e2e-cluster project) each device is on its own relay of a
// cluster, and the SIGKILL fault kills device A's relay only. After each fault:
// - the text converges within 10 s of the network returning, with every word either device typed;
// - the truth audit (truth-audit.ts) holds for both devices, sampled during the fault and after.
// `npm test` runs a short schedule; `npm run chaos` runs the long one (SKEIN_CHAOS_ROUNDS, and the
// 60 s and 5 min offline spells). The seed is printed; SKEIN_SEED replays a schedule.

import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { pageErrors } from '../helpers/browser'
import { prng, testSeed } from '../helpers/prng'
import { ONLINE, WAIT, caretToEnd, createNote, editor, editorText, noteTitles, openNote, waitForConnection } from './app'
import { CLUSTER, twoDevicesPerFile } from './relay-fixture'
import { auditTruth } from './truth-audit'

const LONG = process.env.SKEIN_CHAOS === 'long'
const ROUNDS = Number(process.env.SKEIN_CHAOS_ROUNDS ?? (LONG ? 12 : 4))
const seed = testSeed()
const random = prng(seed)
const { a, b, proxy, relay, relayProcess } = twoDevicesPerFile({ cuttable: 'a', relayProcess: true })

type Fault = { name: string; start(): void | Promise<void>; end(): void | Promise<void>; lastsMs: number }

function faults(): Fault[] {
  const base: Fault[] = [
    { name: 'half-open (frozen) connections', start: () => proxy.freeze(), end: () => proxy.thaw(), lastsMs: 12_000 },
    { name: 'network cut for 2 s', start: () => proxy.cut(), end: () => proxy.restore(), lastsMs: 2_000 },
    { name: 'latency 150 ms ± 150 ms', start: () => proxy.setDelay({ latencyMs: 150, jitterMs: 150 }), end: () => proxy.setDelay({}), lastsMs: 8_000 },
    {
      name: 'cut, then new connections refused',
      start: () => {
        proxy.cut()
        proxy.restore()
        proxy.dropNew(true)
      },
      end: () => proxy.dropNew(false),
      lastsMs: 6_000,
    },
    { name: 'slow handshakes (1 s)', start: () => proxy.setDelay({ connectMs: 1_000 }), end: () => proxy.setDelay({}), lastsMs: 8_000 },
    // Both devices lose the relay mid-write; what it acknowledged before dying must be in its files.
    // In cluster mode only A loses its relay, and comes back to one that must catch up with what B
    // wrote through the other relay meanwhile.
    { name: `${CLUSTER ? "A's relay" : 'relay'} killed (SIGKILL), restarted 4 s later`, start: () => relayProcess.kill(), end: () => relayProcess.restart(), lastsMs: 4_000 },
  ]
  if (LONG) {
    base.push({ name: 'offline for 60 s', start: () => proxy.cut(), end: () => proxy.restore(), lastsMs: 60_000 })
    base.push({ name: 'offline for 5 min', start: () => proxy.cut(), end: () => proxy.restore(), lastsMs: 300_000 })
  }
  return base
}

/**
 * Types a word at the start (A) or the end (B) of the note: two writers in different places, so
 * neither caret moves under the other's text while it types.
 */
async function typeWord(page: Page, word: string, where: 'start' | 'end'): Promise<void> {
  await editor(page).click()
  await page.keyboard.press(where === 'start' ? 'ControlOrMeta+Home' : 'ControlOrMeta+End')
  await page.keyboard.type(where === 'start' ? `${word} ` : ` ${word}`)
}

describe(`chaos (seed ${seed}; replay with SKEIN_SEED=${seed})`, () => {
  it(`${ROUNDS} random network faults while both devices type: converges within 10 s each time, and every claim holds`, { timeout: LONG ? 3_600_000 : 600_000 }, async () => {
    console.log(`chaos seed ${seed}`)
    await waitForConnection(a.page, ONLINE)
    await waitForConnection(b.page, ONLINE)
    await createNote(a.page)
    await caretToEnd(a.page)
    await a.page.keyboard.type('start')
    await expect.poll(() => noteTitles(b.page), WAIT).toContain('start')
    await openNote(b.page, 'start')
    await expect.poll(() => editorText(b.page), WAIT).toContain('start')

    const typed: string[] = ['start']
    const falseClaims: string[] = []
    const figures: string[] = []
    const all = faults()
    for (let round = 0; round < ROUNDS; round++) {
      const fault = random.pick(all)
      console.log(`round ${round}: ${fault.name}`)
      await fault.start()
      const until = Date.now() + fault.lastsMs
      let n = 0
      while (Date.now() < until) {
        for (const [device, who, where] of [[a, 'a', 'start'], [b, 'b', 'end']] as const) {
          const word = `${who}${round}x${n++}`
          await typeWord(device.page, word, where)
          typed.push(word)
        }
        falseClaims.push(...(await auditTruth(a, relay, `A during ${fault.name}`)), ...(await auditTruth(b, relay, `B during ${fault.name}`)))
        await new Promise((resolve) => setTimeout(resolve, Math.min(1_500, Math.max(0, until - Date.now()))))
      }
      await fault.end()
      const back = Date.now()
      const converged = async (): Promise<boolean> => {
        const [ta, tb] = await Promise.all([editorText(a.page), editorText(b.page)])
        return ta === tb && typed.every((word) => ta.includes(word))
      }
      const ok = await expect
        .poll(converged, { timeout: 10_000, interval: 100 })
        .toBe(true)
        .then(() => true, () => false)
      if (!ok) {
        const [ta, tb] = await Promise.all([editorText(a.page), editorText(b.page)])
        throw new Error(`round ${round} (${fault.name}): not converged 10 s after the network returned.\nmissing on A: ${typed.filter((w) => !ta.includes(w)).join(' ')}\nmissing on B: ${typed.filter((w) => !tb.includes(w)).join(' ')}\nstatus A: ${await a.page.getByRole('status', { name: 'Sync status' }).textContent()}`)
      }
      figures.push(`${fault.name}: converged ${Date.now() - back} ms after the network returned`)
      await waitForConnection(a.page, 'All synced')
      falseClaims.push(...(await auditTruth(a, relay, `A after ${fault.name}`)), ...(await auditTruth(b, relay, `B after ${fault.name}`)))
    }
    console.log(figures.join('\n'))
    expect(falseClaims).toEqual([])
    expect([...pageErrors(a), ...pageErrors(b)]).toEqual([])
  })
})
