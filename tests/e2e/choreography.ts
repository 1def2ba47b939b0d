// What a user does, in the steps the e2e tests keep repeating: write a new note, type a line,
// lose the network and get it back, open a note another device wrote, trash or delete one.
// Each waits for the app to show the outcome; app.ts holds the page vocabulary they use.

import { expect } from 'vitest'
import type { Locator, Page } from 'playwright-core'
import type { TcpProxy } from '../helpers/tcp-proxy'
import { OFFLINE, ONLINE, WAIT, caretToEnd, createNote, editorText, noteTitles, openNote, sidebar, trashTitles, waitForConnection } from './app'

/** Waits until every page's status line says it reaches the relay. */
export async function waitUntilOnline(...pages: Page[]): Promise<void> {
  for (const page of pages) await waitForConnection(page, ONLINE)
}

/** Cuts the device's network at its proxy and waits until its status line says offline. */
export async function goOffline(proxy: TcpProxy, page: Page): Promise<void> {
  proxy.cut()
  await waitForConnection(page, OFFLINE)
}

/** Gives the device its network back and waits until its status line says it reaches the relay. */
export async function comeBackOnline(proxy: TcpProxy, page: Page): Promise<void> {
  proxy.restore()
  await waitForConnection(page, ONLINE)
}

/** Types `text` at the end of the open note. */
export async function typeAtEnd(page: Page, text: string): Promise<void> {
  await caretToEnd(page)
  await page.keyboard.type(text)
}

/** Types `text` as a new line at the end of the open note. */
export async function typeNewLine(page: Page, text: string): Promise<void> {
  await caretToEnd(page)
  await page.keyboard.press('Enter')
  await page.keyboard.type(text)
}

/** Creates a note and types `text` into it (its first line, so also its title); returns its id. */
export async function writeNewNote(page: Page, text: string): Promise<string> {
  const id = await createNote(page)
  await typeAtEnd(page, text)
  return id
}

/** Waits until another device's note titled `title` is in the list, then opens it. */
export async function openWhenListed(page: Page, title: string): Promise<void> {
  await expect.poll(() => noteTitles(page), WAIT).toContain(title)
  await openNote(page, title)
}

/**
 * Device `from` writes a new note holding `text`; device `to` sees it in its list, opens it and
 * shows the same text. Returns the note's id.
 */
export async function shareNewNote(from: Page, to: Page, text: string): Promise<string> {
  const id = await writeNewNote(from, text)
  await openWhenListed(to, text)
  await expect.poll(() => editorText(to), WAIT).toBe(text)
  return id
}

/** Gives the open note a title through its title field. */
export async function renameOpenNote(page: Page, title: string): Promise<void> {
  const field = page.getByRole('textbox', { name: 'Title' })
  await field.fill(title)
  await field.press('Enter')
}

/** Moves the open note to the trash (no confirmation: it can be undone). */
export async function trashOpenNote(page: Page): Promise<void> {
  await page.locator('.note-header').getByRole('button', { name: 'More actions' }).click()
  await page.getByRole('menu', { name: 'More actions' }).getByRole('menuitem', { name: 'Move to trash' }).click()
}

/** Deletes a trashed note forever from the Trash view, confirming, and waits until it has left the trash. */
export async function deleteForever(page: Page, title: string): Promise<void> {
  await trashTitles(page) // opens the Trash view
  await page.getByRole('button', { name: `Delete forever: ${title}` }).click()
  await page.getByRole('dialog', { name: 'Delete this note forever?' }).getByRole('button', { name: 'Delete forever' }).click()
  await expect.poll(() => trashTitles(page), WAIT).not.toContain(title)
}

/** Opens the Sync details dialog from the sidebar and returns it. */
export async function openSyncDetails(page: Page): Promise<Locator> {
  await sidebar(page).getByRole('button', { name: 'Sync details' }).click()
  const details = page.getByRole('dialog', { name: 'Sync details' })
  await details.waitFor(WAIT)
  return details
}

/**
 * In the open Add link dialog, tries a `javascript:` URL first (it must be refused with a message)
 * and then applies `url`; waits until the dialog has closed.
 */
export async function addLinkRefusingScript(page: Page, url: string): Promise<void> {
  const dialog = page.getByRole('dialog', { name: 'Add link' })
  const field = dialog.getByRole('textbox', { name: 'URL' })
  await field.fill('javascript:alert(1)')
  await dialog.getByRole('button', { name: 'Apply' }).click()
  await expect.poll(() => dialog.getByRole('alert').innerText(), WAIT).toContain('Only http://')
  await field.fill(url)
  await dialog.getByRole('button', { name: 'Apply' }).click()
  await dialog.waitFor({ state: 'detached', ...WAIT })
}
