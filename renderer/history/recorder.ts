// Takes automatic versions of one open note:
// - on idle: once the writer has made local edits and then paused for IDLE_SNAPSHOT_MS (and when
//   the note is closed with such edits pending);
// - before a merge after time offline: when the connection comes back after being offline, the
//   note as this device has it is recorded before the relay's updates are applied.
//
// The second relies on ConnectionStatusStore turning from 'offline' to 'connecting'/'connected'
// synchronously inside y-websocket's `open` handler, before any sync message has been read.

import * as Y from 'yjs'
import type { DocHandle } from '../sync/doc-registry'
import { NOTE_FRAGMENT } from '../../protocol/notes'
import { addVersion, listVersions, sameAsVersion } from './versions'

export const IDLE_SNAPSHOT_MS = 3 * 60_000

export interface RecorderOptions {
  /** Display name recorded as `by`. */
  author(): string
  idleMs?: number
  now?(): number
}

export class HistoryRecorder {
  private idle: ReturnType<typeof setTimeout> | null = null
  private readonly cleanups: (() => void)[] = []

  constructor(
    private readonly note: DocHandle,
    private readonly history: DocHandle,
    private readonly options: RecorderOptions,
  ) {
    const idleMs = options.idleMs ?? IDLE_SNAPSHOT_MS
    const onUpdate = (_update: Uint8Array, origin: unknown): void => {
      // Only this writer's edits start the idle clock: replays from disk and relay updates do not.
      if (!note.isLocalChange(origin)) return
      if (this.idle) clearTimeout(this.idle)
      this.idle = setTimeout(() => {
        this.idle = null
        this.record(Y.encodeStateAsUpdate(note.doc))
      }, idleMs)
    }
    note.doc.on('update', onUpdate)
    this.cleanups.push(() => note.doc.off('update', onUpdate))

    let status = note.connection.get()
    this.cleanups.push(
      note.connection.subscribe(() => {
        const next = note.connection.get()
        if (status === 'offline' && (next === 'connecting' || next === 'connected')) {
          // Synchronously, before the relay's sync reply is read.
          this.record(Y.encodeStateAsUpdate(note.doc))
        }
        status = next
      }),
    )
  }

  /** Records `state` as an automatic version unless the newest version already holds it. */
  private record(state: Uint8Array): void {
    const at = this.options.now?.() ?? Date.now()
    void Promise.all([this.note.whenLoaded, this.history.whenLoaded]).then(() => {
      if (this.history.destroyed) return
      const scratch = new Y.Doc()
      Y.applyUpdate(scratch, state)
      const newest = listVersions(this.history.doc)[0]
      const empty = scratch.getXmlFragment(NOTE_FRAGMENT).length === 0
      const unchanged = newest !== undefined && sameAsVersion(scratch, newest)
      scratch.destroy()
      if (empty || unchanged) return
      addVersion(this.history.doc, state, { name: '', at, auto: true, by: this.options.author() })
    })
  }

  /** Stops; edits still waiting for their idle version are recorded now. */
  destroy(): void {
    for (const cleanup of this.cleanups.splice(0)) cleanup()
    if (this.idle) {
      clearTimeout(this.idle)
      this.idle = null
      this.record(Y.encodeStateAsUpdate(this.note.doc))
    }
  }
}
