// The editor's blocks as a writer reaches them, in Chromium, with no relay (everything here is
// local): the slash menu driven by the keyboard alone, Markdown input shortcuts, a table's Tab
// navigation and row/column commands, the toolbar on one row at 1024 px, placeholders, and the
// bubble menu. Ground truth for content is what IndexedDB holds (the note's stored Yjs updates),
// read back as Markdown. Screenshots of every construct, light and dark, go to
// SKEIN_SCREENSHOT_DIR when it is set.

import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { pageErrors } from '../helpers/browser'
import { noteRoom } from '../../protocol/rooms'
import { markdownToDoc } from '../../renderer/transfer/markdown'
import { WAIT, createNote, editor, selectedNoteId, waitForEditorFocus, waitUntilSavedLocally } from './app'
import { offlineDevicePerFile } from './relay-fixture'
import { deviceUpdates, markdownOf } from './truth-audit'

const device = offlineDevicePerFile()

/** The open note as Markdown, from the Yjs updates IndexedDB holds for it (not the editor's state). */
async function storedMarkdown(page: Page): Promise<string> {
  await waitUntilSavedLocally(page)
  return markdownOf(await deviceUpdates(page, noteRoom((await selectedNoteId(page))!)))
}

/** A new note with the caret in it. */
async function startNote(page: Page): Promise<void> {
  await createNote(page)
  await editor(page).focus()
  await waitForEditorFocus(page)
}

const slashMenu = (page: Page) => page.getByRole('listbox', { name: 'Insert block' })

describe('editor blocks', () => {
  it('the slash menu inserts a table and a task list with the keyboard alone, and is accessible', { timeout: 180_000 }, async () => {
    const { page } = device
    await startNote(page)
    const kb = page.keyboard
    await kb.type('Groceries')
    await kb.press('Enter')

    // "/" opens the menu; typing filters it; arrows move; the editor points at the active option.
    await kb.type('/')
    await slashMenu(page).waitFor(WAIT)
    expect(await slashMenu(page).getByRole('option').count()).toBe(14)
    await kb.type('tab')
    await expect.poll(() => slashMenu(page).getByRole('option').allTextContents(), WAIT).toEqual(['▦Table'])
    expect(await editor(page).getAttribute('aria-activedescendant')).toBe('slash-option-table')
    expect(await editor(page).getAttribute('aria-controls')).toBe('slash-menu')
    await kb.press('Enter')
    await slashMenu(page).waitFor({ state: 'detached', ...WAIT })
    expect(await editor(page).getAttribute('aria-activedescendant')).toBeNull()

    // Tab walks the cells; from the last one it adds a row.
    for (const text of ['Item', 'Qty', 'Shop', 'Milk', '2', 'Corner', 'Eggs', '12', 'Market', 'Tea']) {
      await kb.type(text)
      await kb.press('Tab')
    }
    await kb.type('1')
    await expect.poll(() => editor(page).locator('table tr').count(), WAIT).toBe(4)

    // Leave the table (Ctrl+End, then a new paragraph after it), then a task list via the menu.
    await page.keyboard.press('ControlOrMeta+End')
    await kb.press('ArrowDown')
    await kb.press('Enter')
    await kb.type('/')
    await slashMenu(page).waitFor(WAIT)
    await kb.type('to')
    await kb.press('ArrowDown') // wraps within the one match and back: still "Task list"
    await expect.poll(() => editor(page).getAttribute('aria-activedescendant'), WAIT).toBe('slash-option-task')
    await kb.press('Enter')
    await kb.type('Buy milk')
    await kb.press('Enter')
    await kb.type('Buy eggs')

    // Escape closes the menu and leaves the typed text.
    await kb.press('Enter')
    await kb.type('/h')
    await slashMenu(page).waitFor(WAIT)
    await kb.press('Escape')
    await slashMenu(page).waitFor({ state: 'detached', ...WAIT })
    await kb.type('ere')

    await expect
      .poll(() => storedMarkdown(page), WAIT)
      .toBe('Groceries\n\n| Item | Qty | Shop |\n| --- | --- | --- |\n| Milk | 2 | Corner |\n| Eggs | 12 | Market |\n| Tea | 1 |  |\n\n- [ ] Buy milk\n- [ ] Buy eggs\n- [ ] /here')
    expect(pageErrors(device)).toEqual([])
  })

  it('Markdown shortcuts, table row and column commands, task toggles and placeholders', { timeout: 180_000 }, async () => {
    const { page } = device
    await startNote(page)
    await expect.poll(() => editor(page).locator('p').first().getAttribute('data-placeholder'), WAIT).toBe('Start writing, or type / for commands')
    const kb = page.keyboard
    await kb.type('### Small heading')
    await kb.press('Enter')
    await kb.type('Some ~~old~~ and ==new== text')
    await kb.press('Enter')
    await kb.type('---')
    await kb.type('[ ] first task')
    await kb.press('Enter')
    await kb.type('second task')
    await expect.poll(() => editor(page).locator('ul[data-type="taskList"] > li').count(), WAIT).toBe(2)
    await editor(page).getByRole('checkbox', { name: 'Task item checkbox for first task' }).check()

    // A table from the toolbar, then a column and a row from its menu.
    await kb.press('Enter')
    await kb.press('Enter')
    const toolbar = page.getByRole('toolbar', { name: 'Formatting' })
    await toolbar.getByRole('button', { name: 'Insert table' }).click()
    await kb.type('A')
    await kb.press('Tab')
    await kb.type('B')
    await toolbar.getByRole('button', { name: 'Table' }).click()
    await page.getByRole('menuitem', { name: 'Add column right' }).click()
    await kb.press('ArrowDown')
    await toolbar.getByRole('button', { name: 'Table' }).click()
    await page.getByRole('menuitem', { name: 'Delete row' }).click()
    await expect.poll(() => editor(page).locator('table tr').count(), WAIT).toBe(2)
    expect(await editor(page).locator('table tr').first().locator('th').count()).toBe(4)

    await expect
      .poll(() => storedMarkdown(page), WAIT)
      .toBe('### Small heading\n\nSome ~~old~~ and ==new== text\n\n---\n\n- [x] first task\n- [ ] second task\n\n| A | B |  |  |\n| --- | --- | --- | --- |\n|  |  |  |  |')
    // The toolbar is one row at 1024 px wide.
    await page.setViewportSize({ width: 1024, height: 720 })
    const heights = await toolbar.locator('.tool-group').evaluateAll((groups) => [...new Set(groups.map((g) => Math.round(g.getBoundingClientRect().top)))])
    expect(heights).toHaveLength(1)
    await page.setViewportSize({ width: 1100, height: 720 })
    expect(pageErrors(device)).toEqual([])
  })

  it('the bubble menu formats selected text', { timeout: 120_000 }, async () => {
    const { page } = device
    await startNote(page)
    await page.keyboard.type('make this bold')
    await page.keyboard.press('Shift+Home')
    const bubble = page.getByRole('toolbar', { name: 'Selection formatting' })
    await bubble.waitFor(WAIT)
    await bubble.getByRole('button', { name: 'Highlight' }).click()
    await bubble.getByRole('button', { name: 'Bold' }).click()
    await expect.poll(() => storedMarkdown(page), WAIT).toBe('**==make this bold==**')
  })

  it('screenshots of every construct, light and dark', { timeout: 120_000 }, async () => {
    const dir = process.env.SKEIN_SCREENSHOT_DIR
    if (!dir) return
    mkdirSync(dir, { recursive: true })
    const { page } = device
    await createNote(page)
    const sample = [
      '# Every construct',
      '## Second level',
      '### Third level',
      '#### Fourth level',
      '##### Fifth level',
      '###### Sixth level',
      'Text with **bold**, *italic*, ~~strike~~, ==highlight==, `code` and a [link](https://example.org).',
      '- [x] a done task\n  - [ ] a nested open task\n- [ ] an open task',
      '* bullet\n* list\n\n1. numbered\n2. list',
      '| Name | Qty | Note |\n| :--- | ---: | :---: |\n| Milk | 2 | fresh |\n| Eggs | 12 | ==free range== |',
      '> A quote',
      '```ts\nconst answer = 42\n```',
      '---',
      'The end.',
    ].join('\n\n')
    const content = markdownToDoc(sample)
    await editor(page).evaluate((el, json) => (el as HTMLElement & { editor: { commands: { setContent(c: unknown): void } } }).editor.commands.setContent(json), content)
    await page.setViewportSize({ width: 1280, height: 800 })
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      await page.screenshot({ path: join(dir, `editor-${scheme}.png`) })
    }
    // The slash menu and bubble menu open, dark.
    await editor(page).locator('p').last().click()
    await page.keyboard.press('End')
    await page.keyboard.press('Enter')
    await page.keyboard.type('/')
    await slashMenu(page).waitFor(WAIT)
    await page.screenshot({ path: join(dir, 'slash-dark.png') })
    await page.keyboard.press('Escape')
    await page.emulateMedia({ colorScheme: 'light' })
    await editor(page).locator('td').first().click()
    await page.getByRole('toolbar', { name: 'Formatting' }).getByRole('button', { name: 'Table' }).click()
    await page.screenshot({ path: join(dir, 'table-menu-light.png') })
    await page.keyboard.press('Escape')
    await editor(page).getByText('italic', { exact: true }).dblclick()
    await page.getByRole('toolbar', { name: 'Selection formatting' }).waitFor(WAIT)
    await page.screenshot({ path: join(dir, 'bubble-light.png') })
    await page.setViewportSize({ width: 1100, height: 720 })
  })
})
