// A bulk import of real-world Markdown files (60 in `npm test`, SKEIN_BULK_FILES for more) (READMEs and changelogs of installed
// packages: nobody on this project wrote them) on a device whose relay connections are slow to
// open (every handshake through its proxy waits 400 ms, and every chunk 20–50 ms). Every claim the
// device makes is audited against ground truth while it imports and syncs, and at the end every
// note's text is on the relay (its SQLite file, or the cluster's PostgreSQL) and on the other device.

import { mkdtemp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pageErrors } from '../helpers/browser'
import { ONLINE, WAIT, sidebar, waitForConnection } from './app'
import { twoDevicesPerFile } from './relay-fixture'
import { auditTruth, deviceCatalog, noteText, withRelayStore } from './truth-audit'

const FILES = Number(process.env.SKEIN_BULK_FILES ?? 60)
const step = (what: string): void => {
  if (process.env.SKEIN_E2E_VERBOSE) console.log(`${new Date().toISOString()} ${what}`)
}
const { a, b, proxy, relay } = twoDevicesPerFile({ cuttable: 'a' })
let dir: string

/** Up to `n` distinct README/CHANGELOG files from node_modules, copied flat into `into`. */
async function corpus(into: string, n: number): Promise<number> {
  const found: string[] = []
  const walk = async (d: string, depth: number): Promise<void> => {
    for (const name of (await readdir(d).catch(() => [])).sort()) {
      const p = path.join(d, name)
      if (/^(readme|changelog)\.md$/i.test(name)) found.push(p)
      else if (depth < 3 && !name.startsWith('.') && (await stat(p).catch(() => null))?.isDirectory()) await walk(p, depth + 1)
    }
  }
  await walk(path.resolve('node_modules'), 0)
  const seen = new Set<string>()
  let count = 0
  for (const file of found) {
    if (count >= n) break
    const text = await readFile(file, 'utf8')
    const hash = createHash('sha1').update(text).digest('hex')
    if (seen.has(hash) || text.trim() === '' || text.length > 200_000) continue
    seen.add(hash)
    const name = path.relative('node_modules', file).replace(/[\\/]/g, '__')
    await writeFile(path.join(into, name), text)
    count++
  }
  return count
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'skein-bulk-'))
  await mkdir(path.join(dir, 'Corpus'))
}, 60_000)

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('bulk import of real-world Markdown over slow connections', () => {
  it(`imports ${FILES} files; every claim holds while it syncs, and every note ends on the relay and on the other device`, { timeout: 900_000 }, async () => {
    const files = await corpus(path.join(dir, 'Corpus'), FILES)
    expect(files).toBeGreaterThanOrEqual(Math.min(FILES, 200))
    await waitForConnection(a.page, ONLINE)
    await waitForConnection(b.page, ONLINE)
    proxy.setDelay({ connectMs: 400, latencyMs: 20, jitterMs: 30 })

    await sidebar(a.page).getByRole('button', { name: 'Import…' }).click()
    const dialog = a.page.getByRole('dialog', { name: 'Import Markdown' })
    await dialog.getByLabel('Folder to import').setInputFiles(path.join(dir, 'Corpus'))
    const falseClaims: string[] = []
    const summary = dialog.getByRole('status', { name: 'Import summary' })
    // Audit while importing and syncing, every few seconds, until the device says All synced.
    const started = Date.now()
    for (;;) {
      falseClaims.push(...(await auditTruth(a, relay, 'A')))
      const done = (await summary.count()) > 0 && (await a.page.getByRole('status', { name: 'Sync status' }).textContent()) === 'All synced'
      if (process.env.SKEIN_E2E_VERBOSE) console.log(`${Math.round((Date.now() - started) / 1000)} s: ${await a.page.getByRole('status', { name: 'Sync status' }).textContent()}; ${falseClaims.length} false claims`)
      if (done) break
      if (Date.now() - started > 600_000) throw new Error('not synced after 10 minutes')
      await new Promise((resolve) => setTimeout(resolve, 3_000))
    }
    expect(await summary.innerText()).toMatch(new RegExp(`^Imported ${files} notes`))
    await dialog.getByRole('button', { name: 'Done' }).click()
    step('import done; auditing A')
    falseClaims.push(...(await auditTruth(a, relay, 'A')))
    step('audited A')
    expect(falseClaims).toEqual([])

    // Ground truth: the relay stored every note's text, and it is the text A holds.
    const { notes } = await deviceCatalog(a.page)
    expect(notes.length).toBe(files)
    const empty: string[] = []
    await withRelayStore(relay, async (store) => {
      for (const id of notes) if (noteText(await store.stored(`note/${id}`)).trim() === '') empty.push(id)
    })
    expect(empty).toEqual([])

    step('relay has every note')
    // The other device lists every note and pulls its content in the background.
    await expect.poll(async () => (await deviceCatalog(b.page)).notes.length, WAIT).toBe(files)
    step('B lists every note')
    await expect.poll(() => b.page.getByRole('status', { name: 'Sync status' }).textContent(), { timeout: 180_000, interval: 500 }).toBe('All synced')
    step('B all synced')
    expect(await auditTruth(b, relay, 'B')).toEqual([])
    expect([...pageErrors(a), ...pageErrors(b)]).toEqual([])
  })
})
