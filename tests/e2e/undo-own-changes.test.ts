// Undo on one device takes back that device's own typing only, never a collaborator's: two devices
// (separate browser contexts) on the real relay, A types, B types, A undoes (keyboard and toolbar).

import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { pageErrors } from '../helpers/browser'
import { WAIT, caretToEnd, editorText, tool } from './app'
import { openWhenListed, typeNewLine, waitUntilOnline, writeNewNote } from './choreography'
import { twoDevicesPerFile } from './relay-fixture'


const { a, b } = twoDevicesPerFile()

/** Undoes everything this device can undo (typing may have been captured as a few steps). */
async function undoAll(page: Page, how: 'keyboard' | 'toolbar'): Promise<void> {
  for (let i = 0; i < 20 && (await tool(page, 'Undo').isEnabled()); i++) {
    if (how === 'keyboard') await page.keyboard.press('ControlOrMeta+z')
    else await tool(page, 'Undo').click()
  }
  expect(await tool(page, 'Undo').isEnabled()).toBe(false)
}

describe('undo with a collaborator', () => {
  it('removes only this device’s own text, and redo brings it back', { timeout: 240_000 }, async () => {
    await waitUntilOnline(a.page, b.page)
    await writeNewNote(a.page, 'Alpha wrote this')
    await openWhenListed(b.page, 'Alpha wrote this')
    await typeNewLine(b.page, 'Beta wrote this')
    await expect.poll(() => editorText(a.page), WAIT).toBe('Alpha wrote this\nBeta wrote this')

    await caretToEnd(a.page)
    await undoAll(a.page, 'keyboard')
    for (const page of [a.page, b.page]) {
      await expect.poll(() => editorText(page), WAIT).not.toContain('Alpha')
      expect(await editorText(page)).toContain('Beta wrote this')
    }

    await a.page.keyboard.press('ControlOrMeta+Shift+z')
    await expect.poll(() => editorText(b.page), WAIT).toContain('Alpha wrote this')
    await expect.poll(() => editorText(a.page), WAIT).toContain('Beta wrote this')

    // The toolbar does the same, and Ctrl/Cmd+Y redoes.
    await undoAll(a.page, 'toolbar')
    await expect.poll(() => editorText(b.page), WAIT).not.toContain('Alpha')
    await a.page.keyboard.press('ControlOrMeta+y')
    await expect.poll(() => editorText(b.page), WAIT).toContain('Alpha wrote this')
    expect(await editorText(b.page)).toContain('Beta wrote this')
    expect([...pageErrors(a), ...pageErrors(b)]).toEqual([])
  })
})
