// A writer with no relay at all: the built client is served by a plain static server that
// refuses WebSocket upgrades. Everything must work from IndexedDB alone and survive a reload.

import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { pageErrors } from '../helpers/browser'
import {
  WAIT,
  caretToEnd,
  closeTrash,
  createNote,
  editor,
  editorText,
  indexedDbNames,
  noteTitles,
  openNote,
  selectedNoteId,
  selectedText,
  textStyle,
  tool,
  trashCount,
  trashTitles,
  OFFLINE,
  waitForConnection,
  waitForEditorFocus,
  waitUntilSavedLocally,
} from './app'
import { addLinkRefusingScript, deleteForever, trashOpenNote } from './choreography'
import { offlineDevicePerFile } from './relay-fixture'

const device = offlineDevicePerFile()

async function expectFormatted(page: Page): Promise<void> {
  const e = editor(page)
  await expect.poll(() => e.locator('h1').innerText(), WAIT).toBe('Heading one')
  expect(await e.locator('h2').innerText()).toBe('Heading two')
  expect(await e.locator('ul li').innerText()).toBe('bullet item')
  expect(await e.locator('ol li').innerText()).toBe('numbered item')
  expect(await e.locator('strong').innerText()).toBe('bold text')
  expect(await e.locator('em').innerText()).toBe('italic text')
  expect(await e.locator(':not(pre) > code').innerText()).toBe('code text')
  expect(await e.locator('a[href="https://example.com/skein"]').innerText()).toBe('Skein site')
  expect(await e.locator('blockquote').innerText()).toBe('quoted words')
  expect(await e.locator('pre').innerText()).toBe('const answer = 42')
}

/** Types `text` with a toolbar mark turned on for it (and off again after). */
async function typeWithMark(page: Page, mark: string, text: string): Promise<void> {
  await tool(page, mark).click()
  await page.keyboard.type(text)
  await tool(page, mark).click()
}

describe('offline writer (no relay running)', () => {
  it('creates, formats, selects, trashes and deletes notes offline, and everything survives a reload', { timeout: 300_000 }, async () => {
    const { page } = device
    await waitForConnection(page, OFFLINE)
    expect(await noteTitles(page)).toEqual([])

    // --- A note using every toolbar format -------------------------------------------------
    await createNote(page)
    await editor(page).click()
    const kb = page.keyboard
    await kb.type('Heading one')
    await textStyle(page, 'Heading 1')
    await kb.press('Enter')
    await kb.type('Heading two')
    await textStyle(page, 'Heading 2')
    await kb.press('Enter')
    await tool(page, 'Bullet list').click()
    await kb.type('bullet item')
    await kb.press('Enter')
    await kb.press('Enter') // empty item: leave the list
    await tool(page, 'Numbered list').click()
    await kb.type('numbered item')
    await kb.press('Enter')
    await kb.press('Enter')
    await typeWithMark(page, 'Bold', 'bold text')
    await kb.type(' then ')
    await typeWithMark(page, 'Italic', 'italic text')
    await kb.type(' then ')
    await typeWithMark(page, 'Inline code', 'code text')
    await kb.press('Enter')
    await kb.type('Skein site')
    await kb.press('Shift+Home')
    await expect.poll(() => selectedText(page), WAIT).toBe('Skein site')
    await tool(page, 'Link').click()
    // Only http(s) and mailto are accepted.
    await addLinkRefusingScript(page, 'https://example.com/skein')
    await waitForEditorFocus(page)
    await kb.press('Enter') // the caret sits right after the new link
    await tool(page, 'Quote').click()
    await kb.type('quoted words')
    await kb.press('Enter')
    await kb.press('Enter') // empty paragraph in the quote: leave it
    await tool(page, 'Code block').click()
    await kb.type('const answer = 42')

    await expectFormatted(page)
    expect(await editor(page).locator('a').count()).toBe(1) // the rejected URL created no link
    await expect.poll(() => noteTitles(page), WAIT).toEqual(['Heading one'])

    // --- More notes: newest first ------------------------------------------------------------
    await createNote(page)
    await editor(page).click()
    await page.keyboard.type('Second note')
    await page.keyboard.press('Enter')
    await page.keyboard.type('with a body line')
    await expect.poll(() => noteTitles(page), WAIT).toEqual(['Second note', 'Heading one'])

    const doomedId = await createNote(page)
    await editor(page).click()
    await page.keyboard.type('Doomed note')
    await expect.poll(() => noteTitles(page), WAIT).toEqual(['Doomed note', 'Second note', 'Heading one'])
    await waitUntilSavedLocally(page)
    expect(await indexedDbNames(page)).toContain(`skein:note/${doomedId}`)

    // --- Move to trash: no confirmation, because it can be undone -------------------------------
    await trashOpenNote(page)
    await expect.poll(() => noteTitles(page), WAIT).toEqual(['Second note', 'Heading one'])
    await page.getByRole('status', { name: 'Undo trash' }).getByRole('button', { name: 'Undo' }).click()
    await expect.poll(() => noteTitles(page), WAIT).toEqual(['Doomed note', 'Second note', 'Heading one'])
    await expect.poll(() => editorText(page), WAIT).toBe('Doomed note')

    await trashOpenNote(page)
    await expect.poll(() => noteTitles(page), WAIT).toEqual(['Second note', 'Heading one'])
    expect(await trashCount(page)).toBe(1)
    expect(await trashTitles(page)).toEqual(['Doomed note'])
    // In the trash the content is kept, not erased.
    expect(await indexedDbNames(page)).toContain(`skein:note/${doomedId}`)

    // --- Delete forever asks first; cancelling keeps it in the trash ----------------------------
    const trashList = page.getByRole('list', { name: 'Trashed notes' })
    await trashList.getByRole('button', { name: 'Delete forever: Doomed note' }).click()
    const confirm = page.getByRole('dialog', { name: 'Delete this note forever?' })
    await confirm.getByRole('button', { name: 'Cancel' }).click()
    await confirm.waitFor({ state: 'detached', ...WAIT })
    expect(await trashTitles(page)).toEqual(['Doomed note'])

    await deleteForever(page, 'Doomed note')
    expect(await trashTitles(page)).toEqual([])
    expect(await trashCount(page)).toBe(0)
    // Its local data is erased, not just hidden.
    await expect.poll(() => indexedDbNames(page), WAIT).not.toContain(`skein:note/${doomedId}`)
    await closeTrash(page)
    expect(await noteTitles(page)).toEqual(['Second note', 'Heading one'])

    // --- Selecting switches the editor to that note ---------------------------------------------
    await openNote(page, 'Heading one')
    await expectFormatted(page)
    await openNote(page, 'Second note')
    await expect.poll(() => editorText(page), WAIT).toBe('Second note\nwith a body line')
    await openNote(page, 'Heading one')
    await expectFormatted(page)
    const selected = await selectedNoteId(page)

    // --- Reload: notes list, selection and content all come back from IndexedDB ----------------
    await caretToEnd(page)
    await waitUntilSavedLocally(page)
    await page.reload()
    await expect.poll(() => noteTitles(page), WAIT).toEqual(['Second note', 'Heading one'])
    expect(await selectedNoteId(page)).toBe(selected)
    await expectFormatted(page)
    await waitForConnection(page, OFFLINE)
    await openNote(page, 'Second note')
    await expect.poll(() => editorText(page), WAIT).toBe('Second note\nwith a body line')

    expect(pageErrors(device)).toEqual([])
  })
})
