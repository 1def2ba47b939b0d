// Page-level vocabulary for driving the Skein web client in e2e tests. Everything is found by
// role and accessible name, the way a user (or a screen reader) finds it.

import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import sirv from 'sirv'
import { expect } from 'vitest'
import type { Locator, Page } from 'playwright-core'

export const CLIENT_DIR = 'dist/renderer'
/**
 * Generous: two slow cores shared with other work, several Chromium contexts, and y-websocket's
 * reconnect backoff (up to 2.5 s). A poll returns as soon as its condition holds.
 */
export const WAIT = { timeout: 45_000, interval: 100 }

export function assertClientBuilt(): void {
  if (!existsSync(join(CLIENT_DIR, 'index.html'))) {
    throw new Error(`${CLIENT_DIR}/index.html missing: run \`npm run build:web\` before the e2e tests`)
  }
}

/** The workspace's panes and status bar (where the app's buttons are); dialogs are outside it. */
export const sidebar = (page: Page): Locator => page.locator('.app')
export const notesList = (page: Page): Locator => page.getByRole('list', { name: 'Notes' })
export const editor = (page: Page): Locator => page.getByRole('textbox', { name: 'Note editor' })
/** The window's sync status line: "All synced", "N pending", "Offline since HH:MM", … */
export const connection = (page: Page): Locator => page.getByRole('status', { name: 'Sync status' })
export const saveStatus = (page: Page): Locator => page.getByRole('status', { name: 'Save status' })
export const tool = (page: Page, name: string): Locator =>
  page.getByRole('toolbar', { name: 'Formatting' }).getByRole('button', { name, exact: true })

/** Sets the current block's style from the toolbar's Text style menu (Paragraph, Heading 1–6). */
export async function textStyle(page: Page, style: string): Promise<void> {
  await page.getByRole('toolbar', { name: 'Formatting' }).getByRole('combobox', { name: 'Text style' }).selectOption({ label: style })
}

/** Note titles in list order (newest first); [] while the list is empty. */
export async function noteTitles(page: Page): Promise<string[]> {
  return page.getByRole('list', { name: 'Notes' }).getByRole('listitem').evaluateAll((items) =>
    items.map((item) => item.getAttribute('aria-label') ?? ''),
  )
}

/** The sidebar's Trash button (its name includes the count). */
export const trashButton = (page: Page): Locator => sidebar(page).getByRole('button', { name: /^Trash\b/ })
/** The banner on an open note that was trashed on another device. */
export const trashBanner = (page: Page): Locator => page.getByRole('status', { name: 'Trash notice' })

/** Titles in the Trash view, in order; [] when the trash is empty (opens the Trash view). */
export async function trashTitles(page: Page): Promise<string[]> {
  await openTrash(page)
  return page.getByRole('list', { name: 'Trashed notes' }).getByRole('listitem').evaluateAll((items) =>
    items.map((item) => item.getAttribute('aria-label') ?? ''),
  )
}

/** The number shown next to "Trash" in the sidebar. */
export async function trashCount(page: Page): Promise<number> {
  return Number(await trashButton(page).locator('.count').textContent())
}

export async function openTrash(page: Page): Promise<void> {
  if ((await trashButton(page).getAttribute('aria-pressed')) !== 'true') await trashButton(page).click()
  await page.getByRole('navigation', { name: 'Trash' }).waitFor(WAIT)
}

export async function closeTrash(page: Page): Promise<void> {
  if ((await trashButton(page).getAttribute('aria-pressed')) === 'true') await trashButton(page).click()
  await page.getByRole('navigation', { name: 'Notes' }).waitFor(WAIT)
}

/** Sync status lines when the relay is reachable, and when it is not. */
export const ONLINE = /^(All synced|\d+ pending)$/
export const OFFLINE = /^(Offline|Everything saved on this device · offline)/

export async function waitForConnection(page: Page, label: string | RegExp): Promise<void> {
  await expect.poll(() => connection(page).textContent(), WAIT).toMatch(label)
}

/** Creates a note and waits until its (empty) editor is ready. Returns the new note's id. */
export async function createNote(page: Page): Promise<string> {
  const before = await selectedNoteId(page)
  await sidebar(page).getByRole('button', { name: 'New note' }).click()
  await expect.poll(() => selectedNoteId(page), WAIT).not.toBe(before)
  await editor(page).waitFor(WAIT)
  await expect.poll(() => editor(page).textContent(), WAIT).toBe('')
  const id = await selectedNoteId(page)
  if (!id) throw new Error('createNote: no note selected after creating one')
  return id
}

export function selectedNoteId(page: Page): Promise<string | null> {
  return page.evaluate(() => localStorage.getItem('skein:selected-note'))
}

export async function openNote(page: Page, title: string): Promise<void> {
  await notesList(page).getByRole('button', { name: title, exact: true }).click()
  await expect.poll(() => notesList(page).getByRole('button', { name: title, exact: true }).getAttribute('aria-current'), WAIT).toBe('true')
  await editor(page).waitFor(WAIT)
}

/**
 * TipTap keeps its Editor on the editor's DOM node. Tests read ProseMirror's selection through it
 * because native caret moves (End, Shift+Home, …) reach ProseMirror via an async `selectionchange`:
 * a key pressed right after one can be handled against the old selection. A person typing never
 * hits that gap; a test must wait it out.
 */
interface EditorDom extends HTMLElement {
  editor?: {
    state: {
      doc: { textBetween(from: number, to: number, sep?: string): string }
      selection: { from: number; to: number; constructor: unknown }
    }
  }
}

/** The text ProseMirror currently has selected ('' when the selection is a caret). */
export function selectedText(page: Page): Promise<string | null> {
  return editor(page).evaluate((el: EditorDom) => {
    const state = el.editor?.state
    return state ? state.doc.textBetween(state.selection.from, state.selection.to, '\n') : null
  })
}

/** Puts the caret at the very end of the note (Ctrl/Cmd+End), as ProseMirror sees it. */
export async function caretToEnd(page: Page): Promise<void> {
  await editor(page).click()
  await page.keyboard.press('ControlOrMeta+End')
  await expect
    .poll(
      () =>
        editor(page).evaluate((el: EditorDom) => {
          const state = el.editor?.state
          if (!state) return false
          const Selection = state.selection.constructor as { atEnd(doc: unknown): { from: number } }
          const end = Selection.atEnd(state.doc).from
          return state.selection.from === end && state.selection.to === end
        }),
      WAIT,
    )
    .toBe(true)
}

/** Waits until keyboard input goes to the editor (TipTap moves focus back a frame later). */
export async function waitForEditorFocus(page: Page): Promise<void> {
  await expect.poll(() => editor(page).evaluate((el) => el === document.activeElement), WAIT).toBe(true)
}

/** The note's text: one line per top-level block. */
export function editorText(page: Page): Promise<string> {
  return editor(page).evaluate((el) => Array.from(el.children, (block) => block.textContent ?? '').join('\n'))
}

/** Waits until every local update of the open note is committed to IndexedDB. */
export async function waitUntilSavedLocally(page: Page): Promise<void> {
  await expect.poll(() => saveStatus(page).textContent(), WAIT).toMatch(/^(Saved on this device|On the relay)/)
}

export function indexedDbNames(page: Page): Promise<string[]> {
  return page.evaluate(async () => (await indexedDB.databases()).map((db) => db.name ?? ''))
}

/** A plain static file server for the built client: no relay behind it, WebSocket upgrades fail. */
export async function startStaticServer(dir = CLIENT_DIR): Promise<{ url: string; close(): Promise<void> }> {
  const serve = sirv(dir, { single: true, dev: false })
  const server: Server = createServer((req, res) => serve(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('static server: no TCP address')
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
