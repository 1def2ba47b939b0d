// What the connection indicator shows, derived from y-websocket provider events.
//
// y-websocket emits `status: connecting` before every attempt and `status: disconnected` only
// when an *established* connection drops; a relay that is down just produces an endless series of
// `connecting`. So a failed attempt (`connection-close`/`connection-error`) means "offline" until
// a connection is established again, and retries do not flip the indicator back to "connecting".
//
// Refusals are the closes that retrying cannot fix (`shouldReconnect` below tells the provider to
// stop): 4401 means the relay wants a valid token from this device; 4413 and 1009 mean the note
// (or what this device holds of it) is larger than the relay accepts; any other code in
// 4400–4499 is a refusal for another reason. They stick until a connection succeeds, which only a
// deliberate `provider.connect()` ("Retry now", a new token) attempts.

import type { WebsocketProvider } from 'y-websocket'
import { ValueStore } from './store'

export type Refusal = 'unauthorized' | 'too-large' | 'deleted' | 'refused'
export type ConnectionStatus = 'offline' | 'connecting' | 'connected' | Refusal

export const UNAUTHORIZED_CLOSE = 4401
const DOCUMENT_TOO_LARGE_CLOSE = 4413
/** The note was deleted forever and purged; what this device sent is what was purged. */
const DELETED_FOREVER_CLOSE = 4410
const MESSAGE_TOO_BIG_CLOSE = 1009

/** The refusal a close code means, or null for a transient close (offline, rate limited, going away). */
export function refusalOf(code: number | null): Refusal | null {
  if (code === UNAUTHORIZED_CLOSE) return 'unauthorized'
  if (code === DOCUMENT_TOO_LARGE_CLOSE || code === MESSAGE_TOO_BIG_CLOSE) return 'too-large'
  if (code === DELETED_FOREVER_CLOSE) return 'deleted'
  if (code !== null && code >= 4400 && code < 4500) return 'refused'
  return null
}

export const isRefusal = (status: ConnectionStatus): status is Refusal => status === 'unauthorized' || status === 'too-large' || status === 'deleted' || status === 'refused'

/**
 * For the provider's `shouldReconnect` option: stop after a refusal. A frame too big for the
 * relay (1009) would be sent again on every reconnect, so it stops too, unlike y-websocket's default.
 */
export const shouldReconnect = (event: CloseEvent): boolean => refusalOf(event.code) === null

function closeCode(event: unknown): number | null {
  const code = (event as { code?: unknown } | null)?.code
  return typeof code === 'number' ? code : null
}

export class ConnectionStatusStore extends ValueStore<ConnectionStatus> {
  /** Starts "connecting" while a relay is expected, "offline" when there is none. */
  constructor(expectRelay: boolean) {
    super(expectRelay ? 'connecting' : 'offline')
  }

  /** Follows `provider` until the returned function is called. */
  follow(provider: WebsocketProvider): () => void {
    let failedSinceConnected = false
    let refusal: Refusal | null = null
    const onStatus = ({ status }: { status: 'connected' | 'disconnected' | 'connecting' }): void => {
      if (refusal && status !== 'connected') return // stays refused; the provider does not retry
      if (status === 'connected') {
        refusal = null
        failedSinceConnected = false
        // "Connected" is shown once the initial sync exchange has completed.
        this.set(provider.synced ? 'connected' : 'connecting')
      } else if (status === 'disconnected') {
        failedSinceConnected = true
        this.set('offline')
      } else if (!failedSinceConnected) {
        this.set('connecting')
      }
    }
    const onSync = (synced: boolean): void => {
      if (synced && provider.wsconnected) this.set('connected')
    }
    const onFailure = (): void => {
      if (refusal) return
      failedSinceConnected = true
      this.set('offline')
    }
    const onClose = (event: unknown): void => {
      const refused = refusalOf(closeCode(event))
      if (refused) {
        refusal = refused
        failedSinceConnected = true
        this.set(refused)
        return
      }
      onFailure()
    }
    provider.on('status', onStatus)
    provider.on('sync', onSync)
    provider.on('connection-close', onClose)
    provider.on('connection-error', onFailure)
    if (provider.wsconnected) this.set(provider.synced ? 'connected' : 'connecting')
    return () => {
      provider.off('status', onStatus)
      provider.off('sync', onSync)
      provider.off('connection-close', onClose)
      provider.off('connection-error', onFailure)
    }
  }
}
