// A relay started with an auth file refuses a device without a valid token (close code 4401).
// The indicator must say so, not just "Offline", and the app keeps working locally.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { AuthTable } from '../../server/auth'
import { launchBrowser, openDevice, pageErrors } from '../helpers/browser'
import type { Device } from '../helpers/browser'
import { WAIT, assertClientBuilt, caretToEnd, connection, createNote, noteTitles, waitForConnection } from './app'
import { startE2eRelay } from './relay-fixture'
import type { E2eRelay } from './relay-fixture'

let relay: E2eRelay
let browser: Browser
let device: Device

beforeAll(async () => {
  assertClientBuilt()
  const auth = AuthTable.parse(JSON.stringify({ tokens: [{ token: 'a-token-this-device-does-not-have', workspace: 'team', access: 'read-write' }] }))
  relay = await startE2eRelay({ auth })
  browser = await launchBrowser()
  device = await openDevice(browser, relay.url)
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await relay?.close()
})

describe('relay that requires a token', () => {
  it('shows that the relay refused this device, distinct from offline, and still lets it write locally', { timeout: 120_000 }, async () => {
    const { page } = device
    await waitForConnection(page, 'Relay refused this device')
    await createNote(page)
    await caretToEnd(page)
    await page.keyboard.type('Still works locally')
    await expect.poll(() => noteTitles(page), WAIT).toEqual(['Still works locally'])
    // It stays refused (no reconnect loop flipping it to Connecting… or Offline).
    await page.waitForTimeout(1500)
    expect(await connection(page).textContent()).toBe('Relay refused this device')
    expect(pageErrors(device)).toEqual([])
  })

  it('says clearly when a token is wrong, and once the right one is saved, sends what waited', { timeout: 120_000 }, async () => {
    const { page } = device
    await page.getByRole('button', { name: 'Settings' }).click()
    const settings = page.getByRole('dialog', { name: 'Settings' })
    const token = settings.getByLabel('Workspace token')
    await token.fill('a-wrong-token-0123456789')
    await settings.getByRole('button', { name: 'Test Connection' }).click()
    await expect.poll(() => settings.getByRole('status', { name: 'Connection test' }).textContent(), WAIT).toMatch(/refused this token/i)

    await token.fill('a-token-this-device-does-not-have')
    await settings.getByRole('button', { name: 'Test Connection' }).click()
    await expect.poll(() => settings.getByRole('status', { name: 'Connection test' }).textContent(), WAIT).not.toMatch(/refused/i)
    await settings.getByRole('button', { name: 'Save' }).click() // reloads the app with the token
    // The note written while refused reaches the relay by itself, and the text with it.
    await waitForConnection(page, 'All synced')
    expect(await noteTitles(page)).toEqual(['Still works locally'])
    const feed = async (): Promise<unknown> => {
      const response = await fetch(`${relay.url}v1/changes?since=0`, { headers: { authorization: 'Bearer a-token-this-device-does-not-have' } })
      const body = (await response.json()) as { entries: { record: { title: string } | null; contentSeq: number }[] }
      return body.entries.map((e) => [e.record?.title, e.contentSeq > 0])
    }
    // The relay records content changes in its feed a moment after storing them.
    await expect.poll(feed, WAIT).toEqual([['Still works locally', true]])
  })
})
