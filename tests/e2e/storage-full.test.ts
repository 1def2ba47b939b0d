// The device's disk fills up while the writer types. A real full disk: the browser profile lives on
// a 64 MB tmpfs, and a filler file takes all but a few hundred kB. The note must not say "Saved on
// this device": it says the write failed, keeps the text in memory, counts it as unsaved (the
// leave-page warning), retries, and saves it once space is back. Checked against what IndexedDB
// holds after a reload. (Chromium's Storage.overrideQuotaForOrigin had no effect on this build.)

import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM_PATH } from '../helpers/browser'
import { WAIT, caretToEnd, connection, createNote, editorText, saveStatus, waitUntilSavedLocally } from './app'
import { startE2eRelay, type E2eRelay } from './relay-fixture'

function canMount(): boolean {
  const probe = mkdtempSync(join(tmpdir(), 'skein-mount-probe-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' })
    execFileSync('umount', [probe], { stdio: 'ignore' })
    return true
  } catch {
    return false
  } finally {
    rmSync(probe, { recursive: true, force: true })
  }
}

const MOUNTABLE = canMount()
if (!MOUNTABLE) console.warn('storage-full: cannot mount a tmpfs here (needs root); the full-disk test is skipped')

let relay: E2eRelay
let disk: string
let context: BrowserContext
const free = (): number => {
  const s = statfsSync(disk)
  return s.bavail * s.bsize
}

beforeAll(async () => {
  if (!MOUNTABLE) return
  relay = await startE2eRelay()
  disk = mkdtempSync(join(tmpdir(), 'skein-disk-'))
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', disk])
  mkdirSync(join(disk, 'profile'))
  context = await chromium.launchPersistentContext(join(disk, 'profile'), {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1100, height: 720 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  context.setDefaultTimeout(60_000)
}, 120_000)

afterAll(async () => {
  if (!MOUNTABLE) return
  await context?.close()
  await relay?.close()
  execFileSync('umount', ['-l', disk])
  rmSync(disk, { recursive: true, force: true })
})

describe('a full disk while typing', () => {
  it.skipIf(!MOUNTABLE)('says the note is not saved, keeps the text, warns before leaving, retries, and saves it once space is back', { timeout: 240_000 }, async () => {
    const page = context.pages()[0] ?? (await context.newPage())
    const leaveWarnings: string[] = []
    page.on('dialog', (dialog) => {
      if (dialog.type() === 'beforeunload') leaveWarnings.push(page.url())
      void dialog.dismiss() // stay on the page
    })
    await page.goto(relay.url)
    await createNote(page)
    await caretToEnd(page)
    await page.keyboard.type('Before the disk filled.')
    await waitUntilSavedLocally(page)

    writeFileSync(join(disk, 'filler'), Buffer.alloc(Math.max(0, free() - 64_000)))
    await page.keyboard.press('Enter')
    await page.keyboard.insertText(`Typed on a full disk ${Array.from({ length: 100_000 }, (_, i) => `w${i}`).join(' ')} end.`)

    await expect.poll(() => saveStatus(page).textContent(), WAIT).toMatch(/^Not saved on this device: the disk is full or cannot be written/)
    await expect.poll(() => connection(page).textContent(), WAIT).toBe('1 note not saved on this device')
    // Retries keep failing while the disk is full, and the text stays on screen.
    await new Promise((resolve) => setTimeout(resolve, 3_000))
    expect(await saveStatus(page).textContent()).toMatch(/^Not saved on this device/)
    expect(await editorText(page)).toContain('Typed on a full disk')
    // Leaving now would lose it: the page asks first.
    await page.reload().catch(() => undefined)
    expect(leaveWarnings.length).toBeGreaterThan(0)

    rmSync(join(disk, 'filler')) // space is back
    await waitUntilSavedLocally(page)
    await expect.poll(() => connection(page).textContent(), WAIT).not.toMatch(/not saved/)

    // Ground truth: what IndexedDB holds, read back by a reload.
    page.removeAllListeners('dialog')
    page.on('dialog', (dialog) => void dialog.accept())
    await page.reload()
    await expect.poll(() => editorText(page), WAIT).toContain('Typed on a full disk')
    expect(await editorText(page)).toContain('w99999 end.')
  })
})
