// What note links (renderer/editor/note-link.ts) resolve against: the catalog's notes.

import type { Catalog } from '../catalog/catalog'
import { displayTitle } from '../catalog/selectors'
import type { NoteLinkHost } from '../editor/note-link'

export function noteLinkHost(catalog: Pick<Catalog, 'get' | 'getSnapshot' | 'subscribe'>, open: (id: string) => void): NoteLinkHost {
  return {
    resolve(id) {
      const view = catalog.get('note', id)?.view
      if (view?.type !== 'note' || view.deleted) return { title: 'Note not found', state: 'missing' }
      return { title: displayTitle(view), state: view.trashed ? 'trashed' : 'ok' }
    },
    notes() {
      const notes: { id: string; title: string }[] = []
      for (const entity of catalog.getSnapshot().entities.values()) {
        const view = entity.view
        if (view?.type === 'note' && !view.deleted && !view.trashed) notes.push({ id: view.id, title: displayTitle(view) })
      }
      return notes
    },
    open,
    subscribe: (listener) => catalog.subscribe(listener),
  }
}
