// Metadata across two Chromium devices through the real relay: offline changes that reconcile,
// concurrent renames that ask a person, and a relay that dies mid-sync and comes back. A talks to
// the relay directly; B goes through a TCP proxy that can be cut (B offline).

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { startRelay, type Relay } from '../../server/relay'
import { launchBrowser, openDevice, pageErrors, type Device } from '../helpers/browser'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy'
import { CLIENT_DIR, WAIT, assertClientBuilt, createNote, noteTitles, openNote, saveStatus, sidebar, trashTitles, closeTrash, waitForConnection } from './app'
import { goOffline, openSyncDetails, renameOpenNote, trashOpenNote, typeAtEnd, writeNewNote } from './choreography'

let dataDir: string
let port: number
let relay: Relay | null
let proxy: TcpProxy
let browser: Browser
let a: Device
let b: Device

const startOn = (p: number): Promise<Relay> => startRelay({ host: '127.0.0.1', port: p, dataDir, staticDir: CLIENT_DIR })

beforeAll(async () => {
  assertClientBuilt()
  dataDir = mkdtempSync(join(tmpdir(), 'skein-e2e-meta-'))
  relay = await startOn(0)
  port = relay.port
  proxy = await startTcpProxy(port)
  browser = await launchBrowser()
  a = await openDevice(browser, `http://127.0.0.1:${port}/`)
  b = await openDevice(browser, `http://127.0.0.1:${proxy.port}/`)
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await proxy?.close()
  await relay?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

const ALL_SYNCED = 'All synced'

async function createFolder(page: Page, name: string): Promise<void> {
  await sidebar(page).getByRole('button', { name: 'New folder' }).click()
  const dialog = page.getByRole('dialog', { name: 'New folder' })
  await dialog.getByRole('textbox', { name: 'Name' }).fill(name)
  await dialog.getByRole('button', { name: 'Create' }).click()
  await dialog.waitFor({ state: 'detached', ...WAIT })
}

/** Titles of the notes in a folder, as its filter shows them. */
async function titlesInFolder(page: Page, folder: string): Promise<string[]> {
  await sidebar(page).getByRole('button', { name: `Folder ${folder}`, exact: true }).click()
  const titles = await noteTitles(page)
  await sidebar(page).getByRole('button', { name: 'All notes' }).click()
  return titles
}

async function noteSyncState(page: Page, title: string): Promise<string | null> {
  return page.getByRole('list', { name: 'Notes' }).getByRole('listitem', { name: title, exact: true }).getAttribute('data-sync')
}

/** Whether leaving the page now raises Chromium's "Leave site?" question. */
function wouldWarnOnLeave(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const event = new Event('beforeunload', { cancelable: true })
    window.dispatchEvent(event)
    return event.defaultPrevented
  })
}

describe('metadata sync between two devices', () => {
  it('offline rename, move and trash on one device reach the other on reconnect, and both show synced', { timeout: 240_000 }, async () => {
    await writeNewNote(a.page, 'Groceries')
    await renameOpenNote(a.page, 'Groceries')
    await createNote(a.page)
    await renameOpenNote(a.page, 'Old draft')
    await createFolder(a.page, 'Home')
    await expect.poll(() => noteTitles(b.page), WAIT).toEqual(['Old draft', 'Groceries'])
    await waitForConnection(b.page, ALL_SYNCED)

    await goOffline(proxy, b.page)
    await openNote(b.page, 'Groceries')
    await renameOpenNote(b.page, 'Weekly groceries')
    await b.page.getByRole('combobox', { name: 'Folder' }).selectOption({ label: 'Home' })
    await openNote(b.page, 'Old draft')
    await trashOpenNote(b.page)
    // Truthful while offline: three changes wait, and the note says it is only on this device.
    await waitForConnection(b.page, /^Offline since \d\d:\d\d · 3 pending$/)
    expect(await noteSyncState(b.page, 'Weekly groceries')).toBe('offline')
    expect(await noteTitles(a.page)).toEqual(['Old draft', 'Groceries'])

    proxy.restore()
    await waitForConnection(b.page, ALL_SYNCED)
    await waitForConnection(a.page, ALL_SYNCED)
    for (const page of [a.page, b.page]) {
      await expect.poll(() => noteTitles(page), WAIT).toEqual(['Weekly groceries'])
      expect(await titlesInFolder(page, 'Home')).toEqual(['Weekly groceries'])
      expect(await trashTitles(page)).toEqual(['Old draft'])
      await closeTrash(page)
      await expect.poll(() => noteSyncState(page, 'Weekly groceries'), WAIT).toBe('on-relay')
    }
    expect([...pageErrors(a), ...pageErrors(b)]).toEqual([])
  })

  it('concurrent renames show as conflicted on both devices; one resolves and both converge', { timeout: 240_000 }, async () => {
    await openNote(a.page, 'Weekly groceries')
    await openNote(b.page, 'Weekly groceries')
    await goOffline(proxy, b.page)
    await renameOpenNote(a.page, 'Groceries for the week')
    await waitForConnection(a.page, ALL_SYNCED)
    await renameOpenNote(b.page, 'Shopping list')
    proxy.restore()

    for (const page of [a.page, b.page]) {
      await waitForConnection(page, '1 needs attention')
      await page.getByRole('alert', { name: 'Conflict notice' }).waitFor(WAIT)
      expect(await noteSyncState(page, await page.getByRole('textbox', { name: 'Title' }).inputValue())).toBe('conflicted')
    }
    // A reviews: both values, with who set them, in the relay's order.
    await a.page.getByRole('alert', { name: 'Conflict notice' }).getByRole('button', { name: 'Review' }).click()
    const review = a.page.getByRole('dialog', { name: 'Review changes' })
    const text = await review.textContent()
    expect(text).toContain('“Groceries for the week”')
    expect(text).toContain('“Shopping list”')
    await review.getByRole('button', { name: 'Keep theirs' }).click()
    await review.waitFor({ state: 'detached', ...WAIT })

    for (const page of [a.page, b.page]) {
      await waitForConnection(page, ALL_SYNCED)
      await expect.poll(() => noteTitles(page), WAIT).toEqual(['Shopping list'])
      await page.getByRole('alert', { name: 'Conflict notice' }).waitFor({ state: 'detached', ...WAIT })
    }
    expect([...pageErrors(a), ...pageErrors(b)]).toEqual([])
  })

  it('shows offline and pending truthfully while the relay is down, and recovers by itself when it returns', { timeout: 240_000 }, async () => {
    await waitForConnection(a.page, ALL_SYNCED)
    await relay!.close()
    relay = null
    await openNote(a.page, 'Shopping list')
    await renameOpenNote(a.page, 'Shopping list (relay down)')
    await typeAtEnd(a.page, ' and milk')
    await waitForConnection(a.page, /^Offline since \d\d:\d\d · [12] pending$/)
    await expect.poll(() => saveStatus(a.page).textContent(), WAIT).toBe('Saved on this device · offline')
    // Never "on the relay" for something the relay has not stored.
    expect(await noteSyncState(a.page, 'Shopping list (relay down)')).toBe('offline')
    // Leaving the page now would ask first (a reload cannot be tried: the relay serves the page).
    expect(await wouldWarnOnLeave(a.page)).toBe(true)

    // Sync details: every waiting change with its age, attempts, last error and next try.
    await createFolder(a.page, 'Scratch')
    const details = await openSyncDetails(a.page)
    const renameRow = details.getByRole('row', { name: 'Rename note to “Shopping list (relay down)”' })
    await expect.poll(async () => Number(await renameRow.getByRole('cell').nth(2).textContent()), WAIT).toBeGreaterThanOrEqual(1)
    expect(await renameRow.getByRole('cell').nth(3).textContent()).toMatch(/unreachable|fetch/i)
    expect(await renameRow.getByRole('cell').nth(4).textContent()).toMatch(/^(now|in \d+ (s|min))$/)
    // Text is never discardable; a metadata change is, after confirming.
    const textRow = details.getByRole('row', { name: 'Content of Shopping list (relay down)' })
    expect(await textRow.count()).toBe(1)
    expect(await textRow.getByRole('button').count()).toBe(0)
    await details.getByRole('button', { name: 'Discard Create folder “Scratch”' }).click()
    await a.page.getByRole('dialog', { name: 'Discard this change?' }).getByRole('button', { name: 'Discard' }).click()
    await expect.poll(() => sidebar(a.page).getByRole('button', { name: 'Folder Scratch', exact: true }).count(), WAIT).toBe(0)
    await details.getByRole('button', { name: 'Retry now' }).click()
    await details.getByRole('button', { name: 'Close' }).click()

    relay = await startOn(port) // same port, same data: nobody touches the page
    await waitForConnection(a.page, ALL_SYNCED)
    await expect.poll(() => noteTitles(b.page), WAIT).toEqual(['Shopping list (relay down)'])
    await openNote(a.page, 'Shopping list (relay down)')
    await expect.poll(() => saveStatus(a.page).textContent(), WAIT).toBe('On the relay')
    // B says "1 pending" until its background pull brings A's text: that is true, so wait for it.
    await waitForConnection(b.page, ALL_SYNCED)
    expect(await wouldWarnOnLeave(a.page)).toBe(false)
    expect(pageErrors(b)).toEqual([])
  })
})
