// One search indexer per workspace, started on first use (the app's first render), with its
// index saved in the `skein-search` IndexedDB database.

import type { Workspace } from '../workspace'
import { SearchIndexer } from './search-indexer'
import { SearchStore } from './search-store'
import { BacklinksIndex } from '../links/backlinks'

const indexers = new WeakMap<Workspace, SearchIndexer>()
const backlinks = new WeakMap<Workspace, BacklinksIndex>()

/** The workspace's links between notes, kept by its search indexer's reads. */
export function backlinksIndexFor(workspace: Workspace): BacklinksIndex {
  let index = backlinks.get(workspace)
  if (!index) {
    index = new BacklinksIndex()
    backlinks.set(workspace, index)
  }
  return index
}

export function searchIndexerFor(workspace: Workspace): SearchIndexer {
  let indexer = indexers.get(workspace)
  if (!indexer) {
    const store = SearchStore.open().catch((err: unknown) => {
      console.warn('skein: search index storage unavailable; the index lives in memory only', err)
      return null
    })
    indexer = new SearchIndexer(workspace.catalog, workspace.registry, store, { backlinks: backlinksIndexFor(workspace) })
    indexers.set(workspace, indexer)
    void indexer.start()
  }
  return indexer
}
