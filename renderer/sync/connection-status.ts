// What the connection indicator shows, derived from y-websocket provider events.
//
// y-websocket emits `status: connecting` before every attempt and `status: disconnected` only
// when an *established* connection drops; a relay that is down just produces an endless series of
// `connecting`. So a failed attempt (`connection-close`/`connection-error`) means "offline" until
// a connection is established again, and retries do not flip the indicator back to "connecting".
//
// The relay refuses with close codes 4400–4499, which y-websocket treats as permanent: it emits
// `connection-close` with the close event (then `status: disconnected` if the socket had opened)
// and stops reconnecting. 4401 means the relay wants a valid token from this device; any other
// code in that range is a refusal for another reason. Both stick until a connection succeeds.

import type { WebsocketProvider } from 'y-websocket'
import { ValueStore } from './store'

export type ConnectionStatus = 'offline' | 'connecting' | 'connected' | 'unauthorized' | 'refused'

export const CONNECTION_LABELS: Record<ConnectionStatus, string> = {
  offline: 'Offline',
  connecting: 'Connecting…',
  connected: 'Connected',
  unauthorized: 'Relay refused this device (no valid token)',
  refused: 'Relay refused the connection',
}

/** Close codes in this range are permanent refusals (y-websocket's own convention). */
export const UNAUTHORIZED_CLOSE = 4401
const isPermanentClose = (code: number): boolean => code >= 4400 && code < 4500

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
    let refusal: 'unauthorized' | 'refused' | null = null
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
      const code = closeCode(event)
      if (code !== null && isPermanentClose(code)) {
        refusal = code === UNAUTHORIZED_CLOSE ? 'unauthorized' : 'refused'
        failedSinceConnected = true
        this.set(refusal)
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
