#!/usr/bin/env node
// Client benchmark: the web client in Chromium (playwright-core), see docs/benchmarks.md "Client".
//
//   node bench/client.mjs [--quick] [--no-write]
//
// App-level figures drive the built client (dist/renderer, served without a relay, so offline):
// start-up with 10,000 notes in the catalog, opening the automerge-paper note cold, keystroke to
// paint. Library-level figures run the app's own modules in a blank page of another origin
// (bench/client-page.mjs, bundled here with Vite): search, merging offline edits, storage growth
// and cold open (ours vs plain y-indexeddb, the peer), in the same run.
/* global window, document, indexedDB, requestAnimationFrame, MutationObserver -- functions passed to page.evaluate run in the page */
import { createServer } from 'node:http'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { parseArgs } from 'node:util'
import { cpus, loadavg } from 'node:os'
import sirv from 'sirv'
import * as Y from 'yjs'
import { chromium } from 'playwright-core'
import { build } from 'vite'

const HERE = dirname(fileURLToPath(import.meta.url))
const ROOT = resolve(HERE, '..')
const CLIENT_DIR = join(ROOT, 'dist/renderer')
const TRACE = resolve(ROOT, '../shared/data/editing-traces/automerge-paper.json.gz')
const DOC = join(ROOT, 'docs/benchmarks.md')
const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, 'no-write': { type: 'boolean', default: false } } })
const NOTES = 10_000
const CYCLES = args.quick ? 200 : 1000
const RUNS = args.quick ? 2 : 3
const KEYS = args.quick ? 60 : 200

const log = (...parts) => console.error('[bench:client]', ...parts)
const percentile = (samples, p) => [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.ceil((p / 100) * samples.length) - 1)]
const median = (samples) => percentile(samples, 50)
const ms = (value) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`

// ---------------------------------------------------------------------------------------------
// The automerge-paper trace, replayed into a note (one paragraph; the LaTeX source keeps its
// newlines), every edit its own Yjs transaction, so the stored doc carries the whole history.

function traceUpdate() {
  const trace = JSON.parse(gunzipSync(readFileSync(TRACE)).toString('utf8'))
  const doc = new Y.Doc()
  const paragraph = new Y.XmlElement('paragraph')
  doc.getXmlFragment('default').insert(0, [paragraph])
  const text = new Y.XmlText()
  paragraph.insert(0, [text])
  let edits = 0
  for (const txn of trace.txns) {
    doc.transact(() => {
      for (const [pos, del, ins] of txn.patches) {
        if (del > 0) text.delete(pos, del)
        if (ins) text.insert(pos, ins)
        edits++
      }
    })
  }
  const final = text.toString()
  if (final !== trace.endContent) throw new Error('trace replay does not reproduce endContent (positions are code points?)')
  return { update: Y.encodeStateAsUpdate(doc), edits, chars: final.length, vocabulary: [...new Set(final.toLowerCase().match(/[a-z]{3,}/g))] }
}

// ---------------------------------------------------------------------------------------------
// Servers: the built client (origin 1) and a blank page carrying the bundled page module (origin 2).

function listen(handler) {
  const server = createServer(handler)
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) })))
}

async function bundlePage() {
  const out = await build({
    configFile: false,
    logLevel: 'warn',
    root: ROOT,
    define: { 'process.env.NODE_ENV': '"production"' },
    build: { write: false, minify: true, lib: { entry: join(HERE, 'client-page.mjs'), formats: ['iife'], name: 'skeinBenchPage', fileName: () => 'bench.js' } },
  })
  return (Array.isArray(out) ? out[0] : out).output[0].code
}

// ---------------------------------------------------------------------------------------------
// App-level measurements

const LIST_PROBE = () => {
  // Runs before the app: notes when the notes list first shows a row, and when the main thread
  // next gets to run a task after that (the list can take clicks).
  const marks = (window.__benchMarks = {})
  const observer = new MutationObserver(() => {
    if (marks.list !== undefined || !document.querySelector('ul[aria-label="Notes"] > li')) return
    marks.list = performance.now()
    marks.rows = document.querySelectorAll('ul[aria-label="Notes"] > li').length
    observer.disconnect()
    setTimeout(() => (marks.idle = performance.now()), 0)
  })
  observer.observe(document, { subtree: true, childList: true })
}

async function seedCatalog(page, { count, trace }) {
  return page.evaluate(
    async ({ count, trace }) => {
      const open = () =>
        new Promise((resolve, reject) => {
          const req = indexedDB.open('skein-catalog')
          req.onsuccess = () => resolve(req.result)
          req.onerror = () => reject(req.error)
        })
      const done = (tx) => new Promise((resolve, reject) => ((tx.oncomplete = resolve), (tx.onabort = () => reject(tx.error))))
      const db = await open()
      const all = await new Promise((resolve) => {
        const req = db.transaction('entities').objectStore('entities').getAll()
        req.onsuccess = () => resolve(req.result)
      })
      const template = all.find((e) => e.type === 'note')
      const now = Date.now()
      const clone = (id, title, updatedAt) => {
        const view = { ...template.view, id, title, createdAt: updatedAt, updatedAt }
        return { ...template, key: `note:${id}`, id, base: view, view, sync: 'synced', attempts: 0, lastError: null, contentDirty: false }
      }
      const tx = db.transaction('entities', 'readwrite')
      const store = tx.objectStore('entities')
      for (let i = 0; i < count; i++) store.put(clone(`bench-${String(i).padStart(5, '0')}-${crypto.randomUUID()}`, `Note ${i} about ${['gardens', 'trains', 'recipes', 'budgets'][i % 4]}`, now - (i + 10) * 60_000))
      const traceId = `bench-trace-${crypto.randomUUID()}`
      store.put(clone(traceId, 'automerge-paper', now - 5 * 60_000))
      await done(tx)
      db.close()
      // The note's content, as y-indexeddb stores it: one update in `skein:note/<id>`'s `updates`.
      const bytes = Uint8Array.from(atob(trace.updateBase64), (c) => c.charCodeAt(0))
      const noteDb = await new Promise((resolve, reject) => {
        const req = indexedDB.open(`skein:${trace.prefix}${traceId}`, 1)
        req.onupgradeneeded = () => {
          req.result.createObjectStore('updates', { autoIncrement: true })
          req.result.createObjectStore('custom')
        }
        req.onsuccess = () => resolve(req.result)
        req.onerror = () => reject(req.error)
      })
      const noteTx = noteDb.transaction('updates', 'readwrite')
      noteTx.objectStore('updates').add(bytes)
      await done(noteTx)
      noteDb.close()
      return { templateId: template.id, traceId }
    },
    { count, trace },
  )
}

async function appMeasurements(browser, appUrl, trace) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 } })
  context.setDefaultTimeout(120_000)
  const page = await context.newPage()
  await page.addInitScript(LIST_PROBE)
  await page.goto(appUrl)
  await page.getByRole('button', { name: 'New note' }).first().click()
  await page.getByRole('textbox', { name: 'Note editor' }).waitFor()
  await page.getByRole('textbox', { name: 'Note editor' }).click()
  await page.keyboard.type('A small note')
  await page.waitForTimeout(1500)
  const { templateId } = await seedCatalog(page, { count: NOTES, trace })

  const start = []
  for (let run = 0; run < RUNS; run++) {
    await page.reload()
    await page.waitForFunction(() => window.__benchMarks.idle !== undefined, null, { polling: 50 })
    start.push(await page.evaluate(() => ({ ...window.__benchMarks })))
  }
  log('start', start)

  const open = []
  for (let run = 0; run < RUNS; run++) {
    // Another note open, then click the big one: its doc is not in memory (a reload cleared it).
    await page.evaluate((id) => localStorage.setItem('skein:selected-note', id), templateId)
    await page.reload()
    await page.getByRole('textbox', { name: 'Note editor' }).waitFor()
    await page.waitForTimeout(1000)
    open.push(
      await page.evaluate(
        () =>
          new Promise((resolve) => {
            const t0 = performance.now()
            let loadingUntil = null
            document.querySelector('li[aria-label="automerge-paper"] button').click()
            const check = () => {
              // How long the "Loading note" placeholder (Suspense fallback) stays up, for the breakdown.
              if (document.querySelector('[aria-label="Loading note"]')) loadingUntil = performance.now() - t0
              const editor = document.querySelector('[role="textbox"][aria-label="Note editor"]')
              if (editor && editor.isContentEditable && editor.textContent.length > 100_000) resolve({ ms: performance.now() - t0, loadingUntil })
              else requestAnimationFrame(check)
            }
            check()
          }),
      ),
    )
  }
  log('open', open)

  const editor = page.getByRole('textbox', { name: 'Note editor' })
  const keys = await keystrokes(page, KEYS)
  const typedIn = await editor.evaluate((el) => el.textContent.includes('quick brown'))
  // Baseline: the same in the small note.
  await page.evaluate((id) => localStorage.setItem('skein:selected-note', id), templateId)
  await page.reload()
  await editor.waitFor()
  await page.waitForTimeout(1000)
  const smallKeys = await keystrokes(page, Math.min(KEYS, 100))
  await context.close()
  return { start, open: open.map((o) => o.ms), loadingUntil: open.map((o) => o.loadingUntil), keys, smallKeys, typedIn }
}

/** Keystroke to paint: keydown's timestamp to the first task after the next frame (painted). */
async function keystrokes(page, count) {
  await page.getByRole('textbox', { name: 'Note editor' }).click()
  await page.keyboard.press('ControlOrMeta+End')
  await page.evaluate(() => {
    window.__keySamples = []
    document.addEventListener('keydown', (event) => {
      const t = event.timeStamp
      requestAnimationFrame(() => setTimeout(() => window.__keySamples.push(performance.now() - t), 0))
    }, true)
  })
  const letters = 'the quick brown fox jumps over the lazy dog '
  for (let i = 0; i < count; i++) {
    await page.keyboard.press(letters[i % letters.length] === ' ' ? 'Space' : letters[i % letters.length])
    await page.waitForTimeout(30)
  }
  await page.waitForTimeout(300)
  return page.evaluate(() => window.__keySamples)
}

// ---------------------------------------------------------------------------------------------

async function main() {
  if (!existsSync(join(CLIENT_DIR, 'index.html'))) throw new Error('dist/renderer is missing: run `npm run build:web` first')
  log('replaying the automerge-paper trace…')
  const trace = traceUpdate()
  log(`trace: ${trace.edits} edits, ${trace.chars} chars, ${trace.update.byteLength} bytes encoded`)
  const bundle = await bundlePage()
  const serveClient = sirv(CLIENT_DIR, { single: true, dev: false })
  const app = await listen((req, res) => serveClient(req, res))
  const blank = await listen((req, res) => {
    if (req.url === '/bench.js') res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(bundle)
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><meta charset="utf-8"><title>bench</title><script src="/bench.js"></script>')
  })
  const browser = await chromium.launch({
    executablePath: process.env.SKEIN_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  const results = { date: new Date().toISOString(), cpus: cpus().length, loadavg: loadavg().map((l) => l.toFixed(1)).join(' '), trace: { edits: trace.edits, chars: trace.chars, bytes: trace.update.byteLength } }
  try {
    const updateBase64 = Buffer.from(trace.update).toString('base64')
    const { noteRoom } = await import(join(ROOT, 'dist/node/protocol/rooms.js'))
    results.app = process.env.BENCH_SKIP_APP ? null : await appMeasurements(browser, app.url, { updateBase64, prefix: noteRoom('x').slice(0, -1) })

    const page = await (await browser.newContext()).newPage()
    page.setDefaultTimeout(600_000)
    await page.goto(blank.url)
    await page.waitForFunction(() => window.skeinBench !== undefined)
    log('search…')
    results.search = await page.evaluate((vocabulary) => window.skeinBench.search({ vocabulary }), trace.vocabulary)
    log('merge…')
    results.merge = await page.evaluate(() => window.skeinBench.merge({ edits: 10_000 }))
    log(`storage (${CYCLES} cycles each)…`)
    results.storage = await page.evaluate((cycles) => window.skeinBench.storage({ cycles }), CYCLES)
    log('cold open of the big note…')
    results.coldOpen = await page.evaluate((updateBase64) => window.skeinBench.coldOpenBig({ updateBase64 }), updateBase64)
  } finally {
    await browser.close()
    await app.close()
    await blank.close()
  }
  if (!results.app) return console.log(JSON.stringify(results, null, 1))
  const table = report(results)
  console.log(table)
  console.error(JSON.stringify(results, (k, v) => (k === 'keys' ? undefined : v), 1))
  if (!args['no-write']) writeSection(table, results)
}

function report(r) {
  const startList = median(r.app.start.map((s) => s.list))
  const startIdle = median(r.app.start.map((s) => s.idle))
  const keyP95 = percentile(r.app.keys, 95)
  const openMedian = median(r.app.open)
  const ours = r.storage.ours
  const plain = r.storage.plain
  const verdict = (ok) => (ok ? 'met' : '**missed**')
  const rows = [
    ['app start to interactive notes list, 10,000 notes in IndexedDB', `list drawn ${ms(startList)}, first idle task ${ms(startIdle)} (median of ${r.app.start.length} reloads; ${r.app.start[0].rows} rows in the DOM)`, '< 1 s', verdict(startIdle < 1000)],
    [`search, ${r.search.notes.toLocaleString('en')} notes (${r.search.megabytes.toFixed(1)} MB), p95 query`, `p95 ${ms(r.search.p95)}, p50 ${ms(r.search.p50)} (${r.search.n} queries; renderer/search SearchIndex; index built in ${ms(r.search.buildMs)})`, '< 30 ms', verdict(r.search.p95 < 30)],
    [`open the automerge-paper note (${r.trace.edits.toLocaleString('en')} edits, ${r.trace.chars.toLocaleString('en')} chars, one paragraph) cold from IndexedDB to editable`, `${ms(openMedian)} median of ${r.app.open.length} (${r.app.open.map(ms).join(', ')}); "Loading note" placeholder up until ${r.app.loadingUntil.map((v) => (v === null ? 'never seen' : ms(v))).join(', ')}`, '< 150 ms', verdict(openMedian < 150)],
    ['keystroke to paint in that note, p95', `p95 ${ms(keyP95)}, p50 ${ms(median(r.app.keys))} (${r.app.keys.length} keys${r.app.typedIn ? '' : ', TEXT NOT SEEN'}); in a one-line note: p95 ${ms(percentile(r.app.smallKeys, 95))}, p50 ${ms(median(r.app.smallKeys))}`, '< 16 ms', verdict(keyP95 < 16)],
    ['merge 10,000 offline edits from each of two devices, to converged (two Y.Docs in the page)', `${ms(r.merge.ms)} (${r.merge.converged ? 'converged' : 'NOT converged'}, ${(r.merge.updateBytes / 1024).toFixed(0)} KiB exchanged)`, '< 1 s', verdict(r.merge.converged && r.merge.ms < 1000)],
    [`local storage after ${CYCLES.toLocaleString('en')} open/close cycles of an unedited note (${ours.encoded} B encoded)`, `ours ${ours.bytes} B in ${ours.entries} entries (${ours.ratio.toFixed(2)}×); plain y-indexeddb ${plain.bytes} B in ${plain.entries} entries (${plain.ratio.toFixed(2)}×)`, '≤ 2×', verdict(ours.ratio <= 2)],
    ['cold open of that note afterwards (to loaded), median', `ours ${ms(ours.coldOpenAfterCycles.p50)}; plain y-indexeddb ${ms(plain.coldOpenAfterCycles.p50)}`, '', ''],
    ['cold open of the automerge-paper doc (fresh Y.Doc from IndexedDB to loaded), median', `ours ${ms(r.coldOpen.ours.loaded.p50)} (+ merge check: ${ms(r.coldOpen.ours.compacted.p50)}); plain y-indexeddb ${ms(r.coldOpen.plain.loaded.p50)}; schema guard's scan of it ${ms(r.coldOpen.guardScan.p50)}`, '', ''],
  ]
  const lines = ['| what | measured | target | |', '| --- | --- | --- | --- |', ...rows.map((row) => `| ${row.join(' | ')} |`)]
  return lines.join('\n')
}

function writeSection(table, r) {
  const text = readFileSync(DOC, 'utf8')
  const section = [
    '## Client',
    '',
    `\`npm run bench:client\` (bench/client.mjs): the built web client in headless Chromium (playwright-core), no relay (the client is offline); library figures run the client's own modules in a blank page. Run ${r.date.slice(0, 10)} on ${r.cpus} cores shared with other work (load average ${r.loadavg} at the end), so figures are noisy; timings are wall-clock in the page (\`performance.now()\`).`,
    '',
    table,
    '',
  ].join('\n')
  const start = text.indexOf('\n## Client\n')
  let next
  if (start >= 0) {
    next = text.indexOf('\n## ', start + 1)
    writeFileSync(DOC, text.slice(0, start + 1) + section + (next >= 0 ? text.slice(next) : ''))
  } else writeFileSync(DOC, text.replace(/\n*$/, '\n\n') + section)
  log(`wrote ${DOC}`)
}

await main()
