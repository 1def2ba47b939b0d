// Organising notes in the workspace as a new user would: the list (sort, keyboard), several notes
// at once (selection, bulk move and tag, context menu, drag and drop), folders and subfolders,
// the command palette, the trash, and the layout (resizing, narrow windows). What the relay
// stores is the ground truth for every change.

import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { pageErrors } from '../helpers/browser'
import { allChanges } from '../helpers/meta'
import type { NoteRecord } from '../../protocol/meta/types'
import { WAIT, editor, noteTitles, notesList, openNote, sidebar } from './app'
import { oneDevicePerFile } from './relay-fixture'
import { seedWorkspace, type SeededWorkspace } from './workspace-seed'

const { relay, device } = oneDevicePerFile()
let seeded: SeededWorkspace

/** The notes as the relay has them, by title. */
async function relayNotes(): Promise<Map<string, NoteRecord>> {
  const notes = new Map<string, NoteRecord>()
  for (const entry of await allChanges(relay.url.replace(/\/$/, ''))) if (entry.record?.type === 'note') notes.set(entry.record.title, entry.record)
  return notes
}
const folderId = (name: string): string => seeded.folders.find((f) => f.name === name)!.id
const focusedTitle = (page: Page): Promise<string> => page.evaluate(() => document.activeElement?.closest('li')?.getAttribute('aria-label') ?? '')

describe('organising notes', () => {
  it('lists notes with a preview and a date, sorted as chosen, and remembers the sort', { timeout: 120_000 }, async () => {
    const { page } = device
    seeded = await seedWorkspace(relay, 24, 4)
    await expect.poll(async () => (await noteTitles(page)).length, WAIT).toBe(24)
    await page.getByRole('combobox', { name: 'Sort by' }).selectOption('title')
    const titles = await noteTitles(page)
    const pinned = seeded.notes.filter((n) => n.pinned).map((n) => n.title)
    expect(titles.slice(0, pinned.length).sort()).toEqual([...pinned].sort())
    const rest = titles.slice(pinned.length)
    expect(rest).toEqual([...rest].sort((a, b) => a.localeCompare(b, undefined, { sensitivity: 'base', numeric: true })))
    await page.reload()
    await expect.poll(() => page.getByRole('combobox', { name: 'Sort by' }).inputValue(), WAIT).toBe('title')
    await expect.poll(() => noteTitles(page), WAIT).toEqual(titles)
    // A row shows its date and a line of its text (from a note with content).
    const row = notesList(page).getByRole('listitem', { name: seeded.notes[0]!.title, exact: true })
    await expect.poll(() => row.locator('.note-row-preview').textContent(), WAIT).toContain('Local-first software')
    expect(await row.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/)
  })

  it('moves through the list with the arrow keys, and Enter goes to the editor', { timeout: 120_000 }, async () => {
    const { page } = device
    const titles = await noteTitles(page)
    await openNote(page, titles[0]!)
    await notesList(page).getByRole('button', { name: titles[0]!, exact: true }).focus()
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowDown')
    await expect.poll(() => notesList(page).getByRole('button', { name: titles[2]!, exact: true }).getAttribute('aria-current'), WAIT).toBe('true')
    expect(await focusedTitle(page)).toBe(titles[2])
    await page.keyboard.press('End')
    await expect.poll(() => focusedTitle(page), WAIT).toBe(titles.at(-1))
    await page.keyboard.press('Enter')
    await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains('ProseMirror') ?? false), WAIT).toBe(true)
  })

  it('selects several notes with Ctrl-click and Shift+↓, then moves and tags them all at once', { timeout: 120_000 }, async () => {
    const { page } = device
    const titles = await noteTitles(page)
    const chosen = titles.slice(3, 6)
    await openNote(page, chosen[0]!)
    await notesList(page).getByRole('button', { name: chosen[0]!, exact: true }).focus()
    await page.keyboard.press('Shift+ArrowDown')
    await page.keyboard.press('Shift+ArrowDown')
    const bar = page.getByRole('toolbar', { name: 'Selected notes' })
    await expect.poll(() => bar.textContent(), WAIT).toContain('3 selected')
    // Ctrl-click adds one more, and takes it away again.
    await notesList(page).getByRole('button', { name: titles[10]!, exact: true }).click({ modifiers: ['Control'] })
    await expect.poll(() => bar.textContent(), WAIT).toContain('4 selected')
    await notesList(page).getByRole('button', { name: titles[10]!, exact: true }).click({ modifiers: ['Control'] })
    await expect.poll(() => bar.textContent(), WAIT).toContain('3 selected')

    await bar.getByRole('button', { name: 'Move…' }).click()
    const picker = page.getByRole('dialog', { name: 'Move 3 notes to…' })
    // Nested folders show their path.
    await picker.getByRole('button', { name: 'Work / Clients / Globex' }).click()
    await bar.getByRole('button', { name: 'Tag…' }).click()
    await page.getByRole('dialog', { name: 'Add a tag to 3 notes' }).getByRole('textbox').fill('#batch')
    await page.getByRole('dialog', { name: 'Add a tag to 3 notes' }).getByRole('button', { name: 'Add tag' }).click()
    await expect
      .poll(async () => {
        const notes = await relayNotes()
        return chosen.map((title) => [notes.get(title)?.folderId === folderId('Globex'), notes.get(title)?.tags.includes('batch')])
      }, WAIT)
      .toEqual(chosen.map(() => [true, true]))
  })

  it('opens a note’s menu from the keyboard (Shift+F10) and trashes it from there', { timeout: 120_000 }, async () => {
    const { page } = device
    const title = (await noteTitles(page))[1]!
    await openNote(page, title)
    await notesList(page).getByRole('button', { name: title, exact: true }).focus()
    await page.keyboard.press('Shift+F10')
    const menu = page.getByRole('menu', { name: `Actions for ${title}` })
    await menu.waitFor(WAIT)
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('menuitem')
    await page.keyboard.press('End')
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent), WAIT).toBe('Move to trash')
    await page.keyboard.press('Enter')
    await expect.poll(async () => (await relayNotes()).get(title)?.trashed, WAIT).toBe(true)
    // Undo puts it back.
    await page.getByRole('status', { name: 'Undo trash' }).getByRole('button', { name: 'Undo' }).click()
    await expect.poll(async () => (await relayNotes()).get(title)?.trashed, WAIT).toBe(false)
  })

  it('moves a note by dragging it onto a folder', { timeout: 120_000 }, async () => {
    const { page } = device
    const title = (await noteTitles(page))[7]!
    await notesList(page).getByRole('button', { name: title, exact: true }).dragTo(sidebar(page).getByRole('button', { name: 'Folder Journal', exact: true }))
    await expect.poll(async () => (await relayNotes()).get(title)?.folderId, WAIT).toBe(folderId('Journal'))
  })

  it('makes a subfolder from a folder’s menu, and refuses a second folder of the same name there', { timeout: 120_000 }, async () => {
    const { page } = device
    await sidebar(page).getByRole('button', { name: 'Actions for folder Home', exact: true }).click()
    await page.getByRole('menu', { name: 'Actions for folder Home' }).getByRole('menuitem', { name: 'New subfolder…' }).click()
    let dialog = page.getByRole('dialog', { name: 'New folder in “Home”' })
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Garden')
    await dialog.getByRole('button', { name: 'Create' }).click()
    await sidebar(page).getByRole('button', { name: 'Folder Garden', exact: true }).waitFor(WAIT)
    await sidebar(page).getByRole('button', { name: 'Actions for folder Home', exact: true }).click()
    await page.getByRole('menu', { name: 'Actions for folder Home' }).getByRole('menuitem', { name: 'New subfolder…' }).click()
    dialog = page.getByRole('dialog', { name: 'New folder in “Home”' })
    await dialog.getByRole('textbox', { name: 'Name' }).fill('  garden ')
    await dialog.getByRole('button', { name: 'Create' }).click()
    await expect.poll(() => dialog.getByRole('alert').textContent(), WAIT).toBe('A folder named “Garden” already exists here.')
    await page.keyboard.press('Escape')
    const folders = (await allChanges(relay.url.replace(/\/$/, ''))).filter((e) => e.record?.type === 'folder' && !e.record.deleted && e.record.name.toLowerCase() === 'garden')
    expect(folders.map((e) => e.record?.type === 'folder' && e.record.parentId)).toEqual([folderId('Home')])
  })

  it('switches notes and runs commands from the palette by fuzzy name', { timeout: 120_000 }, async () => {
    const { page } = device
    await page.keyboard.press('Control+KeyP')
    const palette = page.getByRole('dialog', { name: 'Go to a note or run a command' })
    await page.keyboard.type('srdgh strtr')
    await expect.poll(() => palette.getByRole('option').first().textContent(), WAIT).toContain('Sourdough starter log')
    await page.keyboard.press('Enter')
    await expect.poll(() => page.getByRole('textbox', { name: 'Title' }).inputValue(), WAIT).toMatch(/^Sourdough starter log/)
    // Ctrl+K outside the editor opens it too; a command runs.
    await notesList(page).getByRole('button', { name: /^Sourdough starter log/ }).first().focus()
    await page.keyboard.press('Control+KeyK')
    await palette.waitFor(WAIT)
    await page.keyboard.type('show trash')
    await page.keyboard.press('Enter')
    await page.getByRole('navigation', { name: 'Trash' }).waitFor(WAIT)
    await sidebar(page).getByRole('button', { name: 'All notes' }).click()
  })

  it('moves through search results with the arrow keys and opens one with Enter', { timeout: 120_000 }, async () => {
    const { page } = device
    const search = page.getByRole('searchbox', { name: 'Search notes' })
    await search.fill('starter')
    const results = page.getByRole('list', { name: 'Search results' }).getByRole('button')
    await expect.poll(() => results.count(), WAIT).toBeGreaterThan(1)
    await search.press('ArrowDown')
    await page.keyboard.press('ArrowDown')
    const second = (await results.nth(1).locator('.search-result-title').textContent())!
    expect(await page.evaluate(() => document.activeElement?.querySelector('.search-result-title')?.textContent)).toBe(second)
    await page.keyboard.press('Enter')
    await expect.poll(() => page.getByRole('textbox', { name: 'Title' }).inputValue(), WAIT).toBe(second)
    await search.fill('')
  })

  it('opens a trashed note read-only, with Restore and Delete forever', { timeout: 120_000 }, async () => {
    const { page } = device
    const title = (await noteTitles(page))[2]!
    await openNote(page, title)
    await page.locator('.note-header').getByRole('button', { name: 'More actions' }).click()
    await page.getByRole('menuitem', { name: 'Move to trash' }).click()
    await sidebar(page).getByRole('button', { name: /^Trash\b/ }).click()
    await page.getByRole('list', { name: 'Trashed notes' }).getByRole('button', { name: title, exact: true }).click()
    await expect.poll(() => editor(page).getAttribute('contenteditable'), WAIT).toBe('false')
    const banner = page.getByRole('status', { name: 'Trash notice' })
    expect(await banner.getByRole('button', { name: 'Delete forever' }).count()).toBe(1)
    await banner.getByRole('button', { name: 'Restore' }).click()
    await expect.poll(() => editor(page).getAttribute('contenteditable'), WAIT).toBe('true')
    await expect.poll(async () => (await relayNotes()).get(title)?.trashed, WAIT).toBe(false)
  })

  it('resizes the panes from the keyboard and remembers their widths', { timeout: 120_000 }, async () => {
    const { page } = device
    await page.setViewportSize({ width: 1280, height: 800 })
    const splitter = page.getByRole('separator', { name: 'Resize note list' })
    const before = Number(await splitter.getAttribute('aria-valuenow'))
    await splitter.focus()
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight')
    await expect.poll(async () => Number(await splitter.getAttribute('aria-valuenow')), WAIT).toBe(before + 48)
    await page.reload()
    await expect.poll(async () => Number(await page.getByRole('separator', { name: 'Resize note list' }).getAttribute('aria-valuenow')), WAIT).toBe(before + 48)
    await page.getByRole('region', { name: 'Note list' }).evaluate((el) => el.getBoundingClientRect().width).then((width) => expect(Math.round(width)).toBe(before + 48))
  })

  it('shows one pane at a time in a narrow window, with a way back', { timeout: 120_000 }, async () => {
    const { page } = device
    await page.setViewportSize({ width: 600, height: 800 })
    // The resize reaches the app as an event: wait for the narrow layout before looking at it.
    await page.locator('.app[data-layout="narrow"]').waitFor(WAIT)
    // With a note open, the narrow window shows just it, with a way back to the list.
    if (await page.getByRole('button', { name: 'Back to notes' }).isVisible()) await page.getByRole('button', { name: 'Back to notes' }).click()
    await page.getByRole('region', { name: 'Note list' }).waitFor(WAIT)
    expect(await page.getByRole('complementary', { name: 'Notes sidebar' }).count()).toBe(0)
    const title = (await noteTitles(page))[0]!
    await notesList(page).getByRole('button', { name: title, exact: true }).click()
    await editor(page).waitFor(WAIT)
    expect(await page.getByRole('region', { name: 'Note list' }).count()).toBe(0)
    await page.getByRole('button', { name: 'Back to notes' }).click()
    await page.getByRole('button', { name: 'Back to folders' }).click()
    await page.getByRole('complementary', { name: 'Notes sidebar' }).getByRole('button', { name: 'Folder Journal', exact: true }).click()
    await page.getByRole('region', { name: 'Note list' }).waitFor(WAIT)
    expect(await page.getByRole('heading', { name: 'Journal' }).count()).toBe(1)
    expect(pageErrors(device)).toEqual([])
    await page.setViewportSize({ width: 1100, height: 720 })
  })
})
