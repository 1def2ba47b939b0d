// A collaborator can write any Yjs content. Here one does, with a stock y-websocket client in
// Node: link marks whose href is javascript:, data:, obfuscated (case, whitespace, NUL), or not a
// string at all, written straight into the note's Y.XmlFragment (the way y-prosemirror stores
// marks), never through paste or HTML parsing. The note open in Chromium must draw those links
// without any href, and clicking them must do nothing: no script, no navigation, no popup.

import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { pageErrors } from '../helpers/browser'
import { WAIT, caretToEnd, createNote, editor } from './app'
import { asStockClient, oneDevicePerFile } from './relay-fixture'

const HOSTILE_HREFS: unknown[] = [
  'javascript:window.__pwned=1',
  'JAVASCRIPT:window.__pwned=2',
  ' jav\tascript:window.__pwned=3',
  '\u0000javascript:window.__pwned=4',
  'java\nscript:window.__pwned=5',
  'data:text/html,<script>window.top.__pwned=6</script>',
  'vbscript:msgbox(7)',
  'file:///etc/passwd',
  42,
  null,
]

const { relay, device } = oneDevicePerFile()

/** Writes one paragraph per link into the note's document on the relay, as a collaborator. */
async function injectLinks(noteId: string, links: { text: string; href: unknown }[]): Promise<void> {
  await asStockClient(relay, noteId, (doc) => {
    doc.transact(() => {
      const fragment = doc.getXmlFragment('default')
      fragment.insert(
        fragment.length,
        links.map(({ text, href }) => {
          const paragraph = new Y.XmlElement('paragraph')
          const content = new Y.XmlText()
          content.insert(0, text, { link: { href } })
          paragraph.insert(0, [content])
          return paragraph
        }),
      )
    })
  })
}

describe('links written into the document by a hostile collaborator', () => {
  it('render without an href, and clicking them runs nothing and goes nowhere', { timeout: 180_000 }, async () => {
    const { page, context } = device
    const noteId = await createNote(page)
    await caretToEnd(page)
    await page.keyboard.type('A note someone else can edit')

    const links = [
      { text: 'control link', href: 'https://example.com/ok' },
      ...HOSTILE_HREFS.map((href, i) => ({ text: `hostile link ${i}`, href })),
    ]
    await injectLinks(noteId, links)

    const link = (text: string) => editor(page).locator('a', { hasText: text })
    // The control shows the links did arrive and are drawn as links.
    await expect.poll(() => link('control link').getAttribute('href'), WAIT).toBe('https://example.com/ok')
    for (let i = 0; i < HOSTILE_HREFS.length; i += 1) {
      await expect.poll(() => link(`hostile link ${i}`).count(), WAIT).toBe(1)
      expect(await link(`hostile link ${i}`).getAttribute('href'), String(HOSTILE_HREFS[i])).toBeNull()
      expect(await link(`hostile link ${i}`).getAttribute('target')).toBeNull()
    }
    expect(await editor(page).locator('a[href^="javascript" i], a[href^="data" i], a[href^="vbscript" i], a[href^="file" i]').count()).toBe(0)

    const dialogs: string[] = []
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.dismiss()
    })
    const popups: string[] = []
    context.on('page', (popup) => popups.push(popup.url()))
    const url = page.url()
    for (let i = 0; i < HOSTILE_HREFS.length; i += 1) {
      await link(`hostile link ${i}`).click()
      await link(`hostile link ${i}`).click({ modifiers: ['ControlOrMeta'] })
      await link(`hostile link ${i}`).click({ button: 'middle' })
    }
    await page.waitForTimeout(500)
    expect(await page.evaluate(() => (window as Window & { __pwned?: unknown }).__pwned)).toBeUndefined()
    expect(page.url()).toBe(url)
    expect(popups).toEqual([])
    expect(dialogs).toEqual([])
    // The app is still alive and editing: a link with a non-string href did not crash rendering.
    await caretToEnd(page)
    await page.keyboard.type(' still editable')
    await expect.poll(() => editor(page).textContent(), WAIT).toContain('still editable')
    expect(pageErrors(device)).toEqual([])
  })
})
