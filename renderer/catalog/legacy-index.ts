// Before the catalog, the notes list lived in a shared Yjs document (room `index`: `order`,
// `titles`, `trashed`, `deleted`). Notes listed only there would be invisible now, though their
// content is still on this device; so they are imported once, as ordinary create (and trash)
// ops. Creates are idempotent by note id, so several devices importing the same list is fine.

import type * as Y from 'yjs'
import { toBase64 } from 'lib0/buffer'
import { INDEX_ROOM } from '../../protocol/rooms'
import { isValidId } from '../../protocol/meta/parse'
import type { DocRegistry } from '../sync/doc-registry'
import type { Catalog } from './catalog'

const DONE_KEY = 'skein:legacy-index-imported'

interface LegacyNote {
  id: string
  title: string
  trashed: Uint8Array | null
}

function readLegacyIndex(doc: Y.Doc): LegacyNote[] {
  const deleted = doc.getMap<Uint8Array>('deleted')
  const titles = doc.getMap<string>('titles')
  const trashed = doc.getMap<Uint8Array>('trashed')
  // Oldest first, so the import keeps the list's order (newest on top).
  return [...new Set(doc.getArray<string>('order').toArray())]
    .reverse()
    .filter((id) => isValidId(id) && !deleted.has(id))
    .map((id) => ({ id, title: titles.get(id) ?? '', trashed: trashed.get(id) ?? null }))
}

export async function importLegacyIndex(catalog: Catalog, registry: DocRegistry): Promise<number> {
  if (localStorage.getItem(DONE_KEY)) return 0
  const notes = (await registry.withLocalContent(INDEX_ROOM, readLegacyIndex)) ?? []
  let imported = 0
  for (const note of notes) {
    if (catalog.get('note', note.id)) continue
    await catalog.createNote({ id: note.id, title: note.title === 'Untitled' ? '' : note.title })
    if (note.trashed) await catalog.trashNote(note.id, toBase64(note.trashed))
    imported++
  }
  localStorage.setItem(DONE_KEY, new Date().toISOString())
  return imported
}
