// Applies the rules of trash-rules.ts whenever a trash entry or a delete-forever tombstone
// reaches this device (from the relay, another tab, or this device's own storage at start-up).
// The open note is also checked on every content change, by NotePane.

import type { DocRegistry } from '../sync/doc-registry'
import { noteRoom } from './notes-index'
import type { NotesIndex } from './notes-index'
import { hasUnseenEdits, titleFromContent } from './trash-rules'

export function keepTrashRules(index: NotesIndex, registry: DocRegistry): () => void {
  let stopped = false
  const checkTrashed = async (id: string): Promise<void> => {
    const seen = index.trashSnapshot(id)
    if (!seen) return
    const unseen = await registry.withLocalContent(noteRoom(id), (doc) => hasUnseenEdits(doc, seen))
    // Only the entry that was checked: a newer trash (another snapshot) gets its own check.
    if (!stopped && unseen && index.trashSnapshot(id) === seen) index.restore(id)
  }
  const checkDeleted = async (id: string): Promise<void> => {
    const seen = index.tombstone(id)
    if (!seen) return
    const room = noteRoom(id)
    const verdict = await registry.withLocalContent(room, (doc) =>
      hasUnseenEdits(doc, seen) ? { keep: true, title: titleFromContent(doc) } : { keep: false, title: '' },
    )
    if (stopped || index.tombstone(id) !== seen) return
    if (verdict?.keep) index.reinstate(id, verdict.title)
    else if (verdict) registry.discard(room) // nothing unseen: erase this device's copy
  }
  const report = (err: unknown): void => console.warn('skein: trash check failed', err)
  const stop = index.onTrashChange((change) => {
    if (change.local) return // this device's own trash/delete: it saw everything it holds
    for (const id of change.trashedIds) checkTrashed(id).catch(report)
    for (const id of change.deletedIds) checkDeleted(id).catch(report)
  })
  return () => {
    stopped = true
    stop()
  }
}
