import { afterEach, describe, expect, it, vi } from 'vitest'
import { commandForKey, matchesAccelerator, onAppCommand } from '../../renderer/platform/app-commands'
import { getProfile } from '../../renderer/platform/profile'
import { newIdentity } from '../../renderer/presence/identity'
import { DEFAULT_PRESENCE_COLOR } from '../../electron/presence-default'
import { httpUrlFor, resolveRelayEndpoint } from '../../renderer/platform/relay-config'
import { pickImport, reportSyncState } from '../../renderer/platform/desktop-bridges'

function memoryStorage(entries: Record<string, string> = {}) {
  const map = new Map(Object.entries(entries))
  return {
    getItem: (key: string) => map.get(key) ?? null,
    setItem: (key: string, value: string) => void map.set(key, value),
    removeItem: (key: string) => void map.delete(key),
  }
}

function page(href: string, skein?: unknown, storage: Record<string, string> = {}): void {
  const url = new URL(href)
  vi.stubGlobal('location', { protocol: url.protocol, host: url.host })
  vi.stubGlobal('window', skein === undefined ? {} : { skein })
  vi.stubGlobal('localStorage', memoryStorage(storage))
}

afterEach(() => {
  vi.unstubAllGlobals()
})

const key = (init: Partial<KeyboardEvent>) => ({ key: '', code: '', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...init })

describe('resolveRelayEndpoint', () => {
  it('takes relay and token from the desktop shell', async () => {
    page('app://skein/', {
      getSettings: async () => ({ relayUrl: 'wss://relay.example.com/team/', displayName: '', color: '#000000' }),
      getRelayToken: async () => ({ token: 'a-long-random-secret', persistence: 'encrypted' }),
    })
    expect(await resolveRelayEndpoint()).toEqual({
      wsUrl: 'wss://relay.example.com/team',
      httpUrl: 'https://relay.example.com/team',
      token: 'a-long-random-secret',
    })
  })

  it('has no relay when the desktop setting is empty, or the shell fails', async () => {
    page('app://skein/', { getSettings: async () => ({ relayUrl: '' }), getRelayToken: async () => ({ token: null }) })
    expect(await resolveRelayEndpoint()).toBeNull()
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    page('app://skein/', { getSettings: async () => Promise.reject(new Error('ipc down')), getRelayToken: async () => ({ token: null }) })
    expect(await resolveRelayEndpoint()).toBeNull()
  })

  it('in the browser, uses the page origin and the token from its storage', async () => {
    page('https://notes.example.com/', undefined, { 'skein:relay-token': 'browser-token-123456' })
    expect(await resolveRelayEndpoint()).toEqual({ wsUrl: 'wss://notes.example.com', httpUrl: 'https://notes.example.com', token: 'browser-token-123456' })
    page('http://127.0.0.1:1234/')
    expect(await resolveRelayEndpoint()).toEqual({ wsUrl: 'ws://127.0.0.1:1234', httpUrl: 'http://127.0.0.1:1234', token: null })
    page('file:///opt/skein/index.html') // not served by a relay
    expect(await resolveRelayEndpoint()).toBeNull()
  })

  it('maps ws to http and wss to https', () => {
    expect(httpUrlFor('ws://h:1/x')).toBe('http://h:1/x')
    expect(httpUrlFor('wss://h')).toBe('https://h')
  })
})

describe('getProfile', () => {
  it('uses the settings, and sensible defaults for blanks and bad colors', async () => {
    page('app://skein/', { getSettings: async () => ({ relayUrl: '', displayName: '  Ada ', color: '#FF0000' }) })
    expect(await getProfile()).toEqual({ name: 'Ada', color: '#ff0000' })
    page('http://127.0.0.1:1234/', undefined, { 'skein:profile': JSON.stringify({ displayName: '', color: 'red' }), 'skein:identity': JSON.stringify({ name: 'Teal Otter', color: '#0f766e' }) })
    expect(await getProfile()).toEqual({ name: 'Teal Otter', color: '#0f766e' })
  })

  it('gives a device that never chose a name its own animal and colour, kept across starts, never "Anonymous" in the default blue', async () => {
    page('app://skein/', { getSettings: async () => ({ relayUrl: '', displayName: '', color: DEFAULT_PRESENCE_COLOR }) })
    const first = await getProfile()
    expect(first.name).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/)
    expect(first.color).not.toBe(DEFAULT_PRESENCE_COLOR)
    expect(await getProfile()).toEqual(first)
    // Two devices (separate storage) are told apart.
    const names = new Set(Array.from({ length: 20 }, (_, i) => newIdentity(() => (i * 0.37) % 1).name + newIdentity(() => (i * 0.37) % 1).color))
    expect(names.size).toBeGreaterThan(10)
  })
})

describe('app command shortcuts', () => {
  it('match CmdOrCtrl as Ctrl elsewhere and Cmd on macOS, with exact modifiers', () => {
    expect(matchesAccelerator(key({ code: 'KeyN', ctrlKey: true }), 'CmdOrCtrl+N', false)).toBe(true)
    expect(matchesAccelerator(key({ code: 'KeyN', metaKey: true }), 'CmdOrCtrl+N', true)).toBe(true)
    expect(matchesAccelerator(key({ code: 'KeyN', metaKey: true }), 'CmdOrCtrl+N', false)).toBe(false)
    expect(matchesAccelerator(key({ code: 'KeyN', ctrlKey: true, shiftKey: true }), 'CmdOrCtrl+N', false)).toBe(false)
    expect(matchesAccelerator(key({ key: ',', code: 'Comma', ctrlKey: true }), 'CmdOrCtrl+,', false)).toBe(true)
  })

  it('map keys to commands, leaving the editor its own (Ctrl+K, Ctrl+Shift+S)', () => {
    expect(commandForKey(key({ code: 'KeyF', key: 'F', ctrlKey: true, shiftKey: true }), false)).toBe('search')
    expect(commandForKey(key({ code: 'KeyD', key: 'D', ctrlKey: true, shiftKey: true }), false)).toBe('sync-details')
    expect(commandForKey(key({ code: 'KeyK', key: 'k', ctrlKey: true }), false)).toBeNull()
    // The browser keeps Ctrl+N for itself, so New Note also answers to Alt+N.
    expect(commandForKey(key({ code: 'KeyN', key: 'n', altKey: true }), false)).toBe('new-note')
    expect(commandForKey(key({ code: 'KeyN', key: 'n', altKey: true, shiftKey: true }), false)).toBeNull()
    expect(commandForKey(key({ code: 'KeyS', key: 'S', ctrlKey: true, shiftKey: true }), false)).toBeNull()
  })

  it('come from the desktop menu when there is one, without binding keys', () => {
    const handlers: unknown[] = []
    const addEventListener = vi.fn()
    vi.stubGlobal('window', { skein: { onAppCommand: (h: unknown) => (handlers.push(h), () => {}) }, addEventListener })
    onAppCommand(() => {})
    expect(handlers).toHaveLength(1)
    expect(addEventListener).not.toHaveBeenCalled()
  })
})

describe('desktop bridges', () => {
  it('report a changed sync state once, and nothing in the browser', () => {
    const reports: unknown[] = []
    page('app://skein/', { reportSyncState: async (s: unknown) => void reports.push(s) })
    reportSyncState({ unsaved: 1, pending: 2 })
    reportSyncState({ unsaved: 1, pending: 2 })
    reportSyncState({ unsaved: 0, pending: 2 })
    expect(reports).toEqual([{ unsaved: 1, pending: 2 }, { unsaved: 0, pending: 2 }])
    page('http://127.0.0.1:1234/')
    expect(() => reportSyncState({ unsaved: 5, pending: 5 })).not.toThrow()
  })

  it('say clearly that import is not in the browser build yet', async () => {
    page('http://127.0.0.1:1234/')
    await expect(pickImport('files')).rejects.toThrow(/not available in the browser build yet/)
  })
})
