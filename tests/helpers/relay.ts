import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { onTestFinished } from 'vitest'
import * as Y from 'yjs'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import { startRelay, type Relay, type RelayOptions } from '../../server/relay'

// Each stock WebsocketProvider in Node adds a process 'exit' listener; tests open many.
process.setMaxListeners(100)

/**
 * Runs `cleanup` when the current test ends, passed or failed; cleanups run in reverse order of
 * registration (a relay closes before its data folder goes). `afterEach` called inside a running
 * test registers a hook that never runs.
 */
function afterThisTest(cleanup: () => unknown): void {
  onTestFinished(async () => {
    await cleanup()
  })
}

/** A fresh temporary folder, removed after the current test. */
export function tempDir(prefix = 'skein-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  afterThisTest(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Starts the real relay on a free port; closed after the current test unless closed earlier. */
export async function startTestRelay(options: RelayOptions = {}): Promise<Relay & { wsUrl: string }> {
  const relay = await startRelay({ host: '127.0.0.1', port: 0, ...options })
  afterThisTest(() => relay.close())
  return Object.assign(relay, { wsUrl: relay.url.replace('http:', 'ws:') })
}

/** A stock y-websocket client in Node, destroyed after the current test. */
export function connectClient(wsUrl: string, room: string, doc = new Y.Doc(), opts: { params?: Record<string, string> } = {}) {
  const provider = new WebsocketProvider(wsUrl, room, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    params: opts.params ?? {},
  })
  afterThisTest(() => {
    provider.destroy()
    doc.destroy()
  })
  return { doc, provider, text: doc.getText('t') }
}

export function whenSynced(provider: WebsocketProvider): Promise<void> {
  return new Promise((resolve) => {
    if (provider.synced) return resolve()
    const onSync = (synced: boolean) => {
      if (!synced) return
      provider.off('sync', onSync)
      resolve()
    }
    provider.on('sync', onSync)
  })
}

/** Polls until `check` returns true; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Opens a raw WebSocket to the relay (for hostile-peer tests). */
export function rawSocket(wsUrl: string, room: string): Promise<WebSocket> {
  const ws = new WebSocket(`${wsUrl}/${room}`)
  afterThisTest(() => ws.terminate())
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

export function closeEvent(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })))
}

/** A TCP port that was free a moment ago (for relays started as separate processes). */
export async function freePort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as { port: number }).port
  await new Promise((r) => srv.close(r))
  return port
}
