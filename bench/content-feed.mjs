#!/usr/bin/env node
// How much one typist costs the metadata feed: one stock y-websocket client types ~10 updates/s
// into one note while two watchers long-poll GET /v1/changes. Reports meta commits per second
// (the workspace's feed seq grows by one per content-change commit) and long-poll wakes per
// second (answers the watchers got). Runs the built relay in-process (npm run build:node first).
//
//   node bench/content-feed.mjs [--seconds 20] [--rate 10]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { startRelay } from '../dist/node/server/relay.js'

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, rate: { type: 'string', default: '10' } } })
const seconds = Number(values.seconds)
const rate = Number(values.rate)

const dataDir = mkdtempSync(join(tmpdir(), 'skein-bench-feed-'))
const relay = await startRelay({ host: '127.0.0.1', port: 0, dataDir })
const ops = await fetch(`${relay.url}/v1/ops`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ ops: [{ opId: 'bench-create', kind: 'note.create', entity: 'typed', baseVersion: 0, actor: { device: 'bench', name: 'Bench' }, payload: { title: 'Typed', folderId: null, tags: [] } }] }),
})
if (!ops.ok) throw new Error(`create failed: ${ops.status} ${await ops.text()}`)

let stopping = false
let wakes = 0
const startSeq = (await (await fetch(`${relay.url}/v1/changes?since=0`)).json()).cursor
async function watch() {
  let since = startSeq
  while (!stopping) {
    const page = await (await fetch(`${relay.url}/v1/changes?since=${since}&wait=30`)).json()
    if (stopping) break
    wakes++
    since = page.cursor
  }
}
const watchers = [watch(), watch()]

const doc = new Y.Doc()
const provider = new WebsocketProvider(relay.url.replace('http:', 'ws:'), 'note/typed', doc, { WebSocketPolyfill: WebSocket, disableBc: true })
await new Promise((resolve) => provider.once('sync', resolve))
const text = doc.getXmlFragment('default')
const para = new Y.XmlText()
text.insert(0, [para])

const seqAt = async () => (await (await fetch(`${relay.url}/v1/changes?since=0&limit=1000`)).json()).cursor
const before = await seqAt()
const wakesBefore = wakes
const started = performance.now()
let typed = 0
await new Promise((resolve) => {
  const timer = setInterval(() => {
    para.insert(para.length, String.fromCharCode(97 + (typed++ % 26)))
    if (performance.now() - started >= seconds * 1000) {
      clearInterval(timer)
      resolve()
    }
  }, 1000 / rate)
})
const typingSeconds = (performance.now() - started) / 1000
const afterTyping = await seqAt()
const wakesTyping = wakes - wakesBefore
// Editing stopped: how long until the feed has the last change.
const stopAt = performance.now()
const last = afterTyping
let settled = last
while (performance.now() - stopAt < 5000) {
  await new Promise((r) => setTimeout(r, 50))
  settled = await seqAt()
  if (settled > last) break
}
const settleMs = settled > last ? Math.round(performance.now() - stopAt) : null

stopping = true
provider.destroy()
await relay.close()
await Promise.allSettled(watchers)
rmSync(dataDir, { recursive: true, force: true })

const commits = afterTyping - before
console.log(JSON.stringify({
  seconds: Number(typingSeconds.toFixed(1)),
  updates: typed,
  updatesPerSecond: Number((typed / typingSeconds).toFixed(1)),
  metaContentCommits: commits,
  metaCommitsPerSecond: Number((commits / typingSeconds).toFixed(2)),
  longPollWakes: wakesTyping,
  longPollWakesPerSecond: Number((wakesTyping / typingSeconds).toFixed(2)),
  feedEntryAfterStopMs: settleMs,
}))
