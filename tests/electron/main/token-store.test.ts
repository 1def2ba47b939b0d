import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { IPC_CHANNELS } from '../../../electron/ipc-contract.js'
import { TOKEN_FILE, canPersistSecrets, createTokenStore, tokenIpcHandlers } from '../../../electron/main/token-store.js'
import type { TokenSafeStorage } from '../../../electron/main/token-store.js'

const TOKEN = 'a-long-random-secret-for-ada'

/** A stand-in for safeStorage: reversible, visibly not plain text, and recording its calls. */
function fakeSafeStorage(options: { available?: boolean; backend?: ReturnType<TokenSafeStorage['getSelectedStorageBackend']> } = {}) {
  const calls: string[] = []
  const safeStorage: TokenSafeStorage = {
    isEncryptionAvailable: () => options.available ?? true,
    getSelectedStorageBackend: () => options.backend ?? 'gnome_libsecret',
    encryptString: (text) => {
      calls.push(`encrypt ${text}`)
      return Buffer.from(`ENC(${Buffer.from(text).toString('base64')})`)
    },
    decryptString: (data) => {
      calls.push('decrypt')
      const match = /^ENC\((.*)\)$/.exec(data.toString())
      if (!match?.[1]) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.')
      return Buffer.from(match[1], 'base64').toString()
    },
  }
  return { safeStorage, calls }
}

let dir: string
const quiet = (): void => {}
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'skein-token-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('canPersistSecrets', () => {
  it('trusts the keychain on macOS and Windows when encryption is available', () => {
    expect(canPersistSecrets(fakeSafeStorage().safeStorage, 'darwin')).toBe(true)
    expect(canPersistSecrets(fakeSafeStorage().safeStorage, 'win32')).toBe(true)
    expect(canPersistSecrets(fakeSafeStorage({ available: false }).safeStorage, 'darwin')).toBe(false)
  })

  it("refuses Linux's basic_text fallback, whose key is a public constant", () => {
    expect(canPersistSecrets(fakeSafeStorage({ backend: 'basic_text' }).safeStorage, 'linux')).toBe(false)
    expect(canPersistSecrets(fakeSafeStorage({ backend: 'unknown' }).safeStorage, 'linux')).toBe(false)
    expect(canPersistSecrets(fakeSafeStorage({ backend: 'kwallet5' }).safeStorage, 'linux')).toBe(true)
  })
})

describe('createTokenStore', () => {
  it('stores the token encrypted through safeStorage, never as plain text', async () => {
    const { safeStorage, calls } = fakeSafeStorage()
    const store = createTokenStore(dir, safeStorage, 'linux', quiet)
    expect(await store.set(TOKEN)).toEqual({ token: TOKEN, persistence: 'encrypted' })
    expect(calls).toEqual([`encrypt ${TOKEN}`])
    expect(await readdir(dir)).toEqual([TOKEN_FILE])
    const onDisk = await readFile(path.join(dir, TOKEN_FILE))
    expect(onDisk.toString()).not.toContain(TOKEN)
  })

  it('reads it back (decrypting) after a restart', async () => {
    const { safeStorage } = fakeSafeStorage()
    await createTokenStore(dir, safeStorage, 'darwin', quiet).set(TOKEN)
    const restarted = fakeSafeStorage()
    expect(await createTokenStore(dir, restarted.safeStorage, 'darwin', quiet).get()).toEqual({ token: TOKEN, persistence: 'encrypted' })
    expect(restarted.calls).toEqual(['decrypt'])
  })

  it('removes the file when the token is cleared', async () => {
    const { safeStorage } = fakeSafeStorage()
    const store = createTokenStore(dir, safeStorage, 'linux', quiet)
    await store.set(TOKEN)
    expect(await store.set(null)).toEqual({ token: null, persistence: 'encrypted' })
    expect(await readdir(dir)).toEqual([])
  })

  it('keeps the token in memory only, and writes nothing, when the OS has no keychain', async () => {
    const { safeStorage, calls } = fakeSafeStorage({ backend: 'basic_text' })
    await writeFile(path.join(dir, TOKEN_FILE), 'stale ciphertext')
    const store = createTokenStore(dir, safeStorage, 'linux', quiet)
    expect(await store.set(TOKEN)).toEqual({ token: TOKEN, persistence: 'session-only' })
    expect(await store.get()).toEqual({ token: TOKEN, persistence: 'session-only' })
    expect(calls).toEqual([])
    expect(await readdir(dir)).toEqual([])
    expect(await createTokenStore(dir, safeStorage, 'linux', quiet).get()).toEqual({ token: null, persistence: 'session-only' })
  })

  it('ignores a token it cannot decrypt (another user, a reset keychain)', async () => {
    await writeFile(path.join(dir, TOKEN_FILE), 'garbage')
    const warnings: string[] = []
    const store = createTokenStore(dir, fakeSafeStorage().safeStorage, 'win32', (m) => warnings.push(m))
    expect(await store.get()).toEqual({ token: null, persistence: 'encrypted' })
    expect(warnings.join()).toMatch(/could not be decrypted/)
  })

  it('refuses an invalid token and keeps the previous one', async () => {
    const store = createTokenStore(dir, fakeSafeStorage().safeStorage, 'linux', quiet)
    await store.set(TOKEN)
    await expect(store.set('has spaces in it')).rejects.toThrow()
    expect((await store.get()).token).toBe(TOKEN)
  })

  it('serves the token IPC channels', async () => {
    const handlers = tokenIpcHandlers(createTokenStore(dir, fakeSafeStorage().safeStorage, 'linux', quiet))
    expect(await handlers[IPC_CHANNELS.getRelayToken]()).toEqual({ token: null, persistence: 'encrypted' })
    expect(await handlers[IPC_CHANNELS.setRelayToken](TOKEN)).toEqual({ token: TOKEN, persistence: 'encrypted' })
  })
})
