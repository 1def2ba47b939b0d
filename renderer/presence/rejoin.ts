// Re-announces this client's presence each time the provider (re)connects.
//
// When a connection drops, the relay and every peer delete this client's awareness state but keep
// its clock; y-websocket then re-sends the *unchanged* state (same clock) on reconnect, which
// applyAwarenessUpdate ignores. The peer would stay invisible until the periodic renewal (15 s).
// Setting the local state again bumps the clock, so the state y-websocket sends is accepted.

import type { Awareness } from 'y-protocols/awareness'

interface StatusSource {
  on(event: 'status', listener: (event: { status: string }) => void): void
  off(event: 'status', listener: (event: { status: string }) => void): void
}

/** Follows `provider` until the returned function is called. */
export function rejoinOnReconnect(provider: StatusSource, awareness: Awareness): () => void {
  const onStatus = ({ status }: { status: string }): void => {
    const state = awareness.getLocalState()
    if (status === 'connected' && state !== null) awareness.setLocalState({ ...state })
  }
  provider.on('status', onStatus)
  return () => provider.off('status', onStatus)
}
