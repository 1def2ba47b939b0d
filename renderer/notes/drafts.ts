// The app's side of draft notes (docs/sync-rules.md, "Empty notes"): a new note stays on this
// device until it is touched, and one left untouched is dropped. The catalog holds the draft's
// create (Catalog.createNote with `draft`); this keeps the draft's document off the relay until
// then, and settles drafts a closed or killed window left behind.

import * as Y from 'yjs'
import { noteIdOfHistoryRoom, noteIdOfRoom, noteRoom } from '../../protocol/rooms'
import type { Catalog } from '../catalog/catalog'
import type { DocRegistry } from '../sync/doc-registry'

/** DocRegistry's `mayConnect`: a note's rooms wait while it is a draft, and never connect if it is discarded. */
export function draftGate(catalog: Pick<Catalog, 'whenPublished'>): (room: string) => Promise<boolean> {
  return (room) => {
    const id = noteIdOfRoom(room) ?? noteIdOfHistoryRoom(room)
    return id === null ? Promise.resolve(true) : catalog.whenPublished(id)
  }
}

/**
 * Drafts created before `before` by a window that is gone (closed, reloaded, killed): one whose
 * document holds anything on disk was edited (its "touched" mark may have been lost in the
 * crash) and is sent; the others are discarded. Never stuck either way.
 */
export async function settleLeftoverDrafts(catalog: Pick<Catalog, 'draftsBefore' | 'releaseDraft' | 'discardIfUntouched'>, registry: Pick<DocRegistry, 'withLocalContent'>, before: number): Promise<void> {
  for (const id of catalog.draftsBefore(before)) {
    const edited = await registry.withLocalContent(noteRoom(id), (doc) => Y.decodeStateVector(Y.encodeStateVector(doc)).size > 0)
    if (edited === true) await catalog.releaseDraft(id)
    else await catalog.discardIfUntouched(id)
  }
}
