// What trashing a note or deleting it forever tells the relay about its content: a snapshot of
// what this device had seen of it (protocol/meta/snapshots.ts). The relay compares later edits
// with it, so edits this device never saw bring the note back instead of being lost.

import * as Y from 'yjs'
import { encodeContentSnapshot } from '../../protocol/meta/snapshots'
import { noteRoom } from '../../protocol/rooms'
import type { DocRegistry } from '../sync/doc-registry'

/** The snapshot of note `noteId` as stored on this device (the open doc if it is open). */
export async function localContentSnapshot(registry: Pick<DocRegistry, 'withLocalContent'>, noteId: string): Promise<string> {
  const seen = await registry.withLocalContent(noteRoom(noteId), encodeContentSnapshot)
  // No copy here means this device saw none of the content: the relay keeps the note if it has any.
  return seen ?? encodeContentSnapshot(new Y.Doc())
}
