// A fresh user's first minutes, without any relay: "New note" puts the caret in the new note,
// and links take a bare domain and open with Ctrl/Cmd+K.

import { describe, expect, it } from 'vitest'
import { pageErrors } from '../helpers/browser'
import {
  WAIT,
  editor,
  editorText,
  noteTitles,
  selectedText,
  sidebar,
  OFFLINE,
  waitForConnection,
  waitForEditorFocus,
} from './app'
import { addLinkRefusingScript, typeNewLine } from './choreography'
import { offlineDevicePerFile } from './relay-fixture'

const device = offlineDevicePerFile()

describe('new note and links', () => {
  it('after clicking New note, typing goes into the new note (and spaces do not create more notes)', { timeout: 120_000 }, async () => {
    const { page } = device
    await waitForConnection(page, OFFLINE)
    await sidebar(page).getByRole('button', { name: 'New note' }).click()
    await editor(page).waitFor(WAIT)
    // No click into the editor: the caret must already be there.
    await waitForEditorFocus(page)
    await page.keyboard.type('Typed straight after New note')
    await expect.poll(() => editorText(page), WAIT).toBe('Typed straight after New note')
    await expect.poll(() => noteTitles(page), WAIT).toEqual(['Typed straight after New note'])
    expect(pageErrors(device)).toEqual([])
  })

  it('Ctrl/Cmd+K opens the link dialog, and a bare domain becomes an https link', { timeout: 120_000 }, async () => {
    const { page } = device
    await typeNewLine(page, 'Skein docs')
    await page.keyboard.press('Shift+Home')
    await expect.poll(() => selectedText(page), WAIT).toBe('Skein docs')
    await page.keyboard.press('ControlOrMeta+k')
    await addLinkRefusingScript(page, 'example.org/docs')
    await expect.poll(() => editor(page).locator('a').getAttribute('href'), WAIT).toBe('https://example.org/docs')
    expect(await editor(page).locator('a').innerText()).toBe('Skein docs')
    expect(pageErrors(device)).toEqual([])
  })
})
