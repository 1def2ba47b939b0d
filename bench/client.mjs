#!/usr/bin/env node
// Client benchmark: the web client in Chromium (playwright-core), see docs/benchmarks.md "Client".
//
//   node bench/client.mjs [--quick] [--no-write] [--profile] [--editor-only]
//
// --quick: fewer runs and keys. --no-write: print the table, leave docs/benchmarks.md alone.
// BENCH_IMAGES_ONLY=1: only the note with 50 images (printed as JSON).
// --profile: also log where the page's time went while opening the big notes and typing in
// them (a CPU profile and the browser's timeline, via the DevTools protocol).
// --editor-only: only the note rows (open cold, keystroke to paint, typing beside a remote peer);
// implies --no-write. SKEIN_CLIENT_DIR=<dir> measures another build of the client (e.g. a copy of
// dist/renderer made before a change), with this script. BENCH_SKIP_APP=1 with --editor-only: the
// remote-writer row alone.
//
// App-level figures drive the built client (dist/renderer, served without a relay, so offline):
// start-up with 10,000 notes in the catalog, opening the automerge-paper note cold, keystroke to
// paint. Library-level figures run the app's own modules in a blank page of another origin
// (bench/client-page.mjs, bundled here with Vite): search, merging offline edits, storage growth
// and cold open (ours vs plain y-indexeddb, the peer), in the same run.
/* global window, document, indexedDB, requestAnimationFrame, MutationObserver, HTMLInputElement, DataTransfer, ClipboardEvent -- functions passed to page.evaluate run in the page */
import { createServer } from 'node:http'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { parseArgs } from 'node:util'
import { cpus, loadavg, tmpdir } from 'node:os'
import sirv from 'sirv'
import * as Y from 'yjs'
import { chromium } from 'playwright-core'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import { build } from 'vite'

const HERE = dirname(fileURLToPath(import.meta.url))
const ROOT = resolve(HERE, '..')
const CLIENT_DIR = resolve(process.env.SKEIN_CLIENT_DIR ?? join(ROOT, 'dist/renderer'))
const TRACE = resolve(ROOT, '../shared/data/editing-traces/automerge-paper.json.gz')
const DOC = join(ROOT, 'docs/benchmarks.md')
const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, 'no-write': { type: 'boolean', default: false }, profile: { type: 'boolean', default: false }, 'editor-only': { type: 'boolean', default: false } } })
if (args['editor-only']) args['no-write'] = true
const NOTES = 10_000
const BIG = 'automerge-paper'
const BIG_ONE_PARAGRAPH = 'automerge-paper, one paragraph'
const CYCLES = args.quick ? 200 : 1000
const RUNS = args.quick ? 2 : 3
const KEYS = args.quick ? 60 : 200
/** The note another device types in while this one does (`remoteTyping`). */
const REMOTE_PARAGRAPHS = 1_500
/** The remote writer's pace: a character every this many ms (≈ 12 characters a second, a fast typist). */
const REMOTE_KEY_MS = 80

const log = (...parts) => console.error('[bench:client]', ...parts)
const percentile = (samples, p) => [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.ceil((p / 100) * samples.length) - 1)]
const median = (samples) => percentile(samples, 50)
const ms = (value) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`

// ---------------------------------------------------------------------------------------------
// The automerge-paper trace, replayed into a note, every edit its own Yjs transaction, so the
// stored doc carries the whole history. Two layouts of the same edits:
// - `lines`: one paragraph per line, as typing the trace into the editor makes it (Enter starts
//   a paragraph, Backspace at a line start joins two). This is "that note" in the table.
// - `oneParagraph`: the whole LaTeX source in one paragraph with its newlines inside: no writer
//   makes this, but it is the worst case for layout, so it stays as a stress row.

function replayOneParagraph(trace) {
  const doc = new Y.Doc()
  const paragraph = new Y.XmlElement('paragraph')
  doc.getXmlFragment('default').insert(0, [paragraph])
  const text = new Y.XmlText()
  paragraph.insert(0, [text])
  for (const txn of trace.txns) {
    doc.transact(() => {
      for (const [pos, del, ins] of txn.patches) {
        if (del > 0) text.delete(pos, del)
        if (ins) text.insert(pos, ins)
      }
    })
  }
  return { doc, final: text.toString() }
}

function replayLines(trace) {
  const doc = new Y.Doc()
  const fragment = doc.getXmlFragment('default')
  const paragraph = (line = '') => {
    const p = new Y.XmlElement('paragraph')
    p.insert(0, [new Y.XmlText(line)])
    return p
  }
  fragment.insert(0, [paragraph()])
  const lengths = [0] // of each line, without its line break
  const textAt = (i) => fragment.get(i).get(0)
  /** Trace position → [line, offset in it]. */
  const locate = (pos) => {
    let i = 0
    while (pos > lengths[i]) pos -= lengths[i++] + 1
    return [i, pos]
  }
  for (const txn of trace.txns) {
    doc.transact(() => {
      for (const [pos, del, ins] of txn.patches) {
        for (let left = del; left > 0; ) {
          const [i, o] = locate(pos)
          if (o < lengths[i]) {
            const k = Math.min(left, lengths[i] - o)
            textAt(i).delete(o, k)
            lengths[i] -= k
            left -= k
          } else {
            // Deleting the line break after line i joins the next line onto it.
            const next = textAt(i + 1).toString()
            if (next) textAt(i).insert(lengths[i], next)
            lengths[i] += lengths[i + 1]
            fragment.delete(i + 1, 1)
            lengths.splice(i + 1, 1)
            left--
          }
        }
        if (!ins) continue
        const parts = ins.split('\n')
        const [i, o] = locate(pos)
        const text = textAt(i)
        if (parts.length === 1) {
          text.insert(o, ins)
          lengths[i] += ins.length
          continue
        }
        // A line break splits line i: what followed the caret moves to the last new line.
        if (parts[0]) text.insert(o, parts[0])
        const cut = o + parts[0].length
        const tail = text.toString().slice(cut)
        if (tail) text.delete(cut, tail.length)
        lengths[i] = cut
        const lines = parts.slice(1)
        lines[lines.length - 1] += tail
        fragment.insert(i + 1, lines.map(paragraph))
        lengths.splice(i + 1, 0, ...lines.map((line) => line.length))
      }
    })
  }
  return { doc, final: fragment.toArray().map((p) => p.get(0).toString()).join('\n') }
}

function traceUpdates() {
  const trace = JSON.parse(gunzipSync(readFileSync(TRACE)).toString('utf8'))
  const edits = trace.txns.reduce((n, txn) => n + txn.patches.length, 0)
  const layouts = { lines: replayLines(trace), oneParagraph: replayOneParagraph(trace) }
  for (const [name, { final }] of Object.entries(layouts)) {
    if (final !== trace.endContent) throw new Error(`trace replay (${name}) does not reproduce endContent (positions are code points?)`)
  }
  const final = trace.endContent
  return {
    lines: Y.encodeStateAsUpdate(layouts.lines.doc),
    oneParagraph: Y.encodeStateAsUpdate(layouts.oneParagraph.doc),
    edits,
    chars: final.length,
    paragraphs: layouts.lines.doc.getXmlFragment('default').length,
    vocabulary: [...new Set(final.toLowerCase().match(/[a-z]{3,}/g))],
  }
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
      const traced = trace.notes.map(({ title }, i) => {
        const id = `bench-trace-${crypto.randomUUID()}`
        store.put(clone(id, title, now - (5 + i) * 60_000))
        return id
      })
      await done(tx)
      db.close()
      // Each note's content, as y-indexeddb stores it: one update in `skein:note/<id>`'s `updates`.
      for (const [i, { updateBase64 }] of trace.notes.entries()) {
        const bytes = Uint8Array.from(atob(updateBase64), (c) => c.charCodeAt(0))
        const noteDb = await new Promise((resolve, reject) => {
          const req = indexedDB.open(`skein:${trace.prefix}${traced[i]}`, 1)
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
      }
      return { templateId: template.id }
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
  const otherId = await page.evaluate(() => localStorage.getItem('skein:selected-note'))
  await imagesNote(page)
  const images = await openImagesRuns(page, otherId)
  log('open 50 images', images)
  if (process.env.BENCH_IMAGES_ONLY) {
    await context.close()
    return { images }
  }
  const { templateId } = await seedCatalog(page, { count: NOTES, trace })

  const start = []
  for (let run = 0; run < (args['editor-only'] ? 0 : RUNS); run++) {
    await page.reload()
    await page.waitForFunction(() => window.__benchMarks.idle !== undefined, null, { polling: 50 })
    start.push(await page.evaluate(() => ({ ...window.__benchMarks })))
  }
  log('start', start)
  // Without the rows above, the one-time search index build of the 10,000 notes would still be
  // running: wait until the page is quiet so the note rows measure the note, not the build.
  if (args['editor-only']) {
    await page.reload()
    await page.getByRole('list', { name: 'Notes' }).waitFor()
    log('search index built after', await waitIndexed(page, NOTES), 'ms')
    await page.waitForTimeout(15_000) // its snapshot is taken in the next idle moment (at most 10 s)
    log('page quiet after', await waitQuiet(page), 'ms')
  }
  const switching = args['editor-only'] ? [] : await switchNotes(page, args.quick ? 20 : 40)
  log('switch', switching)
  const palette = args['editor-only'] ? [] : await paletteQueries(page)
  log('palette', palette)

  const big = {}
  for (const { title } of trace.notes) {
    big[title] = { open: await openColdRuns(page, templateId, title) }
    log('open', title, big[title].open)
    const profiler = args.profile ? await startProfile(page) : null
    big[title].keys = await keystrokes(page, KEYS)
    if (profiler) log(`where the keystrokes in "${title}" spent their time (self time, top functions):\n${await stopProfile(profiler)}`)
    big[title].typedIn = await page.getByRole('textbox', { name: 'Note editor' }).evaluate((el) => el.textContent.includes('quick brown'))
  }
  // Baseline: the same in the small note.
  await page.evaluate((id) => localStorage.setItem('skein:selected-note', id), templateId)
  await page.reload()
  await page.getByRole('textbox', { name: 'Note editor' }).waitFor()
  await page.waitForTimeout(1000)
  const smallKeys = await keystrokes(page, Math.min(KEYS, 100))
  await context.close()
  return { start, big, smallKeys, images, switching, palette }
}

/**
 * Keystroke to paint in a note of REMOTE_PARAGRAPHS paragraphs while another device types in it.
 * The whole path is real: the built client is served by a real relay (started here on a free
 * port, so the page connects to it as it would in use), and the other device is a stock
 * y-websocket client in this process with its own Y.Doc. It fills the note through the relay,
 * then types a character every REMOTE_KEY_MS into the middle of the note (each its own Yjs
 * transaction, so its own update message) and moves its published caret with each one, as the
 * editor's caret plugin does, while this page types at the end of the note.
 */
async function remoteTyping(browser, vocabulary) {
  const { startRelay } = await import(join(ROOT, 'dist/node/server/relay.js'))
  const { noteRoom } = await import(join(ROOT, 'dist/node/protocol/rooms.js'))
  const dataDir = mkdtempSync(join(tmpdir(), 'skein-bench-client-'))
  const relay = await startRelay({ host: '127.0.0.1', port: 0, dataDir, staticDir: CLIENT_DIR, logLevel: 'silent' })
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 } })
  context.setDefaultTimeout(120_000)
  const doc = new Y.Doc()
  let provider = null
  let typing = null
  try {
    const page = await context.newPage()
    await page.goto(relay.url)
    await page.getByRole('button', { name: 'New note' }).first().click()
    await page.getByRole('textbox', { name: 'Note editor' }).click()
    await page.keyboard.type('Typing together')
    const noteId = await page.evaluate(() => localStorage.getItem('skein:selected-note'))
    provider = new WebsocketProvider(relay.url.replace('http:', 'ws:'), noteRoom(noteId), doc, { WebSocketPolyfill: WebSocket, disableBc: true })
    await new Promise((resolve) => provider.once('sync', resolve))
    const fragment = doc.getXmlFragment('default')
    const sentence = (i) => Array.from({ length: 12 }, (_, k) => vocabulary[(i * 12 + k) % vocabulary.length]).join(' ') + '.'
    doc.transact(() => {
      fragment.push(Array.from({ length: REMOTE_PARAGRAPHS }, (_, i) => {
        const p = new Y.XmlElement('paragraph')
        p.insert(0, [new Y.XmlText(sentence(i))])
        return p
      }))
    })
    await page.waitForFunction((n) => document.querySelectorAll('[aria-label="Note editor"] > p').length >= n, REMOTE_PARAGRAPHS, { polling: 100 })
    await page.waitForTimeout(1000)
    // The other device: types into the middle paragraph, its caret following.
    const target = fragment.get(Math.floor(fragment.length / 2)).get(0)
    provider.awareness.setLocalStateField('user', { name: 'Other device', color: '#0ea5e9' })
    const letters = 'and meanwhile on the other device '
    let sent = 0
    const remoteKey = () => {
      const offset = target.length
      target.insert(offset, letters[sent++ % letters.length])
      const caret = Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(target, offset + 1))
      provider.awareness.setLocalStateField('cursor', { anchor: caret, head: caret })
    }
    typing = setInterval(remoteKey, REMOTE_KEY_MS)
    await page.waitForTimeout(500)
    const profiler = args.profile ? await startProfile(page) : null
    const keys = await keystrokes(page, KEYS)
    if (profiler) log(`where the keystrokes beside a remote writer spent their time:\n${await stopProfile(profiler)}`)
    clearInterval(typing)
    typing = null
    const typedIn = await page.getByRole('textbox', { name: 'Note editor' }).evaluate((el) => el.textContent.includes('quick brown'))
    // Everything the other device typed reached this page.
    const expected = target.toString()
    await page.waitForFunction((text) => [...document.querySelectorAll('[aria-label="Note editor"] > p')].some((p) => p.textContent === text), expected, { polling: 100, timeout: 10_000 })
    return { keys, typedIn, remoteKeys: sent, paragraphs: fragment.length }
  } finally {
    if (typing) clearInterval(typing)
    provider?.destroy()
    doc.destroy()
    await context.close()
    await relay.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** Waits until the app's search index (IndexedDB `skein-search`) holds `count` notes (at most 90 s). */
async function waitIndexed(page, count) {
  return page.evaluate(async (count) => {
    const t0 = performance.now()
    const indexed = () =>
      new Promise((resolve) => {
        const req = indexedDB.open('skein-search')
        req.onsuccess = () => {
          const db = req.result
          if (!db.objectStoreNames.contains('notes')) return db.close(), resolve(0)
          const counting = db.transaction('notes').objectStore('notes').count()
          counting.onsuccess = () => (db.close(), resolve(counting.result))
          counting.onerror = () => (db.close(), resolve(0))
        }
        req.onerror = () => resolve(0)
      })
    while ((await indexed()) < count && performance.now() - t0 < 90_000) await new Promise((resolve) => setTimeout(resolve, 1000))
    return Math.round(performance.now() - t0)
  }, count)
}

/** Waits until the page's main thread has had no task over 50 ms for 3 s (at most 45 s); returns how long that took. */
async function waitQuiet(page) {
  return page.evaluate(
    () =>
      new Promise((resolve) => {
        const t0 = performance.now()
        let quietSince = t0
        let last = t0
        const tick = () => {
          const now = performance.now()
          if (now - last > 50) quietSince = now
          last = now
          if (now - quietSince > 3000 || now - t0 > 45_000) resolve(Math.round(now - t0))
          else setTimeout(tick, 10)
        }
        setTimeout(tick, 10)
      }),
  )
}

/** Opens the next small note in the 10,000-note list `count` times: click to its editor, editable, with its title. */
async function switchNotes(page, count) {
  const samples = []
  for (let i = 0; i < count; i++) {
    samples.push(
      await page.evaluate(
        (index) =>
          new Promise((resolve) => {
            const rows = document.querySelectorAll('ul[aria-label="Notes"] > li')
            const row = rows[(index % (rows.length - 2)) + 1]
            const title = row.getAttribute('aria-label')
            const t0 = performance.now()
            row.querySelector('button').click()
            const check = () => {
              const field = document.querySelector('input[aria-label="Title"]')
              const editor = document.querySelector('[role="textbox"][aria-label="Note editor"]')
              if (field && field.value === title && editor && editor.isContentEditable) requestAnimationFrame(() => resolve(performance.now() - t0))
              else requestAnimationFrame(check)
            }
            check()
          }),
        i,
      ),
    )
  }
  return samples
}

/** The command palette over 10,000 notes: each keystroke of some queries, to the results painted. */
async function paletteQueries(page) {
  await page.keyboard.press('Escape')
  await page.keyboard.press('Control+KeyP')
  await page.getByRole('combobox', { name: 'Command or note' }).waitFor()
  return page.evaluate(async () => {
    const input = document.querySelector('input[aria-label="Command or note"]')
    const list = document.getElementById(input.getAttribute('aria-controls'))
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set
    const samples = []
    for (const query of ['note 4321 about trains', 'grdns 99', 'sync details', 'recipes 7']) {
      for (let i = 1; i <= query.length; i++) {
        const before = list.innerHTML
        const t0 = performance.now()
        setValue.call(input, query.slice(0, i))
        input.dispatchEvent(new Event('input', { bubbles: true }))
        // A keystroke that leaves the results as they were (a space) has nothing to paint: not counted.
        const took = await new Promise((resolve) => {
          const check = () => (list.innerHTML !== before ? requestAnimationFrame(() => resolve(performance.now() - t0)) : performance.now() - t0 > 1000 ? resolve(null) : requestAnimationFrame(check))
          check()
        })
        if (took !== null) samples.push(took)
      }
      setValue.call(input, '')
      input.dispatchEvent(new Event('input', { bubbles: true }))
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    return samples
  })
}

// ---------------------------------------------------------------------------------------------
// A note with 50 images: pasted into the app (PNGs drawn by the page's canvas, 800×600 each),
// then opened cold: to editable (every image's placeholder box laid out at its stored size), and
// until every image has filled in from IndexedDB.

const IMAGES = 50
const IMAGES_TITLE = 'Fifty images'

async function imagesNote(page) {
  await page.getByRole('button', { name: 'New note' }).first().click()
  const editor = page.getByRole('textbox', { name: 'Note editor' })
  await editor.waitFor()
  await editor.click()
  await page.keyboard.type(IMAGES_TITLE)
  await editor.evaluate(async (el, count) => {
    const files = []
    for (let i = 0; i < count; i++) {
      const canvas = document.createElement('canvas')
      canvas.width = 800
      canvas.height = 600
      const g = canvas.getContext('2d')
      g.fillStyle = `hsl(${(i * 37) % 360} 60% 50%)`
      g.fillRect(0, 0, 800, 600)
      g.fillStyle = '#fff'
      g.font = 'bold 120px sans-serif'
      g.fillText(String(i + 1), 300, 340)
      files.push(new File([await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'))], `image-${i + 1}.png`, { type: 'image/png' }))
    }
    const data = new DataTransfer()
    for (const file of files) data.items.add(file)
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
  }, IMAGES)
  await page.waitForFunction((count) => document.querySelectorAll('.attachment-image[data-state="loaded"]').length === count, IMAGES, { polling: 100 })
  await page.getByRole('list', { name: 'Notes' }).getByRole('listitem', { name: IMAGES_TITLE }).waitFor()
  await page.waitForTimeout(1500)
}

/** Reloads the app with note `id` open, and lets it settle: the next note opened is not in memory. */
async function reloadWith(page, id) {
  await page.evaluate((id) => localStorage.setItem('skein:selected-note', id), id)
  await page.reload()
  await page.getByRole('textbox', { name: 'Note editor' }).waitFor()
  await page.waitForTimeout(1000)
}

/** Opens the images note cold (after a reload with another note open): to editable, and to every image drawn. */
async function openImagesRuns(page, otherId) {
  const runs = []
  for (let run = 0; run < RUNS; run++) {
    await reloadWith(page, otherId)
    runs.push(
      await page.evaluate(
        ({ title, count }) =>
          new Promise((resolve) => {
            const t0 = performance.now()
            let editable = null
            document.querySelector(`li[aria-label="${title}"] button`).click()
            const check = () => {
              const editor = document.querySelector('[role="textbox"][aria-label="Note editor"]')
              const boxes = editor ? editor.querySelectorAll('.attachment-image') : []
              if (editable === null && editor && editor.isContentEditable && boxes.length === count && boxes[count - 1].getBoundingClientRect().height > 0) editable = performance.now() - t0
              const loaded = editor ? editor.querySelectorAll('.attachment-image[data-state="loaded"]').length : 0
              if (editable !== null && loaded === count) resolve({ ms: editable, filledMs: performance.now() - t0 })
              else requestAnimationFrame(check)
            }
            check()
          }),
        { title: IMAGES_TITLE, count: IMAGES },
      ),
    )
  }
  return runs
}

/** Opens the note titled `title` with another note open before it, so its doc is not in memory. */
async function openColdRuns(page, templateId, title) {
  const runs = []
  for (let run = 0; run < RUNS; run++) {
    await reloadWith(page, templateId)
    const profiler = args.profile && run === RUNS - 1 ? await startProfile(page) : null
    runs.push(
      await page.evaluate(
        (title) =>
          new Promise((resolve) => {
            const t0 = performance.now()
            let loadingUntil = null
            document.querySelector(`li[aria-label="${title}"] button`).click()
            const check = () => {
              // How long the "Loading note" placeholder stays up, for the breakdown.
              if (document.querySelector('[aria-label="Loading note"]')) loadingUntil = performance.now() - t0
              const editor = document.querySelector('[role="textbox"][aria-label="Note editor"]')
              if (editor && editor.isContentEditable && editor.textContent.length > 100_000) resolve({ ms: performance.now() - t0, loadingUntil })
              else requestAnimationFrame(check)
            }
            check()
          }),
        title,
      ),
    )
    if (profiler) log(`where opening "${title}" spent its time:\n${await stopProfile(profiler)}`)
  }
  return runs
}

/** `--profile`: a CPU profile of the page (Chrome DevTools Protocol) around the keystrokes. */
async function startProfile(page) {
  const session = await page.context().newCDPSession(page)
  await session.send('Profiler.enable')
  await session.send('Profiler.setSamplingInterval', { interval: 100 })
  await session.send('Profiler.start')
  const events = []
  session.on('Tracing.dataCollected', ({ value }) => events.push(...value))
  const traced = new Promise((resolve) => session.once('Tracing.tracingComplete', resolve))
  await session.send('Tracing.start', { categories: 'devtools.timeline', transferMode: 'ReportEvents' })
  return { session, events, traced }
}

async function stopProfile({ session, events, traced }) {
  await session.send('Tracing.end')
  await traced
  const { profile } = await session.send('Profiler.stop')
  // Self time of each timeline event (its duration less its children's), by name (and event type).
  const phases = new Map()
  const byThread = new Map()
  for (const e of events) if (e.ph === 'X' && e.dur) byThread.set(e.tid, [...(byThread.get(e.tid) ?? []), e])
  for (const list of byThread.values()) {
    list.sort((a, b) => a.ts - b.ts || b.dur - a.dur)
    const stack = []
    for (const e of list) {
      while (stack.length && stack.at(-1).ts + stack.at(-1).dur <= e.ts) stack.pop()
      if (stack.length) stack.at(-1).childDur = (stack.at(-1).childDur ?? 0) + e.dur
      stack.push(e)
    }
    for (const e of list) {
      const name = e.name === 'EventDispatch' ? `EventDispatch ${e.args?.data?.type}` : e.name === 'FunctionCall' ? `FunctionCall ${e.args?.data?.functionName || '?'} ${String(e.args?.data?.url).split('/').pop()}:${e.args?.data?.lineNumber}:${e.args?.data?.columnNumber}` : e.name
      phases.set(name, (phases.get(name) ?? 0) + (e.dur - (e.childDur ?? 0)) / 1000)
    }
  }
  const timeline = [...phases.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([name, t]) => `  ${t.toFixed(0).padStart(6)} ms  ${name}`)
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]))
  const name = ({ callFrame }) => `${callFrame.functionName || '(anonymous)'} ${callFrame.url.split('/').pop()}:${callFrame.lineNumber + 1}`
  const self = new Map()
  const selfOfNode = new Map()
  const deltas = profile.timeDeltas
  profile.samples.forEach((id, i) => {
    const t = (deltas[i] ?? 0) / 1000
    self.set(name(byNode.get(id)), (self.get(name(byNode.get(id))) ?? 0) + t)
    selfOfNode.set(id, (selfOfNode.get(id) ?? 0) + t)
  })
  // Inclusive time per function (counted once per stack even when it recurses).
  const inclusive = new Map()
  const visit = (node, onStack) => {
    let total = selfOfNode.get(node.id) ?? 0
    const key = name(node)
    const inner = new Set(onStack).add(key)
    for (const child of node.children ?? []) total += visit(byNode.get(child), inner)
    if (!onStack.has(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + total)
    return total
  }
  visit(profile.nodes[0], new Set())
  const heavy = [...inclusive.entries()].filter(([k]) => !k.startsWith('(')).sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, t]) => `  ${t.toFixed(0).padStart(6)} ms  ${k}`)
  const total = [...self.values()].reduce((a, b) => a + b, 0)
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([where, t]) => `  ${t.toFixed(0).padStart(6)} ms ${((100 * t) / total).toFixed(1).padStart(5)}%  ${where}`)
    .concat(['  browser work (timeline events, self time):', ...timeline, '  inclusive time by function:', ...heavy])
    .join('\n')
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
  const trace = traceUpdates()
  log(`trace: ${trace.edits} edits, ${trace.chars} chars, ${trace.paragraphs} lines; encoded ${trace.lines.byteLength} B as lines, ${trace.oneParagraph.byteLength} B as one paragraph`)
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
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...(process.env.BENCH_UNTHROTTLED ? ['--disable-gpu-vsync', '--disable-frame-rate-limit'] : [])],
  })
  const results = { date: new Date().toISOString(), cpus: cpus().length, loadavg: loadavg().map((l) => l.toFixed(1)).join(' '), trace: { edits: trace.edits, chars: trace.chars, paragraphs: trace.paragraphs, bytes: trace.lines.byteLength, oneParagraphBytes: trace.oneParagraph.byteLength } }
  try {
    const updateBase64 = Buffer.from(trace.lines).toString('base64')
    const { noteRoom } = await import(join(ROOT, 'dist/node/protocol/rooms.js'))
    const notes = [
      { title: BIG, updateBase64 },
      { title: BIG_ONE_PARAGRAPH, updateBase64: Buffer.from(trace.oneParagraph).toString('base64') },
    ]
    results.app = process.env.BENCH_SKIP_APP ? null : await appMeasurements(browser, app.url, { notes, prefix: noteRoom('x').slice(0, -1) })
    if (process.env.BENCH_IMAGES_ONLY) return console.log(JSON.stringify(results.app.images))
    log(`typing beside a remote writer (${REMOTE_PARAGRAPHS} paragraphs)…`)
    results.remote = await remoteTyping(browser, trace.vocabulary)
    log('remote', results.remote)
    if (args['editor-only']) {
      console.log(editorReport(results))
      return
    }

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

/** The note rows only (--editor-only). */
function editorReport(r) {
  const rows = []
  for (const [title, big] of Object.entries(r.app?.big ?? {})) {
    rows.push([`open "${title}" cold, median of ${big.open.length}`, `${ms(median(big.open.map((o) => o.ms)))} (${big.open.map((o) => ms(o.ms)).join(', ')})`])
    rows.push([`keystroke to paint in "${title}"`, keyFigures(big)])
  }
  if (r.app?.smallKeys.length) rows.push(['keystroke to paint in a one-line note', `p95 ${ms(percentile(r.app.smallKeys, 95))}, p50 ${ms(median(r.app.smallKeys))}`])
  rows.push([remoteRow(r.remote), keyFigures(r.remote)])
  return rows.map(([what, figure]) => `${what}: ${figure}`).join('\n')
}

const keyFigures = ({ keys, typedIn }) => `p95 ${ms(percentile(keys, 95))}, p50 ${ms(median(keys))} (${keys.length} keys${typedIn ? '' : ', TEXT NOT SEEN'})`
const remoteRow = (remote) => `keystroke to paint in a note of ${remote.paragraphs.toLocaleString('en')} paragraphs while another device types in it (through a real relay, a character every ${REMOTE_KEY_MS} ms, its caret moving), p95`

function report(r) {
  const startList = median(r.app.start.map((s) => s.list))
  const startIdle = median(r.app.start.map((s) => s.idle))
  const big = r.app.big[BIG]
  const stress = r.app.big[BIG_ONE_PARAGRAPH]
  const keyP95 = percentile(big.keys, 95)
  const openMedian = median(big.open.map((o) => o.ms))
  const opens = (runs) => `${ms(median(runs.map((o) => o.ms)))} median of ${runs.length} (${runs.map((o) => ms(o.ms)).join(', ')})`
  const keys = keyFigures
  const ours = r.storage.ours
  const plain = r.storage.plain
  const verdict = (ok) => (ok ? 'met' : '**missed**')
  const rows = [
    ['switch to another note in the 10,000-note list (click to its editor editable, with its title), p95', `p95 ${ms(percentile(r.app.switching, 95))}, p50 ${ms(median(r.app.switching))} (${r.app.switching.length} switches)`, '< 100 ms', verdict(percentile(r.app.switching, 95) < 100)],
    ['command palette over 10,000 notes, keystroke to results painted, p95', `p95 ${ms(percentile(r.app.palette, 95))}, p50 ${ms(median(r.app.palette))} (${r.app.palette.length} keystrokes)`, '< 30 ms', verdict(percentile(r.app.palette, 95) < 30)],
    ['app start to interactive notes list, 10,000 notes in IndexedDB', `list drawn ${ms(startList)}, first idle task ${ms(startIdle)} (median of ${r.app.start.length} reloads; ${r.app.start[0].rows} rows in the DOM)`, '< 1 s', verdict(startIdle < 1000)],
    [`search, ${r.search.notes.toLocaleString('en')} notes (${r.search.megabytes.toFixed(1)} MB), p95 query`, `p95 ${ms(r.search.p95)}, p50 ${ms(r.search.p50)} (${r.search.n} queries; renderer/search SearchIndex; index built in ${ms(r.search.buildMs)})`, '< 30 ms', verdict(r.search.p95 < 30)],
    [`open the automerge-paper note (${r.trace.edits.toLocaleString('en')} edits, ${r.trace.chars.toLocaleString('en')} chars in ${r.trace.paragraphs.toLocaleString('en')} lines, one paragraph each, as typed) cold from IndexedDB to editable`, `${opens(big.open)}; "Loading note" placeholder up until ${big.open.map((o) => (o.loadingUntil === null ? 'never seen' : ms(o.loadingUntil))).join(', ')}`, '< 150 ms', verdict(openMedian < 150)],
    ['keystroke to paint in that note, p95', `${keys(big)}; in a one-line note: p95 ${ms(percentile(r.app.smallKeys, 95))}, p50 ${ms(median(r.app.smallKeys))}`, '< 16 ms', verdict(keyP95 < 16)],
    [`open a note with ${IMAGES} images (800×600 PNGs in IndexedDB) cold to editable, and until every image is drawn`, `editable ${ms(median(r.app.images.map((o) => o.ms)))} median of ${r.app.images.length} (${r.app.images.map((o) => ms(o.ms)).join(', ')}); all images drawn ${ms(median(r.app.images.map((o) => o.filledMs)))}`, '< 300 ms to editable', verdict(median(r.app.images.map((o) => o.ms)) < 300)],
    [remoteRow(r.remote), `${keys(r.remote)}; ${r.remote.remoteKeys} remote characters meanwhile`, '< 16 ms', verdict(percentile(r.remote.keys, 95) < 16)],
    ['stress: the same edits in one 105k-character paragraph (newlines inside it): open cold, and keystroke to paint', `open ${opens(stress.open)}; keys ${keys(stress)}`, '', ''],
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
