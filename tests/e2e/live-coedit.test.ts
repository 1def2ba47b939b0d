// Two devices (separate browser contexts) co-edit one note live through the real relay.

import { describe, expect, it } from 'vitest'
import { pageErrors } from '../helpers/browser'
import { WAIT, caretToEnd, editorText, noteTitles } from './app'
import { shareNewNote, waitUntilOnline } from './choreography'
import { twoDevicesPerFile } from './relay-fixture'


const { a, b } = twoDevicesPerFile()

describe('two devices, one note', () => {
  it('shows a note created on one device in the other device’s list and merges both devices’ typing', { timeout: 240_000 }, async () => {
    await waitUntilOnline(a.page, b.page)
    // B's list picks the note up live, with its title, without a reload.
    await shareNewNote(a.page, b.page, 'Hello from A')
    expect(await noteTitles(b.page)).toEqual(['Hello from A'])

    // Both type at the same time, at different places.
    await caretToEnd(b.page)
    await a.page.keyboard.press('ControlOrMeta+Home')
    await Promise.all([
      (async () => {
        await b.page.keyboard.press('Enter')
        await b.page.keyboard.type('B was here too')
      })(),
      a.page.keyboard.type('Title: '),
    ])

    const expected = 'Title: Hello from A\nB was here too'
    await expect.poll(() => editorText(a.page), WAIT).toBe(expected)
    await expect.poll(() => editorText(b.page), WAIT).toBe(expected)
    // Titles are metadata: the note took its first line as its title once, on the device that
    // wrote it; later edits to the text (from either device) do not rename it.
    await expect.poll(() => noteTitles(a.page), WAIT).toEqual(['Hello from A'])
    await expect.poll(() => noteTitles(b.page), WAIT).toEqual(['Hello from A'])
    expect([...pageErrors(a), ...pageErrors(b)]).toEqual([])
  })
})
