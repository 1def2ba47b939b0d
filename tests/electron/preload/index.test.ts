import { readFile } from 'node:fs/promises'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { IPC_CHANNELS } from '../../../electron/ipc-contract.js'

const PRELOAD_SOURCE = new URL('../../../electron/preload/index.cts', import.meta.url)

interface Exposure {
  key: string
  api: Record<string, unknown>
}

function fakeElectron() {
  const exposed: Exposure[] = []
  const invocations: unknown[][] = []
  const ipcRenderer = {
    invoke: async (...args: unknown[]) => {
      invocations.push(args)
      return { relayUrl: 'ws://127.0.0.1:1234' }
    },
    on: () => ipcRenderer,
    send: () => {},
  }
  const contextBridge = {
    exposeInMainWorld: (key: string, api: Record<string, unknown>) => void exposed.push({ key, api }),
  }
  return { exposed, invocations, ipcRenderer, contextBridge }
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
    expect(Object.keys(api).sort()).toEqual(['getSettings', 'platform', 'updateSettings', 'versions'])
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
    const { api } = onlyExposure(fake)
    await (api.getSettings as () => Promise<unknown>)()
    await (api.updateSettings as (p: object) => Promise<unknown>)({})
    expect(fake.invocations.map(([channel]) => channel).sort()).toEqual(Object.values(IPC_CHANNELS).sort())
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
