// Runs inside Chromium (bundled by bench/client.mjs with Vite): the measurements that need the
// app's own modules but not its UI. Exposed as `window.skeinBench`.
/* global window, indexedDB -- runs in the page */
import * as Y from 'yjs'
import { IndexeddbPersistence } from 'y-indexeddb'
import { DocHandle, persistenceName } from '../renderer/sync/doc-registry'
import { storedUpdates } from '../renderer/sync/idb-compaction'
import { SearchIndex } from '../renderer/search/search-index'
import { findUnmappable } from '../renderer/editor/schema-guard'
import { noteSchema } from '../renderer/editor/note-schema'

/** Deterministic PRNG (mulberry32), so every run searches and merges the same data. */
function prng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const percentile = (samples, p) => {
  const sorted = [...samples].sort((x, y) => x - y)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}
const summary = (samples) => ({ n: samples.length, p50: percentile(samples, 50), p95: percentile(samples, 95), max: Math.max(...samples) })

function openDb(name) {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name)
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

async function storedIn(room) {
  const db = await openDb(persistenceName(room))
  try {
    return await storedUpdates(db)
  } finally {
    db.close()
  }
}

/** Search over `count` notes of about `bytesPerNote` characters each, words drawn from `vocabulary`. */
function search({ vocabulary, count = 10_000, bytesPerNote = 500, queries = 300 }) {
  const random = prng(42)
  const word = () => vocabulary[Math.floor(random() * vocabulary.length)]
  const t0 = performance.now()
  const index = new SearchIndex()
  let bytes = 0
  for (let i = 0; i < count; i++) {
    const words = []
    let length = 0
    while (length < bytesPerNote) {
      const w = word()
      words.push(w)
      length += w.length + 1
    }
    const text = words.join(' ')
    bytes += text.length
    index.upsert(`note-${i}`, `${word()} ${word()} ${i}`, text, '')
  }
  const buildMs = performance.now() - t0
  const samples = []
  for (let q = 0; q < queries; q++) {
    const query = q % 3 === 0 ? word().slice(0, 4) : q % 3 === 1 ? word() : `${word()} ${word()}`
    const start = performance.now()
    index.search(query, { limit: 50 })
    samples.push(performance.now() - start)
  }
  return { notes: count, megabytes: bytes / 1e6, buildMs, ...summary(samples) }
}

/** Two devices edit the same note offline (`edits` single-character inserts each), then exchange. */
function merge({ edits = 10_000 }) {
  const base = new Y.Doc()
  const paragraph = new Y.XmlElement('paragraph')
  const text = new Y.XmlText('A note both devices had before going offline.')
  paragraph.insert(0, [text])
  base.getXmlFragment('default').insert(0, [paragraph])
  const devices = [new Y.Doc(), new Y.Doc()]
  for (const doc of devices) Y.applyUpdate(doc, Y.encodeStateAsUpdate(base))
  devices.forEach((doc, d) => {
    const random = prng(7 + d)
    const ytext = doc.getXmlFragment('default').get(0).get(0)
    let caret = 0
    for (let i = 0; i < edits; i++) {
      // Typing: mostly at the caret, sometimes the caret jumps elsewhere.
      if (i % 40 === 0) caret = Math.floor(random() * ytext.length)
      doc.transact(() => ytext.insert(caret++, 'abcdefghijklmnopqrstuvwxyz'[i % 26]))
    }
  })
  const [a, b] = devices
  const start = performance.now()
  const toB = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b))
  const toA = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a))
  Y.applyUpdate(b, toB)
  Y.applyUpdate(a, toA)
  const converged = a.getXmlFragment('default').toString() === b.getXmlFragment('default').toString()
  const ms = performance.now() - start
  return { edits, ms, converged, length: a.getXmlFragment('default').get(0).get(0).length, updateBytes: toA.byteLength + toB.byteLength }
}

function shortNote(doc) {
  const paragraph = new Y.XmlElement('paragraph')
  paragraph.insert(0, [new Y.XmlText('A short note, opened and closed, never edited.')])
  doc.getXmlFragment('default').insert(0, [paragraph])
}

const openOurs = async (room) => {
  const t0 = performance.now()
  const handle = new DocHandle(room, Promise.resolve(null), false)
  await handle.whenLoaded
  const loaded = performance.now() - t0
  await handle.whenCompacted
  const compacted = performance.now() - t0
  return { doc: handle.doc, loaded, compacted, close: () => handle.destroy() }
}
const openPlain = async (room) => {
  const doc = new Y.Doc()
  const t0 = performance.now()
  const persistence = new IndexeddbPersistence(persistenceName(room), doc)
  await persistence.whenSynced
  const loaded = performance.now() - t0
  return { doc, loaded, compacted: loaded, close: async () => { await persistence.destroy(); doc.destroy() } }
}
const OPENERS = { ours: openOurs, plain: openPlain }

/** Writes `update` (or a short note) as the first stored state of a fresh room. */
async function seedRoom(room, update) {
  const doc = new Y.Doc()
  const persistence = new IndexeddbPersistence(persistenceName(room), doc)
  await persistence.whenSynced
  if (update) Y.applyUpdate(doc, update)
  else shortNote(doc)
  await new Promise((resolve) => setTimeout(resolve, 100))
  const encoded = Y.encodeStateAsUpdate(doc).byteLength
  await persistence.destroy()
  doc.destroy()
  return encoded
}

/** Storage after `cycles` open/close cycles of an unedited note, and cold-open times then. */
async function storage({ cycles = 1000, opens = 10 }) {
  const results = {}
  for (const [name, open] of Object.entries(OPENERS)) {
    const room = `note:bench-storage-${name}-${Date.now()}`
    const encoded = await seedRoom(room)
    const t0 = performance.now()
    for (let i = 0; i < cycles; i++) await (await open(room)).close()
    const cycleMs = (performance.now() - t0) / cycles
    const stored = await storedIn(room)
    const coldOpen = []
    for (let i = 0; i < opens; i++) {
      const opened = await open(room)
      coldOpen.push(opened.loaded)
      await opened.close()
    }
    results[name] = { encoded, ...stored, ratio: stored.bytes / encoded, cycleMs, coldOpenAfterCycles: summary(coldOpen) }
  }
  return results
}

/** Cold open (fresh Y.Doc from IndexedDB) of a big note, ours vs plain y-indexeddb, and the guard's scan. */
async function coldOpenBig({ updateBase64, opens = 8 }) {
  const update = Uint8Array.from(atob(updateBase64), (c) => c.charCodeAt(0))
  const results = {}
  for (const [name, open] of Object.entries(OPENERS)) {
    const room = `note:bench-big-${name}-${Date.now()}`
    await seedRoom(room, update)
    const loaded = []
    const compacted = []
    for (let i = 0; i < opens; i++) {
      const opened = await open(room)
      loaded.push(opened.loaded)
      compacted.push(opened.compacted)
      await opened.close()
    }
    results[name] = { loaded: summary(loaded), compacted: summary(compacted), stored: await storedIn(room) }
  }
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  const scans = []
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now()
    findUnmappable(doc.getXmlFragment('default'), noteSchema())
    scans.push(performance.now() - t0)
  }
  results.guardScan = summary(scans)
  return results
}

window.skeinBench = { search, merge, storage, coldOpenBig }
