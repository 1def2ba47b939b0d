// The real relay serving the built web client, on a free port with a throwaway data folder.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startRelay } from '../../server/relay'
import type { AuthTable } from '../../server/auth'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { launchBrowser, openDevice, type Device } from '../helpers/browser'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy'
import { CLIENT_DIR, assertClientBuilt, startStaticServer } from './app'

export interface E2eRelay {
  readonly port: number
  /** `http://127.0.0.1:PORT/`: the web client; its WebSocket goes to the same origin. */
  readonly url: string
  close(): Promise<void>
}

export async function startE2eRelay(options: { auth?: AuthTable } = {}): Promise<E2eRelay> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skein-e2e-'))
  const relay = await startRelay({ host: '127.0.0.1', port: 0, dataDir, staticDir: CLIENT_DIR, auth: options.auth ?? null })
  return {
    port: relay.port,
    url: `${relay.url}/`,
    async close() {
      await relay.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
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
export async function startTwoDevices(options: { cuttable?: 'a' | 'b' } = {}): Promise<TwoDevices> {
  assertClientBuilt()
  const relay = await startE2eRelay()
  const proxy = options.cuttable ? await startTcpProxy(relay.port) : null
  const browser = await launchBrowser()
  const urlFor = (device: 'a' | 'b') => (proxy && options.cuttable === device ? `http://127.0.0.1:${proxy.port}/` : relay.url)
  const a = await openDevice(browser, urlFor('a'))
  const b = await openDevice(browser, urlFor('b'))
  return {
    relay,
    proxy,
    browser,
    a,
    b,
    async close() {
      await browser.close()
      await proxy?.close()
      await relay.close()
    },
  }
}

/** One device on the built client served by a plain static server: there is no relay at all. */
export async function startOfflineDevice(): Promise<{ device: Device; close(): Promise<void> }> {
  assertClientBuilt()
  const server = await startStaticServer()
  const browser = await launchBrowser()
  const device = await openDevice(browser, server.url)
  return {
    device,
    async close() {
      await browser.close()
      await server.close()
    },
  }
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
export function twoDevicesPerFile(options: { cuttable?: 'a' | 'b' } = {}): { a: Device; b: Device; proxy: TcpProxy } {
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
  }
}
