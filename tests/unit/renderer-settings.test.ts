// The settings screen's checks, and "Test connection" against the real relay with auth (the
// probe is the browser's WebSocket in the app; here the ws package, which behaves the same).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { AuthTable } from '../../server/auth'
import { startRelay } from '../../server/relay'
import { checkColor, checkRelayUrl, checkToken } from '../../renderer/settings/validation'
import { probeUrl, testRelayConnection } from '../../renderer/settings/connection-test'
import type { SocketFactory } from '../../renderer/settings/connection-test'
import { validateSettings } from '../../renderer/settings/SettingsDialog'

describe('settings checks', () => {
  it.each([
    ['', ''],
    ['  wss://relay.example.com/  ', 'wss://relay.example.com'],
    ['https://relay.example.com/team', 'wss://relay.example.com/team'],
    ['http://127.0.0.1:1234', 'ws://127.0.0.1:1234'],
  ])('accepts the relay URL %j as %j', (input, value) => {
    expect(checkRelayUrl(input)).toEqual({ ok: true, value })
  })

  it.each([
    ['relay.example.com', /full URL/],
    ['ftp://relay.example.com', /ws:\/\/ or wss:\/\//],
    ['javascript:alert(1)', /ws:\/\/ or wss:\/\//],
    ['wss://user:secret@relay.example.com', /token field/],
    ['wss://relay.example.com/?token=x', /\? or #/],
  ])('explains what is wrong with %j', (input, message) => {
    const result = checkRelayUrl(input)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.message).toMatch(message)
  })

  it('checks tokens the way the relay does', () => {
    expect(checkToken('')).toEqual({ ok: true, value: '' })
    expect(checkToken(' a-long-random-secret ')).toEqual({ ok: true, value: 'a-long-random-secret' })
    expect(checkToken('short')).toMatchObject({ ok: false, message: expect.stringMatching(/at least 16/) })
    expect(checkToken('has a space in the token')).toMatchObject({ ok: false })
    expect(checkColor('#AbCdEf')).toEqual({ ok: true, value: '#abcdef' })
  })

  it('reports every wrong field at once', () => {
    expect(validateSettings({ relayUrl: 'nope', token: 'short', displayName: 'Ada', color: '#000000' })).toEqual({
      errors: { relayUrl: expect.any(String), token: expect.any(String) },
    })
  })
})

describe('testRelayConnection against the relay', () => {
  const TOKEN = 'a-long-random-secret-for-ada'
  let relay: Awaited<ReturnType<typeof startRelay>>
  let dataDir: string
  const open: SocketFactory = (url) => new WebSocket(url) as unknown as ReturnType<SocketFactory>

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'skein-settings-relay-'))
    const auth = AuthTable.parse(JSON.stringify({ tokens: [{ token: TOKEN, workspace: 'team', access: 'read-write' }] }))
    relay = await startRelay({ host: '127.0.0.1', port: 0, dataDir, auth })
  })
  afterAll(async () => {
    await relay?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  const wsUrl = () => relay.url.replace(/^http/, 'ws')

  it('says the relay refused a wrong token', async () => {
    expect(await testRelayConnection(wsUrl(), 'not-the-right-token-at-all', open, 300)).toEqual({ ok: false, message: 'The relay refused this token.' })
  })

  it('says a token is needed when none is given', async () => {
    expect(await testRelayConnection(wsUrl(), '', open, 300)).toMatchObject({ ok: false, message: expect.stringMatching(/needs a token/) })
  })

  it('accepts the right token', async () => {
    expect(await testRelayConnection(wsUrl(), TOKEN, open, 300)).toMatchObject({ ok: true })
  })

  it('says when nothing answers at the URL', async () => {
    expect(await testRelayConnection('ws://127.0.0.1:1', TOKEN, open, 300)).toMatchObject({ ok: false, message: expect.stringMatching(/Could not reach/) })
  })

  it('puts the token in the query of the index room URL', () => {
    expect(probeUrl('wss://r.example/team/', 'tok')).toBe('wss://r.example/team/index?token=tok')
  })
})
