// The real relay serving the built web client, on a free port with a throwaway data folder.
//
// Cluster mode (SKEIN_E2E_RELAYS=cluster; the `e2e-cluster` project in vite.config.ts runs the
// two-device files in it): the two devices are on different relays. Two relay processes (the
// built CLI) share one PostgreSQL database (fresh for each `startTwoDevices`) and one Redis,
// started once per test file; device a loads the client from relay 1 and device b from relay 2,
// so each device's WebSocket and /v1 requests go to its own relay (same origin), and everything
// one device sends reaches the other only through PostgreSQL and Redis.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startRelay, type RelayLimits } from '../../server/relay'
import type { AuthTable } from '../../server/auth'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, beforeEach } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { noteRoom } from '../../protocol/rooms'
import { isStoredOnRelay } from '../../protocol/stored-acks'
import { trackStoredAcks } from '../../renderer/sync/stored-acks'
import { ClusterRelay } from '../helpers/cluster'
import { freePort, waitFor } from '../helpers/relay'
import { startPostgres, startRedis, type PostgresServer, type RedisServer } from '../helpers/servers'
import { startAll, type Teardown } from '../helpers/teardown'
import { launchBrowser, openDevice, type Device } from '../helpers/browser'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy'
import { CLIENT_DIR, assertClientBuilt, startStaticServer } from './app'

/** Two devices on two relays of one cluster (see the top of this file), or on one relay. */
export const CLUSTER = process.env.SKEIN_E2E_RELAYS === 'cluster'

export interface E2eRelay {
  readonly port: number
  /** `http://127.0.0.1:PORT/`: the web client; its WebSocket goes to the same origin. */
  readonly url: string
  /** The relay's data folder: its SQLite files are the ground truth of what it stored (unless `postgresUrl`). */
  readonly dataDir: string
  /**
   * The PostgreSQL database the relay stores in (cluster mode): then it, not `dataDir`, is the
   * ground truth of what the relay (and every other relay of the cluster) stored.
   */
  readonly postgresUrl: string | null
  close(): Promise<void>
}

export function startE2eRelay(options: { auth?: AuthTable; limits?: Partial<RelayLimits> } = {}): Promise<E2eRelay> {
  return startAll(async (teardown) => {
    const dataDir = teardown.add(mkdtempSync(join(tmpdir(), 'skein-e2e-')), (dir) => rmSync(dir, { recursive: true, force: true }))
    const relay = teardown.add(await startRelay({ host: '127.0.0.1', port: 0, dataDir, staticDir: CLIENT_DIR, auth: options.auth ?? null, limits: options.limits }), (r) => r.close())
    return { port: relay.port, url: `${relay.url}/`, dataDir, postgresUrl: null }
  })
}

/** The relay as its own process (the built CLI), so a test can kill it as a crash or power cut would. */
export interface E2eRelayProcess extends E2eRelay {
  /** SIGKILL: no chance to flush or close sockets; resolves once the process is gone. */
  kill(): Promise<void>
  /** Starts the relay again on the same port and data folder; resolves once it listens. */
  restart(): Promise<void>
  /** What the relay wrote to stderr (warnings and errors, --log-level warn), across restarts. */
  log(): string
}

export function startE2eRelayProcess(): Promise<E2eRelayProcess> {
  return startAll((teardown) => relayProcessIn(teardown, { postgresUrl: null, redisUrl: null }))
}

/** One relay process serving the built client, stopped (SIGTERM) by `teardown`. */
async function relayProcessIn(teardown: Teardown, { postgresUrl, redisUrl }: { postgresUrl: string | null; redisUrl: string | null }): Promise<E2eRelayProcess> {
  const dataDir = teardown.add(mkdtempSync(join(tmpdir(), 'skein-e2e-')), (dir) => rmSync(dir, { recursive: true, force: true }))
  const args = ['--static', CLIENT_DIR, ...(postgresUrl ? ['--postgres', postgresUrl] : []), ...(redisUrl ? ['--redis', redisUrl] : [])]
  const relay = new ClusterRelay(await freePort(), dataDir, args)
  teardown.add(relay, (r) => r.stop('SIGTERM'))
  await relay.start().catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; its stderr:\n${relay.log}`)
  })
  return {
    port: relay.port,
    url: `${relay.url}/`,
    dataDir,
    postgresUrl,
    kill: () => relay.stop('SIGKILL'),
    async restart() {
      if (relay.running) throw new Error('restart(): the relay process is still running; kill() it first')
      await relay.start()
    },
    log: () => relay.log,
    close: () => relay.stop('SIGTERM'),
  }
}

/**
 * Cluster mode's PostgreSQL and Redis, for the whole test file that imports this module: started
 * before its first test, stopped after its last (after the devices and relays, which closed in
 * the file's own afterAll: those run first).
 */
let clusterServers: { postgres: PostgresServer; redis: RedisServer; close(): Promise<void> } | null = null
if (CLUSTER) {
  beforeAll(async () => {
    clusterServers = await startAll(async (teardown) => ({
      postgres: teardown.add(await startPostgres(), (p) => p.stop()),
      redis: teardown.add(await startRedis(), (r) => r.stop()),
    }))
  }, 120_000)
  afterAll(async () => {
    await clusterServers?.close()
    clusterServers = null
  })
}

/** Two relay processes on a fresh database of the file's PostgreSQL and on its Redis. */
async function clusterIn(teardown: Teardown): Promise<[E2eRelayProcess, E2eRelayProcess]> {
  if (!clusterServers) throw new Error('cluster mode: PostgreSQL and Redis are not running (start the devices in a test or hook, after beforeAll)')
  const postgresUrl = await clusterServers.postgres.createDatabase()
  const redisUrl = clusterServers.redis.url
  // Together, as a deploy's first start would: they migrate the fresh database under its lock.
  const [one, two] = await Promise.all([relayProcessIn(teardown, { postgresUrl, redisUrl }), relayProcessIn(teardown, { postgresUrl, redisUrl })])
  return [one, two]
}

/** The real relay with two devices (separate browser contexts) on the web client it serves. */
export interface TwoDevices {
  /**
   * Device a's relay. In cluster mode it is relay 1 of two, and a relay process (`relayProcess`
   * or not); the ground truth it points to (`postgresUrl`) is what the whole cluster stored.
   */
  relay: E2eRelay
  /** Device b's relay: `relay` itself, or in cluster mode relay 2. */
  relayB: E2eRelay
  /** In front of the `cuttable` device's relay (device a's with 'both'); `cut()` drops its network. */
  proxy: TcpProxy | null
  /** With `cuttable: 'both'`: in front of device b's relay. */
  proxyB: TcpProxy | null
  browser: Browser
  a: Device
  b: Device
  close(): Promise<void>
}

/**
 * Starts the relay (in cluster mode two relays), Chromium and two devices. The `cuttable` device
 * loads the client through a TCP proxy in front of its relay, so its WebSocket (same origin) goes
 * through it too and a test can take it offline.
 *
 * `relayProcess`: the relay is its own process, which the test can kill and restart. In cluster
 * mode both relays always are processes, and `relay` (the one to kill) is device a's: b keeps
 * its relay, and a comes back to a relay that has to catch up with what b wrote meanwhile.
 */
export function startTwoDevices(options: { cuttable?: 'a' | 'b' | 'both'; relayProcess?: boolean; limits?: Partial<RelayLimits> } = {}): Promise<TwoDevices> {
  assertClientBuilt()
  return startAll(async (teardown) => {
    let relay: E2eRelay
    let relayB: E2eRelay
    if (CLUSTER) {
      ;[relay, relayB] = await clusterIn(teardown)
    } else {
      relay = relayB = teardown.add(options.relayProcess ? await startE2eRelayProcess() : await startE2eRelay({ limits: options.limits }), (r) => r.close())
    }
    const relayOf = (device: 'a' | 'b') => (device === 'a' ? relay : relayB)
    const proxyFor = async (device: 'a' | 'b'): Promise<TcpProxy> => teardown.add(await startTcpProxy(relayOf(device).port), (p) => p.close())
    const cuttable = options.cuttable
    const proxy = cuttable ? await proxyFor(cuttable === 'both' ? 'a' : cuttable) : null
    const proxyB = cuttable === 'both' ? await proxyFor('b') : null
    const browser = teardown.add(await launchBrowser(), (b) => b.close())
    const proxyOf = { a: cuttable === 'a' || cuttable === 'both' ? proxy : null, b: cuttable === 'b' ? proxy : proxyB }
    const urlFor = (device: 'a' | 'b') => {
      const through = proxyOf[device]
      return through ? `http://127.0.0.1:${through.port}/` : relayOf(device).url
    }
    const a = await openDevice(browser, urlFor('a'))
    const b = await openDevice(browser, urlFor('b'))
    return { relay, relayB, proxy, proxyB, browser, a, b }
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
 * last. `proxy` is the cuttable device's TCP proxy (only with `cuttable`). In cluster mode, a
 * failed test prints both relays' stderr.
 */
export function twoDevicesPerFile(options: { cuttable?: 'a' | 'b' | 'both'; relayProcess?: boolean; limits?: Partial<RelayLimits> } = {}): {
  a: Device
  b: Device
  proxy: TcpProxy
  /** Device b's TCP proxy (only with `cuttable: 'both'`; then `proxy` is device a's). */
  proxyB: TcpProxy
  /** Device a's relay (in cluster mode relay 1; the truth audit reads the cluster's PostgreSQL through it). */
  relay: E2eRelay
  /** The same relay, killable (only with `relayProcess`; in cluster mode, device a's relay only). */
  relayProcess: E2eRelayProcess
} {
  let devices: TwoDevices | null = null
  beforeAll(async () => {
    devices = await startTwoDevices(options)
  }, 120_000)
  afterAll(async () => {
    await devices?.close()
  })
  if (CLUSTER) {
    beforeEach(({ onTestFailed }) => {
      onTestFailed(() => {
        if (!devices) return
        for (const [name, relay] of [['relay 1 (device a)', devices.relay], ['relay 2 (device b)', devices.relayB]] as const) {
          if ('log' in relay) console.error(`${name}, port ${relay.port}, stderr:\n${(relay as E2eRelayProcess).log().slice(-4_000) || '(nothing)'}`)
        }
      })
    })
  }
  return {
    a: late('device a', () => devices?.a),
    b: late('device b', () => devices?.b),
    proxy: late('the TCP proxy (start with `cuttable`)', () => devices?.proxy),
    proxyB: late("device b's TCP proxy (start with `cuttable: 'both'`)", () => devices?.proxyB),
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
