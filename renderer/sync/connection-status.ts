// What the connection indicator shows, derived from y-websocket provider events.
//
// y-websocket emits `status: connecting` before every attempt and `status: disconnected` only
// when an *established* connection drops; a relay that is down just produces an endless series of
// `connecting`. So a failed attempt (`connection-close`/`connection-error`) means "offline" until
// a connection is established again, and retries do not flip the indicator back to "connecting".

import type { WebsocketProvider } from 'y-websocket'
import { ValueStore } from './store'

export type ConnectionStatus = 'offline' | 'connecting' | 'connected'

export const CONNECTION_LABELS: Record<ConnectionStatus, string> = {
  offline: 'Offline',
  connecting: 'Connecting…',
  connected: 'Connected',
}

export class ConnectionStatusStore extends ValueStore<ConnectionStatus> {
  /** Starts "connecting" while a relay is expected, "offline" when there is none. */
  constructor(expectRelay: boolean) {
    super(expectRelay ? 'connecting' : 'offline')
  }

  /** Follows `provider` until the returned function is called. */
  follow(provider: WebsocketProvider): () => void {
    let failedSinceConnected = false
    const onStatus = ({ status }: { status: 'connected' | 'disconnected' | 'connecting' }): void => {
      if (status === 'connected') {
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
      failedSinceConnected = true
      this.set('offline')
    }
    provider.on('status', onStatus)
    provider.on('sync', onSync)
    provider.on('connection-close', onFailure)
    provider.on('connection-error', onFailure)
    if (provider.wsconnected) this.set(provider.synced ? 'connected' : 'connecting')
    return () => {
      provider.off('status', onStatus)
      provider.off('sync', onSync)
      provider.off('connection-close', onFailure)
      provider.off('connection-error', onFailure)
    }
  }
}
