// Full-text search in the browser build: ranked results with highlighted matches, opening a note
// at its match, and a note edited on another device becoming findable here without opening it
// (background content sync brings its content, the search indexer picks it up).

import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { pageErrors } from '../helpers/browser'
import { WAIT, createNote, editor, noteTitles, selectedNoteId, selectedText, waitForConnection, waitUntilSavedLocally, ONLINE } from './app'
import { twoDevicesPerFile } from './relay-fixture'


const { a, b } = twoDevicesPerFile()

const searchBox = (page: Page) => page.getByRole('searchbox', { name: 'Search notes' })
const results = (page: Page) => page.getByRole('list', { name: 'Search results' }).getByRole('listitem')

/** Creates a note with this title and these lines of text; returns its id. */
async function writeNote(page: Page, title: string, lines: readonly string[]): Promise<string> {
  const id = await createNote(page)
  await editor(page).click()
  for (const [i, line] of lines.entries()) {
    if (i > 0) await page.keyboard.press('Enter')
    await page.keyboard.type(line)
  }
  await page.getByRole('textbox', { name: 'Title' }).fill(title)
  await page.getByRole('textbox', { name: 'Title' }).press('Enter')
  await expect.poll(() => noteTitles(page), WAIT).toContain(title)
  await waitUntilSavedLocally(page)
  return id
}

async function search(page: Page, query: string): Promise<void> {
  await searchBox(page).fill(query)
}

describe('searching notes', () => {
  it('shows ranked results with highlighted matches and opens a note with the match selected', { timeout: 120_000 }, async () => {
    const garden = await writeNote(a.page, 'Garden', ['Plant tomatoes in spring.', 'Then the orchard needs pruning soon.'])
    await writeNote(a.page, 'Orchard', ['Apples and pears grow here.'])
    await writeNote(a.page, 'Recipes', ['Nothing about trees.'])

    await search(a.page, 'orchard')
    await expect.poll(() => results(a.page).count(), WAIT).toBe(2)
    // The note titled "Orchard" ranks above the one that mentions it in its text.
    expect(await results(a.page).nth(0).locator('.search-result-title').textContent()).toBe('Orchard')
    expect(await results(a.page).nth(1).locator('.search-result-title').textContent()).toBe('Garden')
    expect(await results(a.page).nth(0).locator('mark').allTextContents()).toEqual(['Orchard'])
    expect(await results(a.page).nth(1).locator('mark').allTextContents()).toEqual(['orchard'])

    await results(a.page).nth(1).getByRole('button').click()
    await expect.poll(() => selectedNoteId(a.page), WAIT).toBe(garden)
    await expect.poll(() => selectedText(a.page), WAIT).toBe('orchard')

    await search(a.page, 'zeppelin')
    await expect.poll(() => a.page.getByText('No notes match “zeppelin”.').isVisible(), WAIT).toBe(true)
  })

  it('focuses the search field with Ctrl/Cmd+Shift+F', { timeout: 60_000 }, async () => {
    await editor(a.page).click()
    await a.page.keyboard.press('ControlOrMeta+Shift+F')
    await expect.poll(() => searchBox(a.page).evaluate((el) => el === document.activeElement), WAIT).toBe(true)
  })

  it('finds a note written on another device without it ever being opened here', { timeout: 180_000 }, async () => {
    await waitForConnection(a.page, ONLINE)
    await waitForConnection(b.page, ONLINE)
    const travel = await writeNote(b.page, 'Travel', ['Lisbon trams rattle uphill at dusk.'])
    await expect.poll(() => noteTitles(a.page), WAIT).toContain('Travel')

    await search(a.page, 'trams')
    await expect.poll(() => results(a.page).count(), WAIT).toBe(1)
    expect(await results(a.page).nth(0).locator('mark').allTextContents()).toEqual(['trams'])
    expect(await selectedNoteId(a.page)).not.toBe(travel)
    expect(pageErrors(a)).toEqual([])
    expect(pageErrors(b)).toEqual([])
  })
})
