// A note written by a newer Skein holds a node type ("callout") and a mark ("spoiler") this
// version's editor does not know. y-prosemirror would delete them from the Y doc on binding (and
// the deletion would sync to everyone). Here a stock y-websocket client in Node writes such
// content into a note room on the real relay; the app, open on that note in Chromium, must switch
// to a read-only view, and the relay's copy must still hold the unknown content afterwards,
// whether it arrived while the note was being edited or was there when the note was opened.

import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { pageErrors } from '../helpers/browser'
import { callout, elementNames, para, writeNewer } from '../helpers/newer-schema'
import { WAIT, caretToEnd, createNote, editor } from './app'
import { asStockClient, oneDevicePerFile } from './relay-fixture'

const { relay, device } = oneDevicePerFile()

const readOnlyNotice = (page: Page) => page.getByRole('alert', { name: 'Read-only notice' })
const readOnlyContent = (page: Page) => page.getByLabel('Note content (read-only)')

describe('a note holding content from a newer version', () => {
  it('arriving while the note is open: the editor steps aside and nothing is deleted', { timeout: 180_000 }, async () => {
    const { page } = device
    const noteId = await createNote(page)
    await caretToEnd(page)
    await page.keyboard.type('Written here first')
    await expect.poll(() => asStockClient(relay, noteId, (doc) => doc.getXmlFragment('default').toString()), WAIT).toContain('Written here first')

    await asStockClient(relay, noteId, (doc) => writeNewer(doc, [callout('A callout from the future'), para('and a spoiler', [{ type: 'spoiler' }])]))

    await readOnlyNotice(page).waitFor(WAIT)
    await expect.poll(() => readOnlyContent(page).textContent(), WAIT).toContain('A callout from the future')
    expect(await editor(page).count()).toBe(0)
    // Give any deletion time to reach the relay, then read the relay's copy with another client.
    await page.waitForTimeout(2_000)
    const onRelay = await asStockClient(relay, noteId, (doc) => ({ names: elementNames(doc), xml: doc.getXmlFragment('default').toString() }))
    expect(onRelay.names).toContain('callout')
    expect(onRelay.xml).toContain('spoiler')
    expect(onRelay.xml).toContain('Written here first')
    expect(pageErrors(device)).toEqual([])
  })

  it('present when the note is opened: it is never bound to the editor', { timeout: 180_000 }, async () => {
    const { page } = device
    const noteId = await createNote(page)
    await asStockClient(relay, noteId, (doc) => writeNewer(doc, [para('Plain start'), callout('Callout present before opening')]))
    await readOnlyNotice(page).waitFor(WAIT)

    // Open it cold: a reload reopens the selected note from IndexedDB.
    await page.reload()
    await readOnlyNotice(page).waitFor(WAIT)
    await expect.poll(() => readOnlyContent(page).textContent(), WAIT).toContain('Callout present before opening')
    expect(await editor(page).count()).toBe(0)
    await page.waitForTimeout(2_000)
    const names = await asStockClient(relay, noteId, elementNames)
    expect(names).toContain('callout')
    expect(pageErrors(device)).toEqual([])
  })
})
