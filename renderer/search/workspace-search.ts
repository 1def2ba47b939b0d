// One search indexer per workspace, started on first use (the app's first render), with its
// index saved in the `skein-search` IndexedDB database.

import type { Workspace } from '../workspace'
import { SearchIndexer } from './search-indexer'
import { SearchStore } from './search-store'

const indexers = new WeakMap<Workspace, SearchIndexer>()

export function searchIndexerFor(workspace: Workspace): SearchIndexer {
  let indexer = indexers.get(workspace)
  if (!indexer) {
    const store = SearchStore.open().catch((err: unknown) => {
      console.warn('skein: search index storage unavailable; the index lives in memory only', err)
      return null
    })
    indexer = new SearchIndexer(workspace.catalog, workspace.registry, store)
    indexers.set(workspace, indexer)
    void indexer.start()
  }
  return indexer
}
