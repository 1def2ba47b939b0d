// The writer's workspace at the window sizes people use, in light and dark: the main views are
// photographed (docs/screenshots/, with SKEIN_UPDATE_SCREENSHOTS=1; tests/.tmp/screenshots/
// otherwise), their geometry is checked (layout-checks.ts: nothing sticking out or cut off, no
// control covered, the sync status in view), and axe-core finds no serious or critical
// accessibility problem. The workspace comes from "another device": seeded through the relay.

import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { pageErrors } from '../helpers/browser'
import { WAIT, notesList, openNote, sidebar } from './app'
import { layoutProblems } from './layout-checks'
import { oneDevicePerFile } from './relay-fixture'
import { seedWorkspace, type SeededWorkspace } from './workspace-seed'

const { relay, device } = oneDevicePerFile()
const SIZES = [
  { width: 1440, height: 900 },
  { width: 1024, height: 768 },
  { width: 800, height: 600 },
] as const
const SCHEMES = ['light', 'dark'] as const
const SHOTS = process.env.SKEIN_UPDATE_SCREENSHOTS === '1' ? join(process.cwd(), 'docs/screenshots') : join(process.cwd(), 'tests/.tmp/screenshots')
const AXE_SOURCE = (): string => createRequire(import.meta.url)('axe-core').source as string

let seeded: SeededWorkspace
const LONG_TITLE = 'Quarterly planning: goals, risks and the hiring plan for the platform team'

interface View {
  readonly name: string
  /** Opens the view from the plain workspace; returns how to close it (Escape for dialogs). */
  open(page: Page): Promise<void>
  /** A dialog: Escape closes it, and focus goes back to where it was. */
  readonly dialog?: string
  /** Undoes what `open` set up, after the dialog closed. */
  after?(page: Page): Promise<void>
}

const VIEWS: readonly View[] = [
  {
    name: 'list',
    open: async (page) => {
      await sidebar(page).getByRole('button', { name: 'Folder Clients', exact: true }).click()
      await notesList(page).getByRole('listitem').first().waitFor(WAIT)
    },
  },
  {
    name: 'note',
    open: async (page) => {
      await sidebar(page).getByRole('button', { name: 'All notes' }).click()
      await openNote(page, LONG_TITLE)
      await page.getByRole('textbox', { name: 'Note editor' }).waitFor(WAIT)
    },
  },
  {
    name: 'history',
    dialog: 'Version history',
    open: async (page) => {
      await page.getByRole('button', { name: 'History', exact: true }).click()
      const dialog = page.getByRole('dialog', { name: 'Version history' })
      if ((await dialog.getByRole('list', { name: 'Versions' }).getByRole('listitem').count()) === 0) {
        // A named version, then an edit, so the view has a preview and a diff to show.
        await dialog.getByRole('button', { name: 'Save version…' }).click()
        await page.getByRole('dialog', { name: 'Save version' }).getByRole('textbox').fill('First draft')
        await page.getByRole('dialog', { name: 'Save version' }).getByRole('button', { name: 'Save' }).click()
        await page.keyboard.press('Escape')
        await dialog.waitFor({ state: 'detached', ...WAIT })
        await page.getByRole('textbox', { name: 'Note editor' }).click()
        await page.keyboard.press('Control+End')
        await page.keyboard.type(' Revised after the review: the hiring plan moves to Q3.')
        await page.getByRole('button', { name: 'History', exact: true }).click()
      }
      await dialog.getByRole('listitem', { name: 'First draft' }).getByRole('button').click()
      await dialog.getByRole('region', { name: 'Version: First draft' }).waitFor(WAIT)
    },
  },
  {
    name: 'sync-details',
    dialog: 'Sync details',
    // Offline, with a change waiting: the table of what waits, and why.
    open: async (page) => {
      await page.context().setOffline(true)
      const tag = page.getByRole('textbox', { name: 'Add tag' })
      await tag.fill(`waiting-${Date.now() % 1000}`)
      await tag.press('Enter')
      await page.getByRole('button', { name: 'Sync details' }).click()
      await page.getByRole('table', { name: 'Waiting changes' }).waitFor(WAIT)
    },
    after: async (page) => {
      await page.context().setOffline(false)
    },
  },
  {
    name: 'settings',
    dialog: 'Settings',
    open: async (page) => {
      await page.getByRole('contentinfo', { name: 'Status bar' }).getByRole('button', { name: 'Settings', exact: true }).click()
    },
  },
  {
    name: 'palette',
    dialog: 'Go to a note or run a command',
    open: async (page) => {
      await page.keyboard.press('Control+KeyP')
      await page.keyboard.type('plan')
    },
  },
  {
    name: 'import',
    dialog: 'Import Markdown',
    open: async (page) => {
      await sidebar(page).getByRole('button', { name: 'Import…' }).click()
    },
  },
]

async function axeProblems(page: Page): Promise<string[]> {
  // Evaluated through DevTools, which the page's CSP (no inline scripts) does not apply to.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE())
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe
    const { violations } = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')})`)
  })
}

describe('the workspace layout', () => {
  it('seeds a workspace from another device and shows it', { timeout: 120_000 }, async () => {
    seeded = await seedWorkspace(relay, 60)
    await expect.poll(() => notesList(device.page).getByRole('listitem').count(), WAIT).toBeGreaterThanOrEqual(seeded.notes.length)
    // The list shows a line of text under the titles of the notes that have some.
    await expect.poll(() => notesList(device.page).locator('.note-row-preview').filter({ hasText: 'Local-first software' }).count(), WAIT).toBeGreaterThan(0)
  })

  for (const scheme of SCHEMES) {
    for (const size of SIZES) {
      it(`at ${size.width}×${size.height} in ${scheme} mode, every view fits, nothing overlaps and the sync status shows`, { timeout: 240_000 }, async () => {
        const { page } = device
        mkdirSync(SHOTS, { recursive: true })
        await page.setViewportSize(size)
        await page.emulateMedia({ colorScheme: scheme })
        const found: string[] = []
        for (const view of VIEWS) {
          const before = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120) ?? '')
          await view.open(page)
          if (view.dialog) await page.getByRole('dialog', { name: view.dialog }).waitFor(WAIT)
          await page.waitForTimeout(150) // layout settles (fonts, ResizeObserver)
          for (const problem of await layoutProblems(page)) found.push(`${view.name}: ${problem}`)
          if (size.width === 1024) for (const problem of await axeProblems(page)) found.push(`${view.name} (axe): ${problem}`)
          await page.screenshot({ path: join(SHOTS, `${view.name}-${size.width}x${size.height}-${scheme}.png`) })
          if (view.dialog) {
            await page.keyboard.press('Escape')
            await page.getByRole('dialog', { name: view.dialog }).waitFor({ state: 'detached', ...WAIT })
            // Focus goes back where it was: the control that opened the dialog, or (palette) what had it before.
            const after = await page.evaluate(() => (document.activeElement === document.body ? '' : (document.activeElement?.outerHTML.slice(0, 120) ?? '')))
            if (after === '' || (view.name === 'palette' && after !== before)) found.push(`${view.name}: focus did not go back after Escape (was ${before}, now ${after || 'nowhere'})`)
          }
          await view.after?.(page)
        }
        expect(found.join('\n')).toBe('')
        expect(pageErrors(device)).toEqual([])
      })
    }
  }
})
