// Two devices edit task lists and tables in one note, each through its own TCP proxy to the real
// relay so both can be taken offline. Ticking a box is an ordinary Yjs edit (an attribute of the
// task item), so ticks made offline on both devices merge; concurrent table edits (text in
// different cells, a row added on one device and a column on the other) converge. Ground truth is
// what the relay stored (its SQLite file, or the cluster's PostgreSQL), read back as Markdown, and
// each device's IndexedDB copy.

import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { pageErrors } from '../helpers/browser'
import { noteRoom } from '../../protocol/rooms'
import { markdownToDoc } from '../../renderer/transfer/markdown'
import { WAIT, editor, selectedNoteId, waitForEditorFocus, waitUntilSavedLocally } from './app'
import { comeBackOnline, goOffline, openWhenListed, waitUntilOnline, writeNewNote } from './choreography'
import { twoDevicesPerFile } from './relay-fixture'
import { deviceUpdates, markdownOf, relayStored } from './truth-audit'

const { a, b, proxy, proxyB, relay } = twoDevicesPerFile({ cuttable: 'both' })

const relayMarkdown = async (noteId: string): Promise<string> => markdownOf([await relayStored(relay, noteRoom(noteId))])
const deviceMarkdown = async (page: Page, noteId: string): Promise<string> => markdownOf(await deviceUpdates(page, noteRoom(noteId)))
const checkbox = (page: Page, task: string) => editor(page).getByRole('checkbox', { name: `Task item checkbox for ${task}` })

/** Puts the caret at the end of the cell holding `text`. */
async function caretInCell(page: Page, text: string): Promise<void> {
  await editor(page).locator('td, th').filter({ hasText: text }).click()
  await page.keyboard.press('End')
}

describe('task lists and tables on two devices', () => {
  it('ticks made offline on both devices merge, on the relay and on both devices', { timeout: 240_000 }, async () => {
    await waitUntilOnline(a.page, b.page)
    const noteId = await writeNewNote(a.page, 'Chores')
    const kb = a.page.keyboard
    await kb.press('Enter')
    await kb.type('[ ] dishes')
    for (const task of ['laundry', 'plants', 'bins']) {
      await kb.press('Enter')
      await kb.type(task)
    }
    await checkbox(a.page, 'bins').check()
    await openWhenListed(b.page, 'Chores')
    await expect.poll(() => checkbox(b.page, 'bins').isChecked(), WAIT).toBe(true)

    await goOffline(proxy, a.page)
    await goOffline(proxyB, b.page)
    await checkbox(a.page, 'dishes').check()
    await checkbox(a.page, 'plants').check()
    await checkbox(b.page, 'laundry').check()
    await checkbox(b.page, 'bins').uncheck()
    await waitUntilSavedLocally(a.page)
    await waitUntilSavedLocally(b.page)
    // Offline, each device holds only its own ticks.
    expect(await deviceMarkdown(a.page, noteId)).toBe('Chores\n\n- [x] dishes\n- [ ] laundry\n- [x] plants\n- [x] bins')
    expect(await deviceMarkdown(b.page, noteId)).toBe('Chores\n\n- [ ] dishes\n- [x] laundry\n- [ ] plants\n- [ ] bins')

    await comeBackOnline(proxy, a.page)
    await comeBackOnline(proxyB, b.page)
    const merged = 'Chores\n\n- [x] dishes\n- [x] laundry\n- [x] plants\n- [ ] bins'
    await expect.poll(() => relayMarkdown(noteId), WAIT).toBe(merged)
    await expect.poll(() => deviceMarkdown(a.page, noteId), WAIT).toBe(merged)
    await expect.poll(() => deviceMarkdown(b.page, noteId), WAIT).toBe(merged)
    for (const page of [a.page, b.page]) {
      await expect.poll(() => Promise.all(['dishes', 'laundry', 'plants', 'bins'].map((t) => checkbox(page, t).isChecked())), WAIT).toEqual([true, true, true, false])
    }
    expect([...pageErrors(a), ...pageErrors(b)]).toEqual([])
  })

  it('concurrent table edits on two devices (cells, a row, a column) converge', { timeout: 240_000 }, async () => {
    await waitUntilOnline(a.page, b.page)
    await writeNewNote(a.page, 'Budget')
    const noteId = (await selectedNoteId(a.page))!
    const kb = a.page.keyboard
    await kb.press('Enter')
    await kb.type('/table')
    await kb.press('Enter')
    for (const text of ['Item', 'Cost', 'Who', 'Rent', '900', 'Ana']) {
      await kb.type(text)
      await kb.press('Tab')
    }
    await openWhenListed(b.page, 'Budget')
    await expect.poll(() => editor(b.page).locator('td').filter({ hasText: 'Ana' }).count(), WAIT).toBe(1)

    // Both offline: A fills a cell and adds a row; B edits another cell and adds a column.
    await goOffline(proxy, a.page)
    await goOffline(proxyB, b.page)
    await caretInCell(a.page, '900')
    await a.page.keyboard.type(' monthly')
    await a.page.getByRole('toolbar', { name: 'Formatting' }).getByRole('button', { name: 'Table' }).click()
    await a.page.getByRole('menuitem', { name: 'Add row below' }).click()
    await caretInCell(b.page, 'Ana')
    await b.page.keyboard.type(' and Ben')
    await b.page.getByRole('toolbar', { name: 'Formatting' }).getByRole('button', { name: 'Table' }).click()
    await b.page.getByRole('menuitem', { name: 'Add column right' }).click()
    await waitForEditorFocus(b.page)
    await b.page.keyboard.press('Tab') // into the new column's cell
    await b.page.keyboard.type('Paid')
    await waitUntilSavedLocally(a.page)
    await waitUntilSavedLocally(b.page)

    await comeBackOnline(proxy, a.page)
    await comeBackOnline(proxyB, b.page)
    // Converged: the relay and both devices hold one document, with every device's edits in it.
    await expect
      .poll(async () => {
        const [onRelay, onA, onB] = await Promise.all([relayMarkdown(noteId), deviceMarkdown(a.page, noteId), deviceMarkdown(b.page, noteId)])
        return onRelay === onA && onA === onB ? onRelay : `differ:\n${onRelay}\n--\n${onA}\n--\n${onB}`
      }, WAIT)
      .toMatch(/900 monthly[\s\S]*Ana and Ben[\s\S]*Paid/)
    for (const page of [a.page, b.page]) {
      await expect.poll(() => editor(page).locator('table').innerText(), WAIT).toContain('Paid')
      expect(await editor(page).locator('table tr').count()).toBe(4) // header, Rent, A's new row, the empty last row
    }
    // Each editor holds that document too (compared as documents: the other device's caret, drawn
    // inside a cell with its name, makes the two screens' text differ).
    const shown = (page: Page) => editor(page).evaluate((el) => JSON.stringify((el as HTMLElement & { editor: { getJSON(): unknown } }).editor.getJSON()))
    await expect.poll(async () => (await shown(a.page)) === (await shown(b.page)), WAIT).toBe(true)
    // B's column reached every row that existed when it was added; the row A added meanwhile may
    // be a cell short until someone edits the table, but is never repaired twice (by both devices
    // at once, each adding the missing cell): no row is wider than the header.
    const table = markdownToDoc(await relayMarkdown(noteId)).content!.find((n) => n.type === 'table')!
    const widths = table.content!.map((row) => row.content!.length)
    expect(widths[0]).toBe(4)
    expect(Math.max(...widths)).toBe(4)
    expect([...pageErrors(a), ...pageErrors(b)]).toEqual([])
  })
})
