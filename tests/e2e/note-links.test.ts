// Links between notes across two devices: a link made with the [[ picker shows the linked note's
// current title, so a rename on the other device shows in it; it opens the note when clicked, and
// a link to a note in the trash says so.

import { describe, expect, it } from 'vitest'
import { pageErrors } from '../helpers/browser'
import { ONLINE, WAIT, editor, noteTitles, openNote, selectedNoteId, waitForConnection } from './app'
import { openWhenListed, renameOpenNote, trashOpenNote, typeAtEnd, writeNewNote } from './choreography'
import { twoDevicesPerFile } from './relay-fixture'

const { a, b } = twoDevicesPerFile()

describe('links between notes', () => {
  it('a link made with [[ shows the target’s title as renamed on the other device, opens it, and says when it is in the trash', { timeout: 240_000 }, async () => {
    await waitForConnection(a.page, ONLINE)
    await waitForConnection(b.page, ONLINE)
    const target = await writeNewNote(a.page, 'Target note')
    await expect.poll(() => noteTitles(a.page), WAIT).toContain('Target note')
    await writeNewNote(a.page, 'Source note')
    await a.page.keyboard.press('Enter')
    await typeAtEnd(a.page, 'see [[targ')
    const picker = a.page.getByRole('listbox', { name: 'Link to note' })
    await expect.poll(() => picker.getByRole('option').allInnerTexts(), WAIT).toEqual(['Target note'])
    await a.page.keyboard.press('Enter')
    const link = editor(a.page).locator(`a.note-link[data-note-id="${target}"]`)
    await expect.poll(() => link.innerText(), WAIT).toBe('Target note')

    // Renamed on the other device: the link shows the new title.
    await openWhenListed(b.page, 'Target note')
    await renameOpenNote(b.page, 'Renamed target')
    await expect.poll(() => link.innerText(), WAIT).toBe('Renamed target')
    // And the linking note reached b with its link intact, drawn with the title there.
    await openWhenListed(b.page, 'Source note')
    await expect.poll(() => editor(b.page).locator(`a.note-link[data-note-id="${target}"]`).innerText(), WAIT).toBe('Renamed target')

    // Clicking opens the linked note.
    await link.click()
    await expect.poll(() => selectedNoteId(a.page), WAIT).toBe(target)
    // In the trash on b: the link on a says so.
    await openNote(b.page, 'Renamed target')
    await trashOpenNote(b.page)
    await openNote(a.page, 'Source note')
    await expect.poll(() => link.getAttribute('aria-description'), WAIT).toBe('In the trash')
    expect(await link.getAttribute('class')).toContain('note-link-trashed')
    expect([...pageErrors(a), ...pageErrors(b)]).toEqual([])
  })
})
