// The notes that link to one note, each with the text around its link. The layout places it.

import { useSyncExternalStore } from 'react'
import type { Workspace } from '../workspace'
import { displayTitle } from '../catalog/selectors'
import { backlinksIndexFor } from '../search/workspace-search'

export function Backlinks({ workspace, noteId, onOpen }: { workspace: Workspace; noteId: string; onOpen(id: string): void }) {
  const index = backlinksIndexFor(workspace)
  useSyncExternalStore(index.changes.subscribe, index.changes.get)
  const snapshot = useSyncExternalStore(workspace.catalog.subscribe, workspace.catalog.getSnapshot)
  const links = index.backlinksTo(noteId).filter(({ source }) => {
    const view = snapshot.entities.get(`note:${source}`)?.view
    return view?.type === 'note' && !view.deleted && !view.trashed
  })
  return (
    <section className="backlinks" aria-label="Backlinks">
      <h2>Linked from</h2>
      {links.length === 0 ? (
        <p className="backlinks-empty">No notes link here.</p>
      ) : (
        <ul>
          {links.map(({ source, context }, i) => {
            const view = snapshot.entities.get(`note:${source}`)?.view
            return (
              <li key={`${source}-${i}`}>
                <button type="button" className="link-button" onClick={() => onOpen(source)}>
                  {view?.type === 'note' ? displayTitle(view) : source}
                </button>
                <span className="backlink-context">{context}</span>
              </li>
            )
          })}
        </ul>
      )}
    </section>
  )
}
