import { describe, expect, it } from 'vitest'
import { IPC_CHANNELS } from '../../../electron/ipc-contract.js'
import type { Settings } from '../../../electron/ipc-contract.js'
import { guardHandler, IpcRejection, isTrustedSender, setupIpc } from '../../../electron/main/ipc.js'
import type { IpcHandlers } from '../../../electron/main/ipc.js'

type Handler = (event: unknown, ...args: unknown[]) => Promise<unknown>

// Only senderFrame.url is read; the cast stands in for Electron's WebFrameMain.
const from = (url: string | null) =>
  ({ senderFrame: url === null ? null : { url } }) as unknown as Parameters<typeof isTrustedSender>[0]

function registered(handlers: IpcHandlers) {
  const table = new Map<string, Handler>()
  setupIpc({ handle: (channel, listener) => void table.set(channel, listener as Handler) }, handlers)
  return table
}

const SETTINGS: Settings = { relayUrl: 'ws://127.0.0.1:1234', displayName: '', color: '#2563eb' }
const NOTE_ID = '0b6f1c9e-8a59-4d1e-9a43-3f4c2b1d0e7a'

function fakeHandlers(calls: unknown[][] = []): IpcHandlers {
  const record =
    (name: string, result: unknown) =>
    (...args: unknown[]): never => {
      calls.push([name, ...args])
      return result as never
    }
  return {
    [IPC_CHANNELS.getRelayToken]: record('getToken', { token: null, persistence: 'encrypted' }),
    [IPC_CHANNELS.setRelayToken]: record('setToken', { token: 'a-token-of-16-chars', persistence: 'encrypted' }),
    [IPC_CHANNELS.reportSyncState]: record('sync', undefined),
    [IPC_CHANNELS.reportError]: record('error', undefined),
    [IPC_CHANNELS.takeOpenNoteRequests]: record('take', [NOTE_ID]),
    [IPC_CHANNELS.pickImport]: record('import', null),
    [IPC_CHANNELS.saveExport]: record('export', null),
    [IPC_CHANNELS.getSettings]: (...args) => {
      calls.push(['get', ...args])
      return SETTINGS
    },
    [IPC_CHANNELS.updateSettings]: (patch) => {
      calls.push(['update', patch])
      return { ...SETTINGS, ...patch }
    },
  }
}

describe('isTrustedSender', () => {
  it('trusts frames showing app://skein/', () => {
    expect(isTrustedSender(from('app://skein/'))).toBe(true)
    expect(isTrustedSender(from('app://skein/notes/1'))).toBe(true)
  })

  it.each([
    ['a web page', 'https://evil.example/'],
    ['another app host', 'app://evil/'],
    ['a look-alike host', 'app://skein.evil.example/'],
    ['a file page', 'file:///tmp/x.html'],
    ['about:blank', 'about:blank'],
    ['an empty url', ''],
  ])('refuses %s', (_name, url) => {
    expect(isTrustedSender(from(url))).toBe(false)
  })

  it('refuses an event whose frame is gone', () => {
    expect(isTrustedSender(from(null))).toBe(false)
  })
})

describe('setupIpc', () => {
  it('registers exactly one handler per channel in the contract', () => {
    expect([...registered(fakeHandlers()).keys()].sort()).toEqual(Object.values(IPC_CHANNELS).sort())
  })

  it('answers a call from the app frame with the validated result', async () => {
    const table = registered(fakeHandlers())
    await expect(table.get(IPC_CHANNELS.getSettings)?.(from('app://skein/'))).resolves.toEqual(SETTINGS)
  })

  it('passes validated arguments to the handler', async () => {
    const calls: unknown[][] = []
    const table = registered(fakeHandlers(calls))
    const result = await table.get(IPC_CHANNELS.updateSettings)?.(from('app://skein/'), {
      relayUrl: 'wss://relay.example.com',
    })
    expect(result).toEqual({ ...SETTINGS, relayUrl: 'wss://relay.example.com' })
    expect(calls).toEqual([['update', { relayUrl: 'wss://relay.example.com' }]])
  })

  it('rejects a call from a foreign frame without running the handler', async () => {
    const calls: unknown[][] = []
    const table = registered(fakeHandlers(calls))
    await expect(table.get(IPC_CHANNELS.getSettings)?.(from('https://evil.example/'))).rejects.toBeInstanceOf(
      IpcRejection,
    )
    await expect(table.get(IPC_CHANNELS.getSettings)?.(from(null))).rejects.toThrow(/sender/)
    expect(calls).toEqual([])
  })

  it.each([
    ['no argument', []],
    ['a non-object', ['ws://x']],
    ['an http relay', [{ relayUrl: 'http://relay.example.com' }]],
    ['a javascript: relay', [{ relayUrl: 'javascript:alert(1)' }]],
    ['an unknown key', [{ relayUrl: 'ws://a', extra: 1 }]],
    ['an extra argument', [{ relayUrl: 'ws://a' }, 'more']],
  ])('rejects updateSettings with %s without running the handler', async (_name, args) => {
    const calls: unknown[][] = []
    const table = registered(fakeHandlers(calls))
    await expect(table.get(IPC_CHANNELS.updateSettings)?.(from('app://skein/'), ...args)).rejects.toThrow(
      /invalid arguments/,
    )
    expect(calls).toEqual([])
  })

  it.each([
    ['setRelayToken with a number', IPC_CHANNELS.setRelayToken, [42]],
    ['setRelayToken with whitespace inside the token', IPC_CHANNELS.setRelayToken, ['a token with spaces']],
    ['setRelayToken with an empty token', IPC_CHANNELS.setRelayToken, ['   ']],
    ['reportSyncState with a negative count', IPC_CHANNELS.reportSyncState, [{ unsaved: -1, pending: 0 }]],
    ['reportSyncState with a fractional count', IPC_CHANNELS.reportSyncState, [{ unsaved: 0.5, pending: 0 }]],
    ['reportSyncState with an extra key', IPC_CHANNELS.reportSyncState, [{ unsaved: 0, pending: 0, x: 1 }]],
    ['reportError with an oversized message', IPC_CHANNELS.reportError, [{ kind: 'error', message: 'x'.repeat(2001) }]],
    ['reportError with an unknown kind', IPC_CHANNELS.reportError, [{ kind: 'warning', message: 'x' }]],
    ['pickImport with an unknown kind', IPC_CHANNELS.pickImport, ['/etc']],
    ['saveExport with no files', IPC_CHANNELS.saveExport, [[]]],
    ['saveExport with a file lacking text', IPC_CHANNELS.saveExport, [[{ relativePath: 'a.md' }]]],
    ['takeOpenNoteRequests with an argument', IPC_CHANNELS.takeOpenNoteRequests, ['x']],
  ])('rejects %s without running the handler', async (_name, channel, args) => {
    const calls: unknown[][] = []
    const table = registered(fakeHandlers(calls))
    await expect(table.get(channel)?.(from('app://skein/'), ...args)).rejects.toThrow(/invalid arguments/)
    expect(calls).toEqual([])
  })

  it('passes a valid token, sync state and error report through', async () => {
    const calls: unknown[][] = []
    const table = registered(fakeHandlers(calls))
    const app = from('app://skein/')
    await table.get(IPC_CHANNELS.setRelayToken)?.(app, '  a-token-of-16-chars ')
    await table.get(IPC_CHANNELS.setRelayToken)?.(app, null)
    await table.get(IPC_CHANNELS.reportSyncState)?.(app, { unsaved: 1, pending: 2 })
    await table.get(IPC_CHANNELS.reportError)?.(app, { kind: 'error', message: 'boom' })
    expect(calls).toEqual([
      ['setToken', 'a-token-of-16-chars'],
      ['setToken', null],
      ['sync', { unsaved: 1, pending: 2 }],
      ['error', { kind: 'error', message: 'boom' }],
    ])
  })

  it('refuses to hand the renderer a deep-linked id that is not a note id', async () => {
    const handler = guardHandler(IPC_CHANNELS.takeOpenNoteRequests, () => ['../../etc/passwd'])
    await expect(handler(from('app://skein/'))).rejects.toThrow()
  })

  it('rejects getSettings called with arguments', async () => {
    const table = registered(fakeHandlers())
    await expect(table.get(IPC_CHANNELS.getSettings)?.(from('app://skein/'), 'x')).rejects.toThrow(
      /invalid arguments/,
    )
  })

  it('refuses to send a result the contract does not describe', async () => {
    const handler = guardHandler(IPC_CHANNELS.getSettings, () => ({ relayUrl: 42 }) as unknown as Settings)
    await expect(handler(from('app://skein/'))).rejects.toThrow()
  })
})
