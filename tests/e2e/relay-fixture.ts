// The real relay serving the built web client, on a free port with a throwaway data folder.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startRelay } from '../../server/relay'
import type { AuthTable } from '../../server/auth'
import { CLIENT_DIR } from './app'

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
