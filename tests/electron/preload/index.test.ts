import { readFile } from 'node:fs/promises'
import ts from 'typescript'
import { describe, expect, it, vi } from 'vitest'
import { IPC_CHANNELS, PUSH_CHANNELS } from '../../../electron/ipc-contract.js'

const PRELOAD_SOURCE = new URL('../../../electron/preload/index.cts', import.meta.url)

interface Exposure {
  key: string
  api: Record<string, unknown>
}

const NOTE_ID = '0b6f1c9e-8a59-4d1e-9a43-3f4c2b1d0e7a'
type Listener = (event: unknown, ...args: unknown[]) => void

function fakeElectron() {
  const exposed: Exposure[] = []
  const invocations: unknown[][] = []
  const listeners = new Map<string, Set<Listener>>()
  let pendingNotes: string[] = []
  const ipcRenderer = {
    invoke: async (...args: unknown[]) => {
      invocations.push(args)
      if (args[0] === IPC_CHANNELS.takeOpenNoteRequests) {
        const ids = pendingNotes
        pendingNotes = []
        return ids
      }
      return { relayUrl: 'ws://127.0.0.1:1234' }
    },
    on: (channel: string, listener: Listener) => {
      const set = listeners.get(channel) ?? new Set()
      set.add(listener)
      listeners.set(channel, set)
      return ipcRenderer
    },
    removeListener: (channel: string, listener: Listener) => {
      listeners.get(channel)?.delete(listener)
      return ipcRenderer
    },
    send: () => {},
  }
  /** Main sending on a push channel: the event object is something the page must never see. */
  const push = (channel: string, ...args: unknown[]) => {
    for (const listener of listeners.get(channel) ?? []) listener({ sender: ipcRenderer, secret: 'event' }, ...args)
  }
  const queueNote = (id: string) => void pendingNotes.push(id)
  const contextBridge = {
    exposeInMainWorld: (key: string, api: Record<string, unknown>) => void exposed.push({ key, api }),
  }
  return { exposed, invocations, ipcRenderer, contextBridge, listeners, push, queueNote }
}

// Electron runs a sandboxed preload as a CommonJS function body whose `require` knows only
// 'electron' and a few built-ins (lib/sandboxed_renderer/preload.ts in electron/electron). The
// tests do the same with the preload compiled as tsc compiles it, so what is tested is what runs.
async function compiledPreload(): Promise<string> {
  const source = await readFile(PRELOAD_SOURCE, 'utf8')
  return ts.transpileModule(source, {
    fileName: 'index.cts',
    compilerOptions: { module: ts.ModuleKind.NodeNext, target: ts.ScriptTarget.ES2022 },
  }).outputText
}

const PROCESS = { platform: 'linux', versions: { electron: '41.7.1', chrome: '146.0.0.0', node: '24.0.0' } }

/** Runs the compiled preload once, as a page load would, against a new fake electron. */
async function loadPreload(proc: object = PROCESS) {
  const fake = fakeElectron()
  const sandboxRequire = (name: string) => {
    if (name === 'electron') return { contextBridge: fake.contextBridge, ipcRenderer: fake.ipcRenderer }
    throw new Error(`module not found: ${name}`)
  }
  const exports = {}
  const run = new Function('require', 'process', 'exports', 'module', await compiledPreload())
  run(sandboxRequire, proc, exports, { exports })
  return fake
}

function onlyExposure(fake: ReturnType<typeof fakeElectron>): Exposure {
  expect(fake.exposed).toHaveLength(1)
  const [exposure] = fake.exposed
  if (!exposure) throw new Error('nothing exposed')
  return exposure
}

function reachable(value: unknown, seen = new Set<unknown>()): unknown[] {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) return []
  seen.add(value)
  return [value, ...Object.values(value).flatMap((v) => reachable(v, seen))]
}

describe('preload', () => {
  it('exposes exactly one object, as window.skein, with the expected keys', async () => {
    const { key, api } = onlyExposure(await loadPreload())
    expect(key).toBe('skein')
    expect(Object.keys(api).sort()).toEqual([
      'getRelayToken',
      'getSettings',
      'onAppCommand',
      'onOpenNote',
      'pickImport',
      'platform',
      'reportError',
      'reportSyncState',
      'saveExport',
      'setRelayToken',
      'updateSettings',
      'versions',
    ])
    expect(typeof api.platform).toBe('string')
    expect(Object.keys(api.versions as object).sort()).toEqual(['chrome', 'electron', 'node'])
  })

  it('never hands out ipcRenderer or any of its methods', async () => {
    const fake = await loadPreload()
    const everything = reachable(onlyExposure(fake).api)
    expect(everything).not.toContain(fake.ipcRenderer)
    expect(everything).not.toContain(fake.ipcRenderer.invoke)
    expect(everything).not.toContain(fake.ipcRenderer.on)
    expect(everything).not.toContain(fake.ipcRenderer.send)
    expect(everything).not.toContain(fake.ipcRenderer.removeListener)
  })

  it('getSettings invokes the contract channel with no arguments and returns only the result', async () => {
    const fake = await loadPreload()
    const { api } = onlyExposure(fake)
    const getSettings = api.getSettings as (...args: unknown[]) => Promise<unknown>
    await expect(getSettings('ignored', { sneaky: true })).resolves.toEqual({ relayUrl: 'ws://127.0.0.1:1234' })
    expect(fake.invocations).toEqual([[IPC_CHANNELS.getSettings]])
  })

  it('updateSettings forwards exactly one argument on the contract channel', async () => {
    const fake = await loadPreload()
    const updateSettings = onlyExposure(fake).api.updateSettings as (...args: unknown[]) => Promise<unknown>
    await updateSettings({ relayUrl: 'wss://r.example' }, 'extra')
    expect(fake.invocations).toEqual([[IPC_CHANNELS.updateSettings, { relayUrl: 'wss://r.example' }]])
  })

  it('uses every channel of the contract and no other', async () => {
    const fake = await loadPreload()
    const api = onlyExposure(fake).api as Record<string, (...args: unknown[]) => unknown>
    const call = (name: string, ...args: unknown[]) => api[name]?.(...args)
    await call('getSettings')
    await call('updateSettings', {})
    await call('getRelayToken')
    await call('setRelayToken', null)
    await call('reportSyncState', { unsaved: 0, pending: 0 })
    await call('reportError', { kind: 'error', message: 'x' })
    await call('pickImport', 'files')
    await call('saveExport', [])
    call('onOpenNote', () => {})
    call('onAppCommand', () => {})
    await vi.waitFor(() => expect(fake.invocations).toHaveLength(9))
    expect(fake.invocations.map(([channel]) => channel).sort()).toEqual(Object.values(IPC_CHANNELS).sort())
    expect([...fake.listeners.keys()].sort()).toEqual(Object.values(PUSH_CHANNELS).sort())
  })

  it('hands menu commands to the page without the IPC event, and drops unknown ones', async () => {
    const fake = await loadPreload()
    const onAppCommand = onlyExposure(fake).api.onAppCommand as (h: (...args: unknown[]) => void) => () => void
    const received: unknown[][] = []
    const unsubscribe = onAppCommand((...args) => received.push(args))
    fake.push(PUSH_CHANNELS.appCommand, 'new-note')
    fake.push(PUSH_CHANNELS.appCommand, 'rm -rf')
    fake.push(PUSH_CHANNELS.appCommand, { toString: () => 'search' })
    fake.push(PUSH_CHANNELS.appCommand, 'settings')
    expect(received).toEqual([['new-note'], ['settings']])
    unsubscribe()
    fake.push(PUSH_CHANNELS.appCommand, 'search')
    expect(received).toHaveLength(2)
    expect(fake.listeners.get(PUSH_CHANNELS.appCommand)?.size).toBe(0)
  })

  it('delivers deep links queued before the page subscribed, then each one main announces', async () => {
    const fake = await loadPreload()
    const onOpenNote = onlyExposure(fake).api.onOpenNote as (h: (...args: unknown[]) => void) => () => void
    fake.queueNote(NOTE_ID)
    const opened: unknown[][] = []
    const unsubscribe = onOpenNote((...args) => opened.push(args))
    await vi.waitFor(() => expect(opened).toEqual([[NOTE_ID]]))
    const second = NOTE_ID.replace('0b6f', 'ffff')
    fake.queueNote(second)
    fake.push(PUSH_CHANNELS.openNoteReady, 'payload is ignored')
    await vi.waitFor(() => expect(opened).toEqual([[NOTE_ID], [second]]))
    unsubscribe()
    expect(fake.listeners.get(PUSH_CHANNELS.openNoteReady)?.size).toBe(0)
  })
})

describe('preload as compiled for a sandboxed renderer', () => {
  it('is CommonJS that requires nothing but electron', async () => {
    const code = await compiledPreload()
    const required = [...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1])
    expect(required).toEqual(['electron'])
    expect(code).not.toMatch(/^\s*(import|export)\s/m)
  })

  it('copes with a sandboxed process that lacks some versions', async () => {
    const { api } = onlyExposure(await loadPreload({ platform: 'darwin', versions: { electron: '41.7.1' } }))
    expect(api.platform).toBe('darwin')
    expect(api.versions).toEqual({ electron: '41.7.1', chrome: '', node: '' })
  })
})
