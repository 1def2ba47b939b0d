import type { Awareness } from 'y-protocols/awareness'

export interface PresenceChanges {
  added: number[]
  updated: number[]
  removed: number[]
}

/**
 * The relay's copy of a room's presence states: exactly the fields y-protocols' awareness
 * functions (applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates) read and write.
 * A full `Awareness` would also run a timer per room, keep observer maps, and pin the room's
 * Y.Doc, which the relay releases while a room is idle.
 */
export class PresenceTable {
  /** The relay has no presence of its own; -1 is never a Yjs client id (those are uint32). */
  readonly clientID = -1
  readonly states = new Map<number, Record<string, unknown>>()
  readonly meta = new Map<number, { clock: number; lastUpdated: number }>()

  constructor(private readonly onUpdate: (changes: PresenceChanges, origin: unknown) => void) {}

  getLocalState(): null {
    return null
  }

  getStates(): Map<number, Record<string, unknown>> {
    return this.states
  }

  emit(event: string, [changes, origin]: [PresenceChanges, unknown]): void {
    if (event === 'update') this.onUpdate(changes, origin)
  }

  /** This table as the type y-protocols' functions are declared with. */
  asAwareness(): Awareness {
    return this as unknown as Awareness
  }
}
