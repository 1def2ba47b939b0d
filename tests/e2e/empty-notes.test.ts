// Empty notes (docs/sync-rules.md, "Empty notes"): a new note left untouched never reaches the
// relay, while one with a single typed character does. Ground truth: the relay's files (its
// metadata store meta.sqlite and its room storage skein.sqlite) and the device's IndexedDB.

import Database from 'better-sqlite3'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { pageErrors } from '../helpers/browser'
import { metricValue } from '../helpers/meta'
import { ONLINE, WAIT, createNote, editor, indexedDbNames, selectedNoteId, waitForConnection } from './app'
import { deviceCatalog } from './truth-audit'
import { oneDevicePerFile } from './relay-fixture'

const { relay, device } = oneDevicePerFile()

/** What the relay's files hold of note `id`: its record or op answers, and stored content (text or versions). */
function onRelay(id: string): { record: boolean; ops: number; updates: number } {
  const meta = new Database(join(relay.dataDir, 'meta.sqlite'), { readonly: true, fileMustExist: true })
  const docs = new Database(join(relay.dataDir, 'skein.sqlite'), { readonly: true, fileMustExist: true })
  try {
    return {
      record: meta.prepare("SELECT 1 FROM meta_entities WHERE type = 'note' AND id = ?").get(id) !== undefined,
      ops: (meta.prepare('SELECT count(*) AS n FROM meta_ops WHERE result LIKE ?').get(`%"${id}"%`) as { n: number }).n,
      // Rooms are stored as `<workspace>/note/<id>` and `<workspace>/history/<id>`.
      updates: (docs.prepare('SELECT count(*) AS n FROM updates WHERE room LIKE ?').get(`%/${id}`) as { n: number }).n,
    }
  } finally {
    meta.close()
    docs.close()
  }
}

/** Open WebSocket connections on the relay. */
const connections = async (): Promise<number> => metricValue(await (await fetch(`${relay.url}metrics`)).text(), 'skein_connections')

const NOTHING = { record: false, ops: 0, updates: 0 }

describe('empty notes', () => {
  it('a new note left untouched never reaches the relay and leaves nothing on the device; one typed character does reach it', { timeout: 180_000 }, async () => {
    const { page } = device
    await waitForConnection(page, ONLINE)

    // Left for another new note without a keystroke.
    const untouched = await createNote(page)
    const typed = await createNote(page)
    expect(typed).not.toBe(untouched)
    await editor(page).click()
    await page.keyboard.type('x')
    // The typed note reaches the relay: its record and its one character.
    await expect.poll(() => onRelay(typed).record, WAIT).toBe(true)
    await expect.poll(() => onRelay(typed).updates, WAIT).toBeGreaterThan(0)
    await waitForConnection(page, 'All synced')

    // Left by closing the window (a reload) while it is open and untouched.
    const leftOpen = await createNote(page)
    await expect.poll(() => selectedNoteId(page), WAIT).toBe(leftOpen)
    // Its document is open in the editor but not connected to the relay (the only note open).
    await expect.poll(connections, WAIT).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    expect(await connections()).toBe(0)
    await page.reload()
    await waitForConnection(page, 'All synced')

    // The device: neither untouched note in its catalog, nor a database of its document.
    await expect.poll(async () => (await deviceCatalog(page)).notes.sort(), WAIT).toEqual([typed])
    for (const id of [untouched, leftOpen]) await expect.poll(async () => (await indexedDbNames(page)).filter((name) => name.includes(id)), WAIT).toEqual([])
    // The relay, after everything the device did since has arrived: never heard of either.
    for (const id of [untouched, leftOpen]) expect(onRelay(id), `note ${id}`).toEqual(NOTHING)
    expect(pageErrors(device)).toEqual([])
  })
})
