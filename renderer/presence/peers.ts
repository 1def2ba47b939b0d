// Who is in a note right now, from its Yjs awareness: each client publishes `user: {name, color}`
// (set here from the profile) and, while its editor has focus, `cursor` (set by the caret plugin).
// y-websocket removes every remote state when this device's connection drops, and the relay drops
// the states of a connection that closes or goes quiet, so the list only ever shows live peers.

import type { Awareness } from 'y-protocols/awareness'
import type { Profile } from '../platform'

/** The awareness field holding a client's display name and color. */
export const USER_FIELD = 'user'

export interface Peer {
  readonly clientId: number
  readonly name: string
  readonly color: string
  /** This window. */
  readonly self: boolean
}

const COLOR = /^#[0-9a-f]{6}$/i
const FALLBACK_COLOR = '#6b7280'

export function publishUser(awareness: Awareness, profile: Profile): void {
  awareness.setLocalStateField(USER_FIELD, { name: profile.name, color: profile.color })
}

/** The user a remote state claims to be, sanitized: it comes from any collaborator. */
export function userOf(state: Record<string, unknown> | undefined): { name: string; color: string } | null {
  const user = state?.[USER_FIELD] as { name?: unknown; color?: unknown } | undefined
  if (!user || typeof user.name !== 'string') return null
  const name = user.name.trim().slice(0, 64) || 'Anonymous'
  const color = typeof user.color === 'string' && COLOR.test(user.color) ? user.color : FALLBACK_COLOR
  return { name, color }
}

/** Everyone with a published user, this window first, then by name. */
export function peersOf(awareness: Awareness): Peer[] {
  const peers: Peer[] = []
  for (const [clientId, state] of awareness.getStates()) {
    const user = userOf(state)
    if (user) peers.push({ clientId, ...user, self: clientId === awareness.clientID })
  }
  return peers.sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name) || a.clientId - b.clientId)
}

/** The same people, in the same order, with the same names and colors. */
export function samePeers(a: readonly Peer[], b: readonly Peer[]): boolean {
  return a.length === b.length && a.every((p, i) => p.clientId === b[i]!.clientId && p.name === b[i]!.name && p.color === b[i]!.color && p.self === b[i]!.self)
}
