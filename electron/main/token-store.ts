// The workspace token for the relay. It is a secret: on disk it exists only encrypted with the
// OS keychain through Electron's safeStorage (Keychain on macOS, DPAPI on Windows, libsecret or
// KWallet on Linux), in <userData>/relay-token.bin. It never goes into settings.json and never
// into the renderer's storage; the renderer gets it in memory for WebSocket params and headers.
//
// Where safeStorage cannot really encrypt (no keychain, or Linux's 'basic_text' fallback, whose
// key is a constant compiled into Chromium), the token is kept in memory for this session only
// and the settings screen says so: writing it "encrypted" with a public key would be plain text
// with extra steps.
import { readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import type { SafeStorage } from 'electron'
import { IPC_CHANNELS, relayTokenSchema } from '../ipc-contract.js'
import type { RelayTokenState } from '../ipc-contract.js'
import { errorCode, writeFileAtomic } from './atomic-file.js'

export const TOKEN_FILE = 'relay-token.bin'

export type TokenSafeStorage = Pick<
  SafeStorage,
  'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'
>

/** True when safeStorage protects data with a key the OS keeps, not a well-known constant. */
export function canPersistSecrets(safeStorage: TokenSafeStorage, platform: NodeJS.Platform): boolean {
  if (!safeStorage.isEncryptionAvailable()) return false
  if (platform === 'linux') {
    const backend = safeStorage.getSelectedStorageBackend()
    return backend !== 'basic_text' && backend !== 'unknown'
  }
  return true
}

export interface TokenStore {
  get(): Promise<RelayTokenState>
  set(token: string | null): Promise<RelayTokenState>
}

/**
 * `canPersist` is asked on each use, not once: on Linux safeStorage only knows its backend after
 * the app is ready.
 */
export function createTokenStore(
  dir: string,
  safeStorage: TokenSafeStorage,
  platform: NodeJS.Platform,
  warn: (message: string) => void = (message) => console.warn(`skein: ${message}`),
): TokenStore {
  const file = path.join(dir, TOKEN_FILE)
  // The current token: read from disk once, then whatever was last set (also when only in memory).
  let current: Promise<string | null> | undefined

  const readStored = async (): Promise<string | null> => {
    if (!canPersistSecrets(safeStorage, platform)) return null
    let encrypted: Buffer
    try {
      encrypted = await readFile(file)
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') warn(`relay token could not be read (${String(error)})`)
      return null
    }
    try {
      const parsed = relayTokenSchema.safeParse(safeStorage.decryptString(encrypted))
      if (parsed.success) return parsed.data
      warn('stored relay token is not a valid token; ignoring it')
    } catch (error) {
      // A different OS user, a reset keychain: the ciphertext is useless but harmless.
      warn(`stored relay token could not be decrypted (${String(error)}); ignoring it`)
    }
    return null
  }

  const state = (token: string | null): RelayTokenState => ({
    token,
    persistence: canPersistSecrets(safeStorage, platform) ? 'encrypted' : 'session-only',
  })

  let queue: Promise<unknown> = Promise.resolve()
  const get = async (): Promise<RelayTokenState> => {
    current ??= readStored()
    return state(await current)
  }
  const set = (token: string | null): Promise<RelayTokenState> => {
    const run = async (): Promise<RelayTokenState> => {
      const valid = token === null ? null : relayTokenSchema.parse(token)
      if (valid === null) {
        await rm(file, { force: true })
      } else if (canPersistSecrets(safeStorage, platform)) {
        await writeFileAtomic(dir, TOKEN_FILE, safeStorage.encryptString(valid))
      } else {
        // Never leave an older encrypted token behind that would come back after a restart.
        await rm(file, { force: true })
      }
      current = Promise.resolve(valid)
      return state(valid)
    }
    const result = queue.then(run, run)
    queue = result.catch(() => undefined)
    return result
  }
  return { get, set }
}

export function tokenIpcHandlers(store: TokenStore): {
  [IPC_CHANNELS.getRelayToken]: () => Promise<RelayTokenState>
  [IPC_CHANNELS.setRelayToken]: (token: string | null) => Promise<RelayTokenState>
} {
  return {
    [IPC_CHANNELS.getRelayToken]: () => store.get(),
    [IPC_CHANNELS.setRelayToken]: (token) => store.set(token),
  }
}
