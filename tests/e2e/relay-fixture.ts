// The real relay serving the built web client, on a free port with a throwaway data folder.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startRelay } from '../../server/relay'
import type { AuthTable } from '../../server/auth'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { noteRoom } from '../../protocol/rooms'
import { isStoredOnRelay } from '../../protocol/stored-acks'
import { trackStoredAcks } from '../../renderer/sync/stored-acks'
import { freePort, waitFor } from '../helpers/relay'
import { spawnRelayProcess } from '../helpers/relay-process'
import { startAll } from '../helpers/teardown'
import { launchBrowser, openDevice, type Device } from '../helpers/browser'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy'
import { CLIENT_DIR, assertClientBuilt, startStaticServer } from './app'

export interface E2eRelay {
  readonly port: number
  /** `http://127.0.0.1:PORT/`: the web client; its WebSocket goes to the same origin. */
  readonly url: string
  /** The relay's data folder: its SQLite files are the ground truth of what it stored. */
  readonly dataDir: string
  close(): Promise<void>
}

export function startE2eRelay(options: { auth?: AuthTable } = {}): Promise<E2eRelay> {
  return startAll(async (teardown) => {
    const dataDir = teardown.add(mkdtempSync(join(tmpdir(), 'skein-e2e-')), (dir) => rmSync(dir, { recursive: true, force: true }))
    const relay = teardown.add(await startRelay({ host: '127.0.0.1', port: 0, dataDir, staticDir: CLIENT_DIR, auth: options.auth ?? null }), (r) => r.close())
    return { port: relay.port, url: `${relay.url}/`, dataDir }
  })
}

/** The relay as its own process (the built CLI), so a test can kill it as a crash or power cut would. */
export interface E2eRelayProcess extends E2eRelay {
  /** SIGKILL: no chance to flush or close sockets; resolves once the process is gone. */
  kill(): Promise<void>
  /** Starts the relay again on the same port and data folder; resolves once it listens. */
  restart(): Promise<void>
}

export function startE2eRelayProcess(): Promise<E2eRelayProcess> {
  return startAll(async (teardown) => {
    const dataDir = teardown.add(mkdtempSync(join(tmpdir(), 'skein-e2e-')), (dir) => rmSync(dir, { recursive: true, force: true }))
    const port = await freePort()
    let current: ReturnType<typeof spawnRelayProcess> | null = null
    const stop = async (signal: NodeJS.Signals) => {
      const running = current
      current = null
      if (!running) return
      running.child.kill(signal)
      await running.exited
    }
    const spawnOne = async () => {
      current = spawnRelayProcess(port, dataDir, ['--static', CLIENT_DIR])
      await current.listening()
    }
    teardown.add(null, () => stop('SIGTERM'))
    await spawnOne()
    return {
      port,
      url: `http://127.0.0.1:${port}/`,
      dataDir,
      kill: () => stop('SIGKILL'),
      async restart() {
        if (current) throw new Error('restart(): the relay process is still running; kill() it first')
        await spawnOne()
      },
    }
  })
}

/** The real relay with two devices (separate browser contexts) on the web client it serves. */
export interface TwoDevices {
  relay: E2eRelay
  /** In front of the relay for the `cuttable` device; `cut()` drops its network. */
  proxy: TcpProxy | null
  browser: Browser
  a: Device
  b: Device
  close(): Promise<void>
}

/**
 * Starts the relay, Chromium and two devices. The `cuttable` device loads the client through a
 * TCP proxy, so its WebSocket (same origin) goes through it too and a test can take it offline.
 */
export function startTwoDevices(options: { cuttable?: 'a' | 'b'; relayProcess?: boolean } = {}): Promise<TwoDevices> {
  assertClientBuilt()
  return startAll(async (teardown) => {
    const relay = teardown.add(options.relayProcess ? await startE2eRelayProcess() : await startE2eRelay(), (r) => r.close())
    const proxy = options.cuttable ? teardown.add(await startTcpProxy(relay.port), (p) => p.close()) : null
    const browser = teardown.add(await launchBrowser(), (b) => b.close())
    const urlFor = (device: 'a' | 'b') => (proxy && options.cuttable === device ? `http://127.0.0.1:${proxy.port}/` : relay.url)
    const a = await openDevice(browser, urlFor('a'))
    const b = await openDevice(browser, urlFor('b'))
    return { relay, proxy, browser, a, b }
  })
}

/** One device on the built client served by a plain static server: there is no relay at all. */
export function startOfflineDevice(): Promise<{ device: Device; close(): Promise<void> }> {
  assertClientBuilt()
  return startAll(async (teardown) => {
    const server = teardown.add(await startStaticServer(), (s) => s.close())
    const browser = teardown.add(await launchBrowser(), (b) => b.close())
    return { device: await openDevice(browser, server.url) }
  })
}

/**
 * Stands for a value made in `beforeAll`: each property read goes to the value as it is then, so
 * a file can name its devices at the top and use them in its tests.
 */
function late<T extends object>(what: string, get: () => T | null | undefined): T {
  const target = (): T => {
    const value = get()
    if (!value) throw new Error(`${what} is not there: read it inside a test or hook, after beforeAll`)
    return value
  }
  return new Proxy({} as T, {
    get(_, key) {
      const value = target()
      const property: unknown = Reflect.get(value, key)
      return typeof property === 'function' ? (property as (...args: unknown[]) => unknown).bind(value) : property
    },
  })
}

/**
 * Two devices for every test in the calling file: started before the first test, closed after the
 * last. `proxy` is the cuttable device's TCP proxy (only with `cuttable`).
 */
export function twoDevicesPerFile(options: { cuttable?: 'a' | 'b'; relayProcess?: boolean } = {}): {
  a: Device
  b: Device
  proxy: TcpProxy
  relay: E2eRelay
  /** The same relay, killable (only with `relayProcess`). */
  relayProcess: E2eRelayProcess
} {
  let devices: TwoDevices | null = null
  beforeAll(async () => {
    devices = await startTwoDevices(options)
  }, 120_000)
  afterAll(async () => {
    await devices?.close()
  })
  return {
    a: late('device a', () => devices?.a),
    b: late('device b', () => devices?.b),
    proxy: late('the TCP proxy (start with `cuttable`)', () => devices?.proxy),
    relay: late('the relay', () => devices?.relay),
    relayProcess: late('the relay process (start with `relayProcess`)', () => {
      const relay = devices?.relay
      return relay && 'kill' in relay ? (relay as E2eRelayProcess) : null
    }),
  }
}

/** The relay and one device on it, for every test in the calling file. */
export function oneDevicePerFile(): { relay: E2eRelay; device: Device } {
  let started: { relay: E2eRelay; device: Device; close(): Promise<void> } | null = null
  beforeAll(async () => {
    assertClientBuilt()
    started = await startAll(async (teardown) => {
      const relay = teardown.add(await startE2eRelay(), (r) => r.close())
      const browser = teardown.add(await launchBrowser(), (b) => b.close())
      return { relay, device: await openDevice(browser, relay.url) }
    })
  }, 120_000)
  afterAll(async () => {
    await started?.close()
  })
  return { relay: late('the relay', () => started?.relay), device: late('the device', () => started?.device) }
}

/**
 * Joins the note's room on the relay as a collaborator would, with a stock y-websocket client in
 * Node; runs `work` on the synced doc, and leaves only once the relay has durably stored all of it.
 */
export async function asStockClient<T>(relay: E2eRelay, noteId: string, work: (doc: Y.Doc) => T): Promise<T> {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(relay.url.replace(/^http/, 'ws').replace(/\/$/, ''), noteRoom(noteId), doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  })
  let stored: Uint8Array | null = null
  trackStoredAcks(provider, (stateVector) => (stored = stateVector))
  try {
    await new Promise<void>((resolve) => provider.once('sync', () => resolve()))
    const result = work(doc)
    await waitFor('the relay to store what the stock client wrote', () => stored !== null && isStoredOnRelay(doc, stored), 30_000)
    return result
  } finally {
    provider.destroy()
    doc.destroy()
  }
}

/** One device with no relay at all (startOfflineDevice), for every test in the calling file. */
export function offlineDevicePerFile(): Device {
  let started: Awaited<ReturnType<typeof startOfflineDevice>> | null = null
  beforeAll(async () => {
    started = await startOfflineDevice()
  }, 120_000)
  afterAll(async () => {
    await started?.close()
  })
  return late('the offline device', () => started?.device)
}
