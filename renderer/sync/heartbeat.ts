// Finds out that a relay connection is dead when nothing says so. After sleep or a network switch
// the socket can stay open on this side while nothing crosses it (half-open); y-websocket notices
// only after 30 s without a message, and until then the app would claim "Connected" and show
// peers' carets that are long gone. So while connected and quiet, the connection is probed with
// a frame the relay always answers; when nothing at all has arrived for `deadAfterMs`, the
// connection is dropped and a new one started (which is what ends the false claims: the
// provider reports "disconnected" and removes remote presence).

import type { WebsocketProvider } from 'y-websocket'

export interface HeartbeatOptions {
  /** Probe when nothing has arrived for this long. */
  probeAfterMs?: number
  /** Reconnect when nothing has arrived for this long. */
  deadAfterMs?: number
  /** After the browser reports going offline, give the probe this long. */
  offlineGraceMs?: number
  /** Where `online`/`offline` events come from; null for none. */
  events?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> | null
  now?: () => number
}

export const HEARTBEAT_DEFAULTS = { probeAfterMs: 2_500, deadAfterMs: 7_000, offlineGraceMs: 1_500 } as const
const CHECK_EVERY_MS = 1_000

/**
 * Keeps `provider` honest until the returned function is called. `probe` sends one frame the relay
 * answers; `heard` is called by the owner when that answer arrives (any other message counts too).
 */
export function keepAlive(provider: WebsocketProvider, probe: () => void, options: HeartbeatOptions = {}): { heard(): void; stop(): void } {
  const probeAfterMs = options.probeAfterMs ?? HEARTBEAT_DEFAULTS.probeAfterMs
  const deadAfterMs = options.deadAfterMs ?? HEARTBEAT_DEFAULTS.deadAfterMs
  const offlineGraceMs = options.offlineGraceMs ?? HEARTBEAT_DEFAULTS.offlineGraceMs
  const now = options.now ?? Date.now
  const events = options.events === undefined ? (typeof window === 'undefined' ? null : window) : options.events
  let lastHeard = now()
  let lastProbe = 0
  let lastCheck = now()
  let graceTimer: ReturnType<typeof setTimeout> | null = null

  const heardAt = (): number => Math.max(lastHeard, provider.wsLastMessageReceived)
  const restart = (): void => {
    // disconnect() + connect() is the provider's own way to drop a socket without waiting for a
    // close handshake that a dead path would never deliver.
    provider.disconnect()
    provider.connect()
  }
  const sendProbe = (): void => {
    lastProbe = now()
    probe()
  }
  const check = (): void => {
    const t = now()
    // A timer far later than due: the machine slept, and the socket may be dead. Ask at once.
    const slept = t - lastCheck > CHECK_EVERY_MS * 3
    lastCheck = t
    if (!provider.wsconnected) {
      lastHeard = t
      return
    }
    const quiet = t - heardAt()
    if (quiet > deadAfterMs && !slept) return restart()
    if ((slept || quiet > probeAfterMs) && t - lastProbe > probeAfterMs) sendProbe()
  }
  const timer = setInterval(check, CHECK_EVERY_MS)
  const onOffline = (): void => {
    if (!provider.wsconnected) return
    const asked = now()
    sendProbe()
    if (graceTimer) clearTimeout(graceTimer)
    graceTimer = setTimeout(() => {
      graceTimer = null
      if (provider.wsconnected && heardAt() < asked) restart()
    }, offlineGraceMs)
  }
  const onOnline = (): void => {
    if (!provider.wsconnected) provider.connect()
  }
  events?.addEventListener('offline', onOffline)
  events?.addEventListener('online', onOnline)
  return {
    heard: () => {
      lastHeard = now()
    },
    stop: () => {
      clearInterval(timer)
      if (graceTimer) clearTimeout(graceTimer)
      events?.removeEventListener('offline', onOffline)
      events?.removeEventListener('online', onOnline)
    },
  }
}
