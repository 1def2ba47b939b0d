// Two windows of the same browser profile share one catalog in IndexedDB. Only one of them (the
// holder of the Web Lock `skein:sync-leader`) talks metadata to the relay; a change made in the
// other is seen by the first at once and reaches the relay through it. When the leader closes,
// the other window takes over.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { launchBrowser, openDevice, pageErrors, type Device } from '../helpers/browser'
import { WAIT, assertClientBuilt, createNote, noteTitles, waitForConnection } from './app'
import { startE2eRelay, type E2eRelay } from './relay-fixture'

let relay: E2eRelay
let browser: Browser
let first: Device
let other: Device

beforeAll(async () => {
  assertClientBuilt()
  relay = await startE2eRelay()
  browser = await launchBrowser()
  first = await openDevice(browser, relay.url)
  other = await openDevice(browser, relay.url)
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await relay?.close()
})

const opsApplied = async (): Promise<number> => {
  const text = await (await fetch(`http://127.0.0.1:${relay.port}/metrics`)).text()
  return Number(/^skein_meta_ops_total\{status="applied"\} (\d+)/m.exec(text)?.[1] ?? 0)
}

describe('two windows of one profile', () => {
  it('share the catalog, send each change once through the window holding the lock, and hand over when it closes', { timeout: 180_000 }, async () => {
    await waitForConnection(first.page, 'All synced')
    // The second window of the same profile: same origin, same IndexedDB, same Web Locks.
    const second = await first.context.newPage()
    await second.goto(relay.url)
    await waitForConnection(second, 'All synced')

    await createNote(second)
    await second.getByRole('textbox', { name: 'Title' }).fill('From the second window')
    await second.getByRole('textbox', { name: 'Title' }).press('Enter')
    await expect.poll(() => noteTitles(first.page), WAIT).toEqual(['From the second window'])
    await waitForConnection(second, 'All synced')
    await waitForConnection(first.page, 'All synced')
    // Create + rename, each applied once, whichever window sent them.
    await expect.poll(opsApplied, WAIT).toBe(2)
    await expect.poll(() => noteTitles(other.page), WAIT).toEqual(['From the second window'])

    // The leader goes away; the remaining window takes over sending.
    await first.page.close()
    await createNote(second)
    // Named, so it is no empty draft (those stay on this device).
    await second.getByRole('textbox', { name: 'Title' }).fill('After the handover')
    await second.getByRole('textbox', { name: 'Title' }).press('Enter')
    await expect.poll(opsApplied, WAIT).toBe(4)
    await expect.poll(() => noteTitles(other.page), WAIT).toEqual(['After the handover', 'From the second window'])
    expect(pageErrors(other)).toEqual([])
  })
})
