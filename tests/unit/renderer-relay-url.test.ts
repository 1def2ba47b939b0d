import { afterEach, describe, expect, it, vi } from 'vitest'
import { resolveRelayUrl } from '../../renderer/platform/relay-url'

function page(href: string, skein?: unknown): void {
  const url = new URL(href)
  vi.stubGlobal('location', { protocol: url.protocol, host: url.host })
  vi.stubGlobal('window', skein === undefined ? {} : { skein })
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('resolveRelayUrl', () => {
  it('asks the desktop shell when its preload API is there', async () => {
    page('app://skein/index.html', { getSettings: async () => ({ relayUrl: 'wss://relay.example.com' }) })
    expect(await resolveRelayUrl()).toBe('wss://relay.example.com')
  })

  it('treats an empty or failing desktop setting as "no relay", not as an error', async () => {
    page('app://skein/', { getSettings: async () => ({ relayUrl: '  ' }) })
    expect(await resolveRelayUrl()).toBeNull()
    page('app://skein/', { getSettings: async () => Promise.reject(new Error('ipc down')) })
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    expect(await resolveRelayUrl()).toBeNull()
  })

  it('uses the origin that served the page (ws for http, wss for https)', async () => {
    page('http://127.0.0.1:4321/')
    expect(await resolveRelayUrl()).toBe('ws://127.0.0.1:4321')
    page('https://notes.example.com/')
    expect(await resolveRelayUrl()).toBe('wss://notes.example.com')
  })

  it('has no relay for any other origin', async () => {
    page('file:///opt/skein/index.html')
    expect(await resolveRelayUrl()).toBeNull()
  })
})
