// The snapshot a trash or delete-forever op carries: what this device had seen of the note.

import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { NOTE_FRAGMENT } from '../../protocol/notes'
import { hasUnseenEdits } from '../../protocol/meta/snapshots'
import { noteRoom } from '../../protocol/rooms'
import { localContentSnapshot } from '../../renderer/notes/note-snapshot'
import { DocRegistry, type DocHandle } from '../../renderer/sync/doc-registry'

let n = 0
const newNoteId = (): string => `00000000-0000-4000-a000-${String(++n).padStart(12, '0')}`
const opened: { registry: DocRegistry; handle: DocHandle }[] = []
afterEach(async () => {
  for (const { registry, handle } of opened.splice(0)) {
    registry.release(handle)
    await handle.destroy()
  }
})

function write(doc: Y.Doc, text: string): void {
  const paragraph = new Y.XmlElement('paragraph')
  paragraph.insert(0, [new Y.XmlText(text)])
  doc.getXmlFragment(NOTE_FRAGMENT).insert(0, [paragraph])
}

async function noteWith(registry: DocRegistry, id: string, text: string): Promise<DocHandle> {
  const handle = registry.get(noteRoom(id))
  registry.retain(handle)
  opened.push({ registry, handle })
  await handle.whenLoaded
  write(handle.doc, text)
  return handle
}

describe('the content snapshot of a note being trashed or deleted', () => {
  it('covers everything this device has of the note, and nothing written after it', async () => {
    const registry = new DocRegistry(Promise.resolve(null))
    const id = newNoteId()
    const handle = await noteWith(registry, id, 'seen here')
    const snapshot = await localContentSnapshot(registry, id)
    expect(hasUnseenEdits(Y.encodeStateAsUpdate(handle.doc), snapshot)).toBe(false)
    write(handle.doc, 'written after the trash')
    expect(hasUnseenEdits(Y.encodeStateAsUpdate(handle.doc), snapshot)).toBe(true)
  })

  it('says nothing was seen when this device has no copy of the note', async () => {
    const registry = new DocRegistry(Promise.resolve(null))
    const snapshot = await localContentSnapshot(registry, newNoteId())
    const elsewhere = new Y.Doc()
    write(elsewhere, 'written on another device')
    expect(hasUnseenEdits(Y.encodeStateAsUpdate(elsewhere), snapshot)).toBe(true)
  })
})
