// When the operating system says the network is gone (Chromium's own offline switch, as when
// Wi-Fi is turned off), the status line must stop saying the work is synced within about 2 s,
// not after a socket timeout; and typing meanwhile must say it is only on this device.

import { describe, expect, it } from 'vitest'
import { pageErrors } from '../helpers/browser'
import { OFFLINE, WAIT, caretToEnd, connection, createNote, saveStatus, waitForConnection } from './app'
import { oneDevicePerFile } from './relay-fixture'
import { auditTruth } from './truth-audit'

const { relay, device } = oneDevicePerFile()

describe('the browser going offline', () => {
  it('turns the status to offline within 2 s, says new typing is only on this device, and syncs it when the network returns', { timeout: 120_000 }, async () => {
    const { page, context } = device
    await createNote(page)
    await caretToEnd(page)
    await page.keyboard.type('Written online')
    await waitForConnection(page, 'All synced')
    await expect.poll(() => saveStatus(page).textContent(), WAIT).toBe('On the relay')

    await context.setOffline(true)
    const cut = Date.now()
    await expect.poll(() => connection(page).textContent(), { timeout: 10_000, interval: 50 }).toMatch(OFFLINE)
    const tookMs = Date.now() - cut
    console.log(`status showed offline ${tookMs} ms after the browser went offline`)
    expect(tookMs).toBeLessThan(2_500)

    await page.keyboard.type(', then offline')
    await expect.poll(() => saveStatus(page).textContent(), WAIT).toBe('Saved on this device · offline')
    await waitForConnection(page, /^Offline since \d\d:\d\d · 1 pending$/)
    expect(await auditTruth(device, relay, 'offline')).toEqual([])

    await context.setOffline(false)
    await waitForConnection(page, 'All synced')
    await expect.poll(() => saveStatus(page).textContent(), WAIT).toBe('On the relay')
    expect(await auditTruth(device, relay, 'back online')).toEqual([])
    expect(pageErrors(device)).toEqual([])
  })
})
