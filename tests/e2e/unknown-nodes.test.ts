// A note written by a newer Skein holds a node type ("callout") and a mark ("spoiler") this
// version's editor does not know. y-prosemirror would delete them from the Y doc on binding (and
// the deletion would sync to everyone). Here a stock y-websocket client in Node writes such
// content into a note room on the real relay; the app, open on that note in Chromium, must switch
// to a read-only view, and the relay's copy must still hold the unknown content afterwards,
// whether it arrived while the note was being edited or was there when the note was opened.
//
// And the other way round: this build writes task lists, a table and a highlight; an OLDER build
// (the same guard and y-prosemirror's conversion, with the schema from before those existed; a
// stock y-websocket client in Node) sees them, live and when it opens the note. It must block
// before converting, so the relay's copy keeps everything.

import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { yXmlFragmentToProseMirrorRootNode } from '@tiptap/y-tiptap'
import { noteRoom } from '../../protocol/rooms'
import { SchemaGuard } from '../../renderer/editor/schema-guard'
import { pageErrors } from '../helpers/browser'
import { OLDER_SCHEMA, callout, elementNames, para, writeNewer } from '../helpers/newer-schema'
import { WAIT, caretToEnd, createNote, editor } from './app'
import { asStockClient, oneDevicePerFile } from './relay-fixture'
import type { E2eRelay } from './relay-fixture'

const { relay, device } = oneDevicePerFile()

/**
 * An older Skein's device on a note: its schema guard, and in place of its editor y-prosemirror's
 * conversion under the older schema, run on every change while the guard lets it (the binding
 * deletes what it cannot map, and the deletion syncs to the relay).
 */
function olderDevice(relay: E2eRelay, noteId: string): { doc: Y.Doc; guard: Promise<SchemaGuard>; close(): void } {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(relay.url.replace(/^http/, 'ws').replace(/\/$/, ''), noteRoom(noteId), doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  })
  const guard = new Promise<SchemaGuard>((resolve) =>
    provider.once('sync', () => {
      const fragment = doc.getXmlFragment('default')
      const guard = new SchemaGuard(doc, OLDER_SCHEMA)
      if (guard.blocked.get() === null) {
        const bind = (): void => void yXmlFragmentToProseMirrorRootNode(fragment, OLDER_SCHEMA)
        fragment.observeDeep(bind)
        guard.onBlock(() => fragment.unobserveDeep(bind))
        bind()
      }
      resolve(guard)
    }),
  )
  return { doc, guard, close: () => (provider.destroy(), doc.destroy()) }
}

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
    // Named, so it is no longer a draft only this device knows (docs/sync-rules.md, "Empty notes"):
    // another device can only write into a note the relay has heard of.
    await page.getByRole('textbox', { name: 'Title' }).fill('From a newer version')
    await page.getByRole('textbox', { name: 'Title' }).press('Enter')
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

  it('an older build seeing tasks, a table and a highlight written here blocks, and nothing is lost', { timeout: 180_000 }, async () => {
    const { page } = device
    const noteId = await createNote(page)
    await caretToEnd(page)
    await page.keyboard.type('Older sees this')
    await expect.poll(() => asStockClient(relay, noteId, (doc) => doc.getXmlFragment('default').toString()), WAIT).toContain('Older sees this')
    const live = olderDevice(relay, noteId)
    try {
      const liveGuard = await live.guard
      expect(liveGuard.blocked.get()).toBeNull()

      const kb = page.keyboard
      await kb.type(' and ==this== too')
      await kb.press('Enter')
      await kb.type('[ ] a task')
      await kb.press('Enter')
      await kb.press('Enter')
      await kb.type('/table')
      await kb.press('Enter')
      await kb.type('a cell')
      await expect.poll(() => liveGuard.blocked.get()?.map((u) => u.name) ?? [], WAIT).toEqual(expect.arrayContaining(['highlight']))
      await expect.poll(() => elementNames(live.doc), WAIT).toEqual(expect.arrayContaining(['taskList', 'table']))

      await page.waitForTimeout(2_000) // time for a deletion, had there been one, to reach the relay
      const onRelay = await asStockClient(relay, noteId, (doc) => ({ names: elementNames(doc), xml: doc.getXmlFragment('default').toString() }))
      expect(onRelay.names).toEqual(expect.arrayContaining(['taskList', 'taskItem', 'table', 'tableRow', 'tableHeader']))
      expect(onRelay.xml).toContain('highlight')
      expect(onRelay.xml).toContain('a cell')

      // Opened cold by an older build: blocked at once, never converted.
      const cold = olderDevice(relay, noteId)
      try {
        expect((await cold.guard).blocked.get()?.map((u) => u.name)).toEqual(expect.arrayContaining(['taskList', 'table', 'highlight']))
      } finally {
        cold.close()
      }
      expect(await editor(page).locator('table').count()).toBe(1)
      expect(pageErrors(device)).toEqual([])
    } finally {
      live.close()
    }
  })
})
