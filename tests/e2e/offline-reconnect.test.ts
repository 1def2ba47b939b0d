// Device A loses its network (a TCP proxy between it and the relay is cut) while both devices
// keep writing. After the network comes back the note converges with nothing lost, and the merged
// text is what both devices have stored locally.

import { describe, expect, it } from 'vitest'
import { pageErrors } from '../helpers/browser'
import { WAIT, editorText, noteTitles, openNote, OFFLINE, waitForConnection, waitUntilSavedLocally } from './app'
import { comeBackOnline, goOffline, shareNewNote, typeNewLine, waitUntilOnline, writeNewNote } from './choreography'
import { twoDevicesPerFile } from './relay-fixture'


const { a, b, proxy } = twoDevicesPerFile({ cuttable: 'a' })

describe('offline edits on both devices, then reconnect', () => {
  it('converges to the same text with both offline edits, and keeps it across a reload', { timeout: 240_000 }, async () => {
    await waitUntilOnline(a.page, b.page)
    await shareNewNote(a.page, b.page, 'Shared start')
    expect(await noteTitles(b.page)).toEqual(['Shared start'])

    // --- A goes offline -------------------------------------------------------------------------
    await goOffline(proxy, a.page)
    await typeNewLine(a.page, 'Offline line from A')
    await typeNewLine(b.page, 'Line from B while A is away')

    await expect.poll(() => editorText(a.page), WAIT).toBe('Shared start\nOffline line from A')
    await expect.poll(() => editorText(b.page), WAIT).toBe('Shared start\nLine from B while A is away')
    await waitUntilSavedLocally(a.page)
    // Still apart: nothing crossed the cut.
    expect(await editorText(b.page)).not.toContain('Offline line from A')
    expect(await editorText(a.page)).not.toContain('Line from B while A is away')
    await waitForConnection(a.page, OFFLINE) // and retries did not pretend otherwise

    // --- Network back ---------------------------------------------------------------------------
    await comeBackOnline(proxy, a.page)
    const converged = async (): Promise<string> => {
      const [textA, textB] = await Promise.all([editorText(a.page), editorText(b.page)])
      return textA === textB ? textA : `A: ${JSON.stringify(textA)} / B: ${JSON.stringify(textB)}`
    }
    await expect.poll(converged, WAIT).toMatch(/^Shared start\n/)
    const merged = await editorText(a.page)
    expect(merged.split('\n').sort()).toEqual(['Line from B while A is away', 'Offline line from A', 'Shared start'])

    // --- Both reload: the merged note comes back from each device's own storage ------------------
    await waitUntilSavedLocally(a.page)
    await waitUntilSavedLocally(b.page)
    await Promise.all([a.page.reload(), b.page.reload()])
    await expect.poll(() => editorText(a.page), WAIT).toBe(merged)
    await expect.poll(() => editorText(b.page), WAIT).toBe(merged)
    expect(await noteTitles(a.page)).toEqual(['Shared start'])
    expect(await noteTitles(b.page)).toEqual(['Shared start'])
  })

  it('pulls a note written on another device in the background, so it opens offline with its content', { timeout: 240_000 }, async () => {
    await waitUntilOnline(a.page, b.page)
    await writeNewNote(b.page, 'Written on B')
    // A learns about the note through the change feed and, without opening it, pulls its content.
    await expect.poll(() => noteTitles(a.page), WAIT).toEqual(['Written on B', 'Shared start'])
    await waitForConnection(b.page, 'All synced')
    await waitForConnection(a.page, 'All synced')
    await expect.poll(() => a.page.evaluate(async () => (await indexedDB.databases()).filter((d) => d.name?.startsWith('skein:note/')).length), WAIT).toBe(2)

    await goOffline(proxy, a.page)
    await openNote(a.page, 'Written on B')
    await expect.poll(() => editorText(a.page), WAIT).toBe('Written on B')
    expect(await noteTitles(a.page)).toEqual(['Written on B', 'Shared start'])

    await comeBackOnline(proxy, a.page)
    expect(await noteTitles(a.page)).toEqual(['Written on B', 'Shared start'])
    expect(await noteTitles(b.page)).toEqual(['Written on B', 'Shared start'])
    expect([...pageErrors(a), ...pageErrors(b)]).toEqual([])
  })
})
