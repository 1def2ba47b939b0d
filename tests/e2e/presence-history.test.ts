// Presence (carets, who's here) and per-note version history between two devices (separate
// browser contexts) through the real relay. Device A reaches the relay through a cuttable proxy.

import { beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { pageErrors } from '../helpers/browser'
import { ONLINE, WAIT, caretToEnd, createNote, editor, editorText, noteTitles, openNote, waitForConnection } from './app'
import { comeBackOnline, goOffline, openWhenListed, typeAtEnd, waitUntilOnline, writeNewNote } from './choreography'
import { twoDevicesPerFile } from './relay-fixture'

const whoIsHere = (page: Page) => page.getByRole('list', { name: "Who's here" })
const present = (page: Page): Promise<string[]> =>
  whoIsHere(page)
    .getByRole('listitem')
    .evaluateAll((items) => items.map((item) => item.getAttribute('aria-label') ?? ''))
/** Names on the remote carets drawn in this page's editor. */
const caretNames = (page: Page): Promise<string[]> =>
  editor(page)
    .locator('.collab-caret')
    .evaluateAll((carets) => carets.map((caret) => (caret as HTMLElement).dataset.name ?? ''))

async function setProfile(page: Page, displayName: string, color: string): Promise<void> {
  await page.evaluate((profile) => localStorage.setItem('skein:profile', JSON.stringify(profile)), { displayName, color })
  await page.reload()
}

const historyDialog = (page: Page) => page.getByRole('dialog', { name: 'Version history' })
const versionNames = (page: Page): Promise<string[]> =>
  historyDialog(page)
    .getByRole('list', { name: 'Versions' })
    .getByRole('listitem')
    .evaluateAll((items) => items.map((item) => item.getAttribute('aria-label') ?? ''))

async function openHistory(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'History', exact: true }).click()
  await historyDialog(page).waitFor(WAIT)
}

/** Saves a named version of the open note from its History dialog, and closes the dialog. */
async function saveVersion(page: Page, name: string): Promise<void> {
  await openHistory(page)
  await historyDialog(page).getByRole('button', { name: 'Save version…' }).click()
  const naming = page.getByRole('dialog', { name: 'Save version' })
  await naming.getByLabel('Version name').fill(name)
  await naming.getByRole('button', { name: 'Save' }).click()
  await expect.poll(() => versionNames(page), WAIT).toContain(name)
  await historyDialog(page).getByRole('button', { name: 'Close' }).click()
}

const { a, b, proxy } = twoDevicesPerFile({ cuttable: 'a' })
beforeAll(async () => {
  await setProfile(a.page, 'Alice', '#e11d48')
  await setProfile(b.page, 'Bob', '#16a34a')
})

describe('presence and version history across two devices', () => {
  it('shows who is here and their carets, and drops a peer that goes offline', { timeout: 240_000 }, async () => {
    await waitUntilOnline(a.page, b.page)
    await writeNewNote(a.page, 'Hello presence')
    await openWhenListed(b.page, 'Hello presence')
    expect(await noteTitles(b.page)).toEqual(['Hello presence'])

    await expect.poll(() => present(b.page), WAIT).toEqual(['Bob (you)', 'Alice'])
    await expect.poll(() => present(a.page), WAIT).toEqual(['Alice (you)', 'Bob'])
    // A's caret, labelled with A's name, is drawn in B's editor (and not in B's text).
    await caretToEnd(a.page)
    await expect.poll(() => caretNames(b.page), WAIT).toEqual(['Alice'])
    expect(await editorText(b.page)).toBe('Hello presence')

    // A loses its network: B stops showing A, and A stops showing B (no stale carets either side).
    proxy.cut()
    await expect.poll(() => present(b.page), WAIT).toEqual(['Bob (you)'])
    await expect.poll(() => caretNames(b.page), WAIT).toEqual([])
    await expect.poll(() => present(a.page), WAIT).toEqual(['Alice (you)'])

    proxy.restore()
    await expect.poll(() => present(b.page), WAIT).toEqual(['Bob (you)', 'Alice'])
    expect([...pageErrors(a), ...pageErrors(b)]).toEqual([])
  })

  it('a device whose connection hangs half-open (sleep, Wi-Fi switch) reconnects by itself: text merges both ways and its presence comes back', { timeout: 240_000 }, async () => {
    await expect.poll(() => present(b.page), WAIT).toEqual(['Bob (you)', 'Alice'])
    const SOON = { timeout: 20_000, interval: 100 } // well before y-websocket's own 30 s watchdog
    proxy.freeze() // A's open sockets hang; new connections get through
    await typeAtEnd(a.page, ' asleep')
    await expect.poll(() => editorText(b.page), SOON).toBe('Hello presence asleep')
    await typeAtEnd(b.page, ' awake')
    await expect.poll(() => editorText(a.page), SOON).toBe('Hello presence asleep awake')
    await caretToEnd(a.page)
    await expect.poll(() => present(b.page), SOON).toEqual(['Bob (you)', 'Alice'])
    await expect.poll(() => caretNames(b.page), SOON).toEqual(['Alice'])
    await waitForConnection(a.page, ONLINE)
    proxy.thaw()
    // Back to the text the next test starts from.
    for (let i = 0; i < ' asleep awake'.length; i++) await a.page.keyboard.press('Backspace')
    await expect.poll(() => editorText(b.page), WAIT).toBe('Hello presence')
    expect([...pageErrors(a), ...pageErrors(b)]).toEqual([])
  })

  it('restores a named version on one device as an edit the other device merges', { timeout: 240_000 }, async () => {
    await saveVersion(a.page, 'Draft one')

    await typeAtEnd(a.page, ' and more')
    await expect.poll(() => editorText(b.page), WAIT).toBe('Hello presence and more')

    // B sees A's named version in its own timeline.
    await openHistory(b.page)
    await expect.poll(() => versionNames(b.page), WAIT).toContain('Draft one')
    await historyDialog(b.page).getByRole('button', { name: 'Close' }).click()

    await openHistory(a.page)
    await historyDialog(a.page).getByRole('listitem', { name: 'Draft one' }).getByRole('button').click()
    const view = historyDialog(a.page).getByRole('region', { name: 'Version: Draft one' })
    await expect.poll(() => view.getByRole('document', { name: 'Version content' }).textContent(), WAIT).toBe('Hello presence')
    // The diff against now highlights what was added since.
    await expect.poll(() => view.locator('.version-diff ins').allTextContents(), WAIT).toEqual([' and more'])
    await view.getByRole('button', { name: 'Restore this version' }).click()

    await expect.poll(() => editorText(a.page), WAIT).toBe('Hello presence')
    await expect.poll(() => editorText(b.page), WAIT).toBe('Hello presence')
    // B can keep editing on top of the restore; A merges it.
    await typeAtEnd(b.page, '!')
    await expect.poll(() => editorText(a.page), WAIT).toBe('Hello presence!')
    expect([...pageErrors(a), ...pageErrors(b)]).toEqual([])
  })

  it('a version saved offline reaches the other device once back online, without the note being opened again', { timeout: 240_000 }, async () => {
    await waitForConnection(a.page, ONLINE)
    await writeNewNote(a.page, 'Versioned offline')
    await expect.poll(() => noteTitles(b.page), WAIT).toContain('Versioned offline')

    await goOffline(proxy, a.page)
    await saveVersion(a.page, 'Saved while away')
    // Leave the note, and give its closed documents time to be collected (they linger 250 ms):
    // after that only background sync can send its versions.
    await createNote(a.page)
    await a.page.waitForTimeout(1_000)

    await comeBackOnline(proxy, a.page)
    await openNote(b.page, 'Versioned offline')
    await openHistory(b.page)
    await expect.poll(() => versionNames(b.page), WAIT).toContain('Saved while away')
    await historyDialog(b.page).getByRole('button', { name: 'Close' }).click()
    expect([...pageErrors(a), ...pageErrors(b)]).toEqual([])
    await openNote(a.page, 'Versioned offline') // both in one note again, for the next test
  })

  it('drops a peer whose window closes', { timeout: 120_000 }, async () => {
    await expect.poll(() => present(b.page), WAIT).toEqual(['Bob (you)', 'Alice'])
    await a.page.close()
    await expect.poll(() => present(b.page), WAIT).toEqual(['Bob (you)'])
  })
})
