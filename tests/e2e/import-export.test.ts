// A writer brings a folder of Markdown into the browser build and takes everything back out:
// folders, tags and formatting survive the import, and the exported zip holds the same files.

import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { strFromU8, unzipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest'
import { describeDevice, pageErrors } from '../helpers/browser'
import { ONLINE, OFFLINE, WAIT, editor, noteTitles, openNote, sidebar, waitForConnection } from './app'
import { offlineDevicePerFile, startTwoDevices, type TwoDevices } from './relay-fixture'

/** Written in the canonical form export produces (title and tags in front matter), so the round trip can compare text exactly. */
const ORIGINALS: Record<string, string> = {
  'Vault/Welcome.md': '---\ntitle: Welcome\ntags: [start, writing]\n---\n\n# Welcome\n\nSome **bold**, *italic*, ~~struck~~ and `code` with a [link](https://example.org/).\n',
  'Vault/Work/Plan.md': '---\ntitle: Plan\n---\n\n# Plan\n\n- first\n- second\n  1. nested one\n  2. nested two\n\n> Quoted *wisdom*.\n',
  'Vault/Work/Deep/Snippet.md': '---\ntitle: Snippet\ntags: [code]\n---\n\n## Snippet\n\n```ts\nconst answer = 42\n```\n',
}
const SKIPPED: Record<string, string> = { 'Vault/picture.png': 'not really a png', 'Vault/empty.md': '', 'Vault/.obsidian/app.json': '{}', 'Vault/.obsidian/workspace.md': '# no' }

const device = offlineDevicePerFile()
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'skein-import-'))
  for (const [relative, text] of Object.entries({ ...ORIGINALS, ...SKIPPED })) {
    await mkdir(path.dirname(path.join(dir, relative)), { recursive: true })
    await writeFile(path.join(dir, relative), text)
  }
}, 120_000)

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('Markdown import and export in the browser build', () => {
  it('imports a folder: a summary with skipped files and reasons, notes in nested folders with tags and formatting', { timeout: 120_000 }, async () => {
    const { page } = device
    await waitForConnection(page, OFFLINE)
    await sidebar(page).getByRole('button', { name: 'Import…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Import Markdown' })
    await dialog.getByLabel('Folder to import').setInputFiles(path.join(dir, 'Vault'))
    const summary = dialog.getByRole('status', { name: 'Import summary' })
    await expect.poll(() => summary.innerText(), WAIT).toBe('Imported 3 notes, created 3 folders. Skipped 4 files:')
    const skipped = await dialog.getByRole('list', { name: 'Skipped files' }).getByRole('listitem').allInnerTexts()
    expect(skipped.sort()).toEqual(['Vault/.obsidian/ — hidden folder (2 files)', 'Vault/empty.md — empty file', 'Vault/picture.png — not a Markdown file (.md or .markdown)'])
    await dialog.getByRole('button', { name: 'Done' }).click()

    await expect.poll(() => noteTitles(page), WAIT).toEqual(expect.arrayContaining(['Welcome', 'Plan', 'Snippet']))
    const inFolder = async (folder: string): Promise<string[]> => {
      await sidebar(page).getByRole('button', { name: `Folder ${folder}`, exact: true }).click()
      return noteTitles(page)
    }
    await expect.poll(() => inFolder('Vault'), WAIT).toEqual(['Welcome'])
    await expect.poll(() => inFolder('Work'), WAIT).toEqual(['Plan'])
    await expect.poll(() => inFolder('Deep'), WAIT).toEqual(['Snippet'])
    await sidebar(page).getByRole('button', { name: 'Tag code', exact: true }).click()
    await expect.poll(() => noteTitles(page), WAIT).toEqual(['Snippet'])
    await sidebar(page).getByRole('button', { name: 'Tag writing', exact: true }).click()
    await expect.poll(() => noteTitles(page), WAIT).toEqual(['Welcome'])

    await sidebar(page).getByRole('button', { name: 'All notes' }).click()
    await openNote(page, 'Plan')
    const plan = editor(page)
    await expect.poll(() => plan.locator('h1').innerText(), WAIT).toBe('Plan')
    expect(await plan.locator('ul > li > ol > li').allInnerTexts()).toEqual(['nested one', 'nested two'])
    expect(await plan.locator('blockquote em').innerText()).toBe('wisdom')
    await openNote(page, 'Welcome')
    const welcome = editor(page)
    await expect.poll(() => welcome.locator('strong').innerText(), WAIT).toBe('bold')
    expect(await welcome.locator('s').innerText()).toBe('struck')
    expect(await welcome.locator('a').getAttribute('href')).toBe('https://example.org/')
    await openNote(page, 'Snippet')
    await expect.poll(() => editor(page).locator('pre code').getAttribute('class'), WAIT).toBe('language-ts')
    expect(pageErrors(device)).toEqual([])
  })

  it('exports everything as Markdown: the downloaded zip holds the imported files, unchanged', { timeout: 120_000 }, async () => {
    const { page } = device
    await sidebar(page).getByRole('button', { name: 'Export…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Export notes' })
    await dialog.getByRole('radio', { name: 'Everything' }).check()
    await dialog.getByRole('radio', { name: 'Markdown' }).check()
    const download = page.waitForEvent('download', WAIT)
    await dialog.getByRole('button', { name: 'Export' }).click()
    const file = await (await download).path()
    expect((await download).suggestedFilename()).toBe('Skein export.zip')
    const zipped = unzipSync(new Uint8Array(await readFile(file)))
    const exported = Object.fromEntries(Object.entries(zipped).map(([name, bytes]) => [name, strFromU8(bytes)]))
    expect(exported).toEqual(ORIGINALS)
    await expect.poll(() => dialog.getByRole('status').innerText(), WAIT).toBe('Downloaded Skein export.zip with 3 files.')
    await dialog.getByRole('button', { name: 'Close' }).click()
    expect(pageErrors(device)).toEqual([])
  })

  it('exports the open note as one HTML page named after it', { timeout: 120_000 }, async () => {
    const { page } = device
    await openNote(page, 'Plan')
    await sidebar(page).getByRole('button', { name: 'Export…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Export notes' })
    await expect.poll(() => dialog.getByRole('radio', { name: 'This note' }).isChecked(), WAIT).toBe(true)
    await dialog.getByRole('radio', { name: 'HTML' }).check()
    const download = page.waitForEvent('download', WAIT)
    await dialog.getByRole('button', { name: 'Export' }).click()
    expect((await download).suggestedFilename()).toBe('Plan.html')
    const html = await readFile(await (await download).path(), 'utf8')
    expect(html).toContain('<title>Plan</title>')
    expect(html).toContain('<h1>Plan</h1>')
    expect(html).toContain('<ul><li><p>first</p></li><li><p>second</p><ol><li><p>nested one</p></li><li><p>nested two</p></li></ol></li></ul>')
    expect(html).toContain('<blockquote><p>Quoted <em>wisdom</em>.</p></blockquote>')
    await dialog.getByRole('button', { name: 'Close' }).click()
  })

  it('shows progress as "n of N" while importing many files, and Cancel stops it keeping what was imported', { timeout: 120_000 }, async () => {
    const { page } = device
    const before = (await noteTitles(page)).length
    const many = Array.from({ length: 400 }, (_, i) => ({ name: `many-${String(i).padStart(3, '0')}.md`, mimeType: 'text/markdown', buffer: Buffer.from(`# Many ${i}\n\ntext`) }))
    await sidebar(page).getByRole('button', { name: 'Import…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Import Markdown' })
    await dialog.getByLabel('Markdown files to import').setInputFiles(many)
    const progress = dialog.getByRole('progressbar', { name: 'Import progress' })
    await expect.poll(() => progress.getAttribute('aria-valuemax'), WAIT).toBe('400')
    await expect.poll(async () => Number(await progress.getAttribute('aria-valuenow')), WAIT).toBeGreaterThan(0)
    await expect.poll(() => dialog.getByText(/^\d+ of 400$/).count(), WAIT).toBe(1)
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    const summary = await dialog.getByRole('status', { name: 'Import summary' }).innerText()
    const [, imported, notReached] = /^Imported (\d+) notes?\. Cancelled: (\d+) files? not imported\.$/.exec(summary) ?? []
    expect(Number(imported) + Number(notReached)).toBe(400)
    expect(Number(notReached)).toBeGreaterThan(0)
    await dialog.getByRole('button', { name: 'Done' }).click()
    await expect.poll(async () => (await noteTitles(page)).length, WAIT).toBe(before + Number(imported))
    expect(pageErrors(device)).toEqual([])
  })
})

describe('imported notes sync like any other', () => {
  let two: TwoDevices | undefined
  afterAll(async () => {
    await two?.close()
  })

  it('a note imported on one device opens with its formatting and tags on another', { timeout: 180_000 }, async () => {
    two = await startTwoDevices()
    const { a, b } = two
    await waitForConnection(a.page, ONLINE)
    await waitForConnection(b.page, ONLINE)
    await sidebar(a.page).getByRole('button', { name: 'Import…' }).click()
    const dialog = a.page.getByRole('dialog', { name: 'Import Markdown' })
    const markdown = '---\ntags: [shared]\n---\n\n# Shared\n\n- **one**\n- two\n'
    await dialog.getByLabel('Markdown files to import').setInputFiles({ name: 'shared.md', mimeType: 'text/markdown', buffer: Buffer.from(markdown) })
    await expect.poll(() => dialog.getByRole('status', { name: 'Import summary' }).innerText(), WAIT).toBe('Imported 1 note.')
    await dialog.getByRole('button', { name: 'Done' }).click()

    // This once failed in CI, and once here in ~10 full runs, without a trace: say what each
    // device showed if it fails again.
    onTestFailed(async () => {
      console.log(await describeDevice('a', a))
      console.log(await describeDevice('b', b))
    })
    await expect.poll(() => noteTitles(b.page), WAIT).toEqual(['Shared'])
    await sidebar(b.page).getByRole('button', { name: 'Tag shared', exact: true }).click()
    await openNote(b.page, 'Shared')
    await expect.poll(() => editor(b.page).locator('ul strong').count(), WAIT).toBe(1)
    expect(await editor(b.page).locator('ul strong').innerText()).toBe('one')
    expect(pageErrors(a)).toEqual([])
    expect(pageErrors(b)).toEqual([])
  })
})
