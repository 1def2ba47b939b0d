import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { IPC_CHANNELS } from '../../../electron/ipc-contract.js'
import {
  CORRUPT_SUFFIX,
  createSettingsStore,
  DEFAULT_SETTINGS,
  loadSettings,
  saveSettings,
  settingsIpcHandlers,
  SETTINGS_FILE,
} from '../../../electron/main/settings.js'
import type { LoadResult } from '../../../electron/main/settings.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'skein-settings-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const file = () => path.join(dir, SETTINGS_FILE)
const quiet = (): void => {}
const withRelay = (relayUrl: string) => ({ ...DEFAULT_SETTINGS, relayUrl })

describe('loadSettings', () => {
  it('gives the defaults when there is no file, and creates none', async () => {
    const result = await loadSettings(dir)
    expect(result).toEqual({ status: 'missing', settings: withRelay('ws://127.0.0.1:1234') })
    expect(await readdir(dir)).toEqual([])
  })

  it('reads a file written before display name and color existed, filling in their defaults', async () => {
    await writeFile(file(), JSON.stringify({ relayUrl: 'wss://relay.example.com/' }))
    expect(await loadSettings(dir)).toEqual({ status: 'ok', settings: withRelay('wss://relay.example.com/') })
  })

  it.each([
    ['truncated JSON', '{"relayUrl": "ws://1'],
    ['an empty file', ''],
    ['JSON of the wrong shape', '[1,2,3]'],
    ['a relay URL that is not ws/wss', '{"relayUrl":"http://example.com"}'],
    ['binary junk', '\u0000\u0001\u0002'],
  ])('recovers from %s: defaults, and the old file kept as .corrupt', async (_name, text) => {
    await writeFile(file(), text)
    const result = await loadSettings(dir)
    expect(result.status).toBe('recovered')
    expect(result.settings).toEqual(DEFAULT_SETTINGS)
    expect(await readFile(file() + CORRUPT_SUFFIX, 'utf8')).toBe(text)
    expect(await readdir(dir)).toEqual([SETTINGS_FILE + CORRUPT_SUFFIX])
  })

  it('runs on defaults without touching a settings path it cannot read', async () => {
    await mkdir(file())
    const result = await loadSettings(dir)
    expect(result.status).toBe('unreadable')
    expect(result.settings).toEqual(DEFAULT_SETTINGS)
    expect(await readdir(dir)).toEqual([SETTINGS_FILE])
  })
})

describe('saveSettings', () => {
  it('writes the settings as JSON that loadSettings reads back', async () => {
    await saveSettings(dir, withRelay('wss://relay.example.com/'))
    expect(JSON.parse(await readFile(file(), 'utf8'))).toEqual(withRelay('wss://relay.example.com/'))
    expect((await loadSettings(dir)).status).toBe('ok')
  })

  it('replaces the file by rename and leaves no temporary files behind', async () => {
    await saveSettings(dir, withRelay('ws://a.example:1'))
    await saveSettings(dir, withRelay('ws://b.example:2'))
    expect(await readdir(dir)).toEqual([SETTINGS_FILE])
    expect((await loadSettings(dir)).settings.relayUrl).toBe('ws://b.example:2')
  })

  it('keeps the old file intact when the new settings are invalid', async () => {
    await saveSettings(dir, withRelay('ws://a.example:1'))
    await expect(saveSettings(dir, withRelay('file:///etc/passwd'))).rejects.toThrow()
    expect(JSON.parse(await readFile(file(), 'utf8'))).toEqual(withRelay('ws://a.example:1'))
    expect(await readdir(dir)).toEqual([SETTINGS_FILE])
  })

  it('keeps the old file intact and cleans up when the rename fails', async () => {
    await mkdir(file()) // a directory in the way makes rename(tmp, settings.json) fail
    await expect(saveSettings(dir, withRelay('ws://a.example:1'))).rejects.toThrow()
    expect(await readdir(dir)).toEqual([SETTINGS_FILE])
  })

  it('creates the userData folder when it does not exist yet', async () => {
    const nested = path.join(dir, 'a', 'b')
    await saveSettings(nested, DEFAULT_SETTINGS)
    expect(await readdir(nested)).toEqual([SETTINGS_FILE])
  })
})

describe('createSettingsStore', () => {
  it('reports a recovered corrupt file once, through onLoad', async () => {
    await writeFile(file(), 'not json')
    const loads: LoadResult[] = []
    const store = createSettingsStore(dir, (r) => loads.push(r))
    await store.get()
    await store.get()
    expect(loads.map((l) => l.status)).toEqual(['recovered'])
  })

  it('persists updates, applied one after another', async () => {
    const store = createSettingsStore(dir, quiet)
    const [a, b] = await Promise.all([
      store.update({ relayUrl: 'ws://a.example:1' }),
      store.update({ relayUrl: 'ws://b.example:2' }),
    ])
    expect(a.relayUrl).toBe('ws://a.example:1')
    expect(b.relayUrl).toBe('ws://b.example:2')
    expect(await store.get()).toEqual(withRelay('ws://b.example:2'))
    expect((await loadSettings(dir)).settings).toEqual(withRelay('ws://b.example:2'))
  })

  it('rejects an invalid update and keeps serving the previous settings', async () => {
    const store = createSettingsStore(dir, quiet)
    await store.update({ relayUrl: 'ws://a.example:1' })
    await expect(store.update({ relayUrl: 'javascript:alert(1)' })).rejects.toThrow()
    expect(await store.get()).toEqual(withRelay('ws://a.example:1'))
    await expect(store.update({ relayUrl: 'ws://c.example:3' })).resolves.toEqual(withRelay('ws://c.example:3'))
  })

  it('exposes get and update as the settings IPC handlers', async () => {
    const handlers = settingsIpcHandlers(createSettingsStore(dir, quiet))
    expect(await handlers[IPC_CHANNELS.getSettings]()).toEqual(DEFAULT_SETTINGS)
    expect(await handlers[IPC_CHANNELS.updateSettings](withRelay('wss://r.example'))).toEqual(withRelay('wss://r.example'))
  })
})
