#!/usr/bin/env node
// What one writer's typing costs everyone else: one device types into a note for a while at
// about 8 keys/s, a second device has the same note open, a third has another note open. Counted
// over the typing, per second:
// - the relay: /v1/changes answers it sent (each wakes a long-poll) and metadata feed entries
//   written for content changes;
// - each device: IndexedDB read-write transactions on its catalog database, and main-thread
//   script time (Chromium's own Performance.getMetrics).
//
//   npm run bench:feed              (needs npm run build:node and build:web)
//   node bench/feed-load.mjs --seconds 20
//
// Prints one table (Markdown) for docs/benchmarks.md "Typing fan-out".
/* global window, indexedDB, IDBDatabase -- functions passed to page.evaluate run in the page */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { chromium } from 'playwright-core'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '20' } } })
const SECONDS = Number(args.seconds)
const CLIENT_DIR = join(ROOT, 'dist/renderer')
const RELAY = join(ROOT, 'dist/node/server/relay.js')
if (!existsSync(RELAY) || !existsSync(join(CLIENT_DIR, 'index.html'))) {
  console.error('bench:feed: build first (npm run build:node && npm run build:web)')
  process.exit(1)
}
const log = (...parts) => console.error('[bench:feed]', ...parts)

const { startRelay } = await import(RELAY)
const dataDir = mkdtempSync(join(tmpdir(), 'skein-bench-feed-'))
const relay = await startRelay({ host: '127.0.0.1', port: 0, dataDir, staticDir: CLIENT_DIR, logLevel: 'silent' })
const browser = await chromium.launch({
  executablePath: process.env.SKEIN_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
})

// Counts read-write transactions per database, from before the app's first line runs.
const COUNT_WRITES = () => {
  const counts = {}
  window.__writes = counts
  const open = indexedDB.open.bind(indexedDB)
  indexedDB.open = (name, version) => {
    const request = open(name, version)
    request.addEventListener('success', () => {
      const db = request.result
      const transaction = db.transaction.bind(db)
      db.transaction = (stores, mode, options) => {
        if (mode === 'readwrite') counts[name] = (counts[name] ?? 0) + 1
        return transaction(stores, mode, options)
      }
    })
    return request
  }
  void IDBDatabase
}

async function device(name) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 } })
  await context.addInitScript(COUNT_WRITES)
  const page = await context.newPage()
  let changes = 0
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.endsWith('/v1/changes')) changes++
  })
  await page.goto(relay.url + '/')
  await page.getByRole('status', { name: 'Sync status' }).filter({ hasText: 'All synced' }).waitFor({ timeout: 60_000 })
  const cdp = await context.newCDPSession(page)
  await cdp.send('Performance.enable')
  const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]))
  const catalogWrites = async () => page.evaluate(() => window.__writes['skein-catalog'] ?? 0)
  return {
    name,
    page,
    async sample() {
      return { at: Date.now(), changes, writes: await catalogWrites(), ...(await metrics()) }
    },
  }
}

async function newNote(page, text) {
  await page.getByRole('complementary', { name: 'Notes sidebar' }).getByRole('button', { name: 'New note' }).click()
  const editor = page.getByRole('textbox', { name: 'Note editor' })
  await editor.click()
  await page.keyboard.type(text)
}

async function openNote(page, title) {
  await page.getByRole('list', { name: 'Notes' }).getByRole('button', { name: title, exact: true }).click()
}

try {
  const writer = await device('typing')
  const same = await device('same note open')
  const other = await device('another note open')
  await newNote(writer.page, 'Shared')
  await newNote(other.page, 'Elsewhere')
  for (const d of [same, other]) await d.page.getByRole('list', { name: 'Notes' }).getByRole('button', { name: 'Shared', exact: true }).waitFor({ timeout: 60_000 })
  await openNote(same.page, 'Shared')
  await openNote(other.page, 'Elsewhere')
  await openNote(writer.page, 'Shared')
  await writer.page.getByRole('textbox', { name: 'Note editor' }).click()
  await writer.page.keyboard.press('ControlOrMeta+End')
  await new Promise((r) => setTimeout(r, 3_000))

  const feedSeqBefore = (await (await fetch(`${relay.url}/v1/changes?since=0&wait=0`)).json()).cursor
  const before = await Promise.all([writer, same, other].map((d) => d.sample()))
  log(`typing for ${SECONDS} s`)
  const until = Date.now() + SECONDS * 1_000
  let keys = 0
  while (Date.now() < until) {
    await writer.page.keyboard.type('word ', { delay: 120 })
    keys += 5
  }
  const after = await Promise.all([writer, same, other].map((d) => d.sample()))
  const seen = await same.page.getByRole('textbox', { name: 'Note editor' }).innerText()
  log(`the device with the note open shows ${seen.length} characters`)
  const feedSeqAfter = (await (await fetch(`${relay.url}/v1/changes?since=0&wait=0`)).json()).cursor

  const rows = [writer, same, other].map((d, i) => {
    const s = (after[i].at - before[i].at) / 1_000
    const per = (k) => ((after[i][k] - before[i][k]) / s).toFixed(2)
    return `| ${d.name} | ${per('changes')} | ${per('writes')} | ${(((after[i].ScriptDuration - before[i].ScriptDuration) / s) * 1000).toFixed(0)} ms/s |`
  })
  const seconds = (after[0].at - before[0].at) / 1_000
  console.log(`Typing fan-out: ${keys} keys in ${seconds.toFixed(1)} s (${(keys / seconds).toFixed(1)} keys/s); relay feed entries: ${((feedSeqAfter - feedSeqBefore) / seconds).toFixed(2)}/s\n`)
  console.log('| device | /v1/changes answers/s | catalog IndexedDB writes/s | main-thread script |')
  console.log('|---|---|---|---|')
  console.log(rows.join('\n'))
} finally {
  await browser.close()
  await relay.close()
  rmSync(dataDir, { recursive: true, force: true })
}
