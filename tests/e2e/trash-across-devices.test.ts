// Trash is reversible and never loses anyone's work across devices. A talks to the relay
// directly; B goes through a TCP proxy that can be cut (B offline).
//
// The rule under test (protocol/meta/rules.ts, docs/sync-rules.md): a trash or delete-forever op
// carries a snapshot of what the acting device had seen of the note; when the relay stores an
// edit that snapshot lacks, it restores the note.

import { describe, expect, it } from 'vitest'
import { pageErrors } from '../helpers/browser'
import { WAIT, closeTrash, editorText, indexedDbNames, noteTitles, openNote, trashBanner, trashCount, trashTitles, waitUntilSavedLocally } from './app'
import { comeBackOnline, deleteForever, goOffline, shareNewNote, trashOpenNote, typeAtEnd, typeNewLine, waitUntilOnline } from './choreography'
import { twoDevicesPerFile } from './relay-fixture'


const SHOTS = process.env.SKEIN_SCREENSHOTS // a folder: also save screenshots of the trash UI there

const { a, b, proxy } = twoDevicesPerFile({ cuttable: 'b' })

describe('trash across devices', () => {
  let id = ''

  it('keeps a note open on another device when it is trashed there: banner, Restore, and editing it restores it', { timeout: 240_000 }, async () => {
    await waitUntilOnline(a.page, b.page)
    id = await shareNewNote(a.page, b.page, 'Trip plan')
    expect(await noteTitles(b.page)).toEqual(['Trip plan'])

    await trashOpenNote(a.page)
    await expect.poll(() => noteTitles(a.page), WAIT).toEqual([])
    // B: out of the list, into the trash, but the open note stays open with a calm banner.
    await expect.poll(() => trashCount(b.page), WAIT).toBe(1)
    expect(await noteTitles(b.page)).toEqual([])
    await trashBanner(b.page).waitFor(WAIT)
    expect(await trashBanner(b.page).textContent()).toContain('This note is in the trash')
    expect(await editorText(b.page)).toBe('Trip plan')
    if (SHOTS) await b.page.screenshot({ path: `${SHOTS}/banner.png` })

    await trashBanner(b.page).getByRole('button', { name: 'Restore' }).click()
    await expect.poll(() => noteTitles(a.page), WAIT).toEqual(['Trip plan'])
    await expect.poll(() => noteTitles(b.page), WAIT).toEqual(['Trip plan'])
    await trashBanner(b.page).waitFor({ state: 'detached', ...WAIT })

    // Trashed again; this time B just types into it: an edit to a trashed note restores it.
    await openNote(a.page, 'Trip plan')
    await trashOpenNote(a.page)
    await trashBanner(b.page).waitFor(WAIT)
    await typeAtEnd(b.page, ' (edited)')
    // The relay sees an edit the trashing device had not seen, and restores the note (the title,
    // being metadata, stays as it was).
    await expect.poll(() => noteTitles(a.page), WAIT).toEqual(['Trip plan'])
    await expect.poll(() => noteTitles(b.page), WAIT).toEqual(['Trip plan'])
    expect(await trashCount(a.page)).toBe(0)
    await trashBanner(b.page).waitFor({ state: 'detached', ...WAIT })
    expect([...pageErrors(a), ...pageErrors(b)]).toEqual([])
  })

  it('brings back a note trashed while another device edited it offline, with those edits, on both devices', { timeout: 240_000 }, async () => {
    await openNote(a.page, 'Trip plan')
    await expect.poll(() => editorText(a.page), WAIT).toBe('Trip plan (edited)')

    // --- B offline, edits ------------------------------------------------------------------------
    await goOffline(proxy, b.page)
    await typeNewLine(b.page, 'Packed while offline on B')
    await waitUntilSavedLocally(b.page)

    // --- A, not having seen B's edits, trashes the note ----------------------------------------
    await trashOpenNote(a.page)
    await expect.poll(() => noteTitles(a.page), WAIT).toEqual([])
    expect(await trashTitles(a.page)).toEqual(['Trip plan'])
    if (SHOTS) await a.page.screenshot({ path: `${SHOTS}/trash-view.png` })
    await closeTrash(a.page)

    // --- B back: its unseen edits restore the note everywhere ------------------------------------
    await comeBackOnline(proxy, b.page)
    await expect.poll(() => noteTitles(a.page), WAIT).toEqual(['Trip plan'])
    await expect.poll(() => noteTitles(b.page), WAIT).toEqual(['Trip plan'])
    expect(await trashCount(a.page)).toBe(0)
    expect(await trashCount(b.page)).toBe(0)
    await openNote(a.page, 'Trip plan')
    await expect.poll(() => editorText(a.page), WAIT).toBe('Trip plan (edited)\nPacked while offline on B')
    expect(await editorText(b.page)).toBe('Trip plan (edited)\nPacked while offline on B')
    expect([...pageErrors(a), ...pageErrors(b)]).toEqual([])
  })

  it('delete forever erases the note on every device, unless a device holds edits it never saw', { timeout: 240_000 }, async () => {
    // --- B offline edits; A trashes and deletes forever: B's edits bring the note back ------------
    await goOffline(proxy, b.page)
    await typeNewLine(b.page, 'One more line from B')
    await waitUntilSavedLocally(b.page)
    await trashOpenNote(a.page)
    await deleteForever(a.page, 'Trip plan')
    expect(await trashTitles(a.page)).toEqual([])
    await closeTrash(a.page)
    expect(await noteTitles(a.page)).toEqual([])

    await comeBackOnline(proxy, b.page)
    await expect.poll(() => noteTitles(a.page), WAIT).toEqual(['Trip plan'])
    await expect.poll(() => noteTitles(b.page), WAIT).toEqual(['Trip plan'])
    await openNote(a.page, 'Trip plan')
    await expect.poll(() => editorText(a.page), WAIT).toBe('Trip plan (edited)\nPacked while offline on B\nOne more line from B')

    // --- Both online, B has seen nothing A has not: delete forever erases B's copy too -----------
    await trashOpenNote(a.page)
    await expect.poll(() => trashCount(b.page), WAIT).toBe(1)
    await deleteForever(a.page, 'Trip plan')
    await expect.poll(() => trashCount(b.page), WAIT).toBe(0)
    expect(await noteTitles(b.page)).toEqual([])
    await expect.poll(() => indexedDbNames(b.page), WAIT).not.toContain(`skein:note/${id}`)
    await expect.poll(() => indexedDbNames(a.page), WAIT).not.toContain(`skein:note/${id}`)
    expect([...pageErrors(a), ...pageErrors(b)]).toEqual([])
  })
})
