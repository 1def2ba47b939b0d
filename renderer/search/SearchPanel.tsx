import { useDeferredValue, useMemo, useState, useSyncExternalStore, type ReactNode, type Ref } from 'react'
import { UNTITLED } from '../notes/title'
import type { Range } from './highlight'
import type { SearchHit } from './search-index'
import type { SearchIndexer } from './search-indexer'

interface Props {
  indexer: SearchIndexer
  /** The search field, so the 'search' command (Ctrl/Cmd+Shift+F) can focus it. */
  inputRef?: Ref<HTMLInputElement>
  onOpen(hit: SearchHit): void
}

/** `text` with its `ranges` wrapped in <mark>. */
function Highlighted({ text, ranges }: { text: string; ranges: readonly Range[] }) {
  const parts: ReactNode[] = []
  let at = 0
  for (const range of ranges) {
    if (range.start < at) continue
    parts.push(text.slice(at, range.start), <mark key={range.start}>{text.slice(range.start, range.end)}</mark>)
    at = range.end
  }
  parts.push(text.slice(at))
  return <>{parts}</>
}

/** Focuses result `index` of the search box `root`. */
function moveTo(root: HTMLElement | null, index: number): void {
  root?.querySelectorAll<HTMLElement>('.search-result')[index]?.focus()
}

/** The search field at the top of the sidebar and, while it holds a query, the ranked results. */
export function SearchPanel({ indexer, inputRef, onOpen }: Props) {
  const [query, setQuery] = useState('')
  const deferred = useDeferredValue(query)
  const revision = useSyncExternalStore(indexer.changes.subscribe, indexer.changes.get)
  // eslint-disable-next-line react-hooks/exhaustive-deps -- revision: the index changed under the same query
  const hits = useMemo(() => indexer.search(deferred), [indexer, deferred, revision])
  const searching = query.trim() !== ''

  return (
    <div className="search" role="search">
      <input
        ref={inputRef}
        type="search"
        className="search-input"
        aria-label="Search notes"
        placeholder="Search notes"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') setQuery('')
          if (event.key === 'Enter' && hits[0]) onOpen(hits[0])
          if (event.key === 'ArrowDown' && hits.length > 0) {
            event.preventDefault()
            moveTo(event.currentTarget.parentElement, 0)
          }
        }}
      />
      {searching &&
        (hits.length === 0 ? (
          <p className="search-empty" role="status">
            No notes match “{query.trim()}”.
          </p>
        ) : (
          <ul
            className="search-results"
            role="list"
            aria-label="Search results"
            onKeyDown={(event) => {
              // ↑/↓ move through the results; ↑ from the first goes back to the field.
              const buttons = [...event.currentTarget.querySelectorAll<HTMLElement>('.search-result')]
              const at = buttons.indexOf(document.activeElement as HTMLElement)
              if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
                event.preventDefault()
                const next = at + (event.key === 'ArrowDown' ? 1 : -1)
                if (next < 0) event.currentTarget.parentElement?.querySelector<HTMLElement>('.search-input')?.focus()
                else buttons[Math.min(next, buttons.length - 1)]?.focus()
              } else if (event.key === 'Escape') {
                event.currentTarget.parentElement?.querySelector<HTMLElement>('.search-input')?.focus()
                setQuery('')
              }
            }}
          >
            {hits.map((hit) => (
              <li key={hit.id}>
                <button type="button" className="search-result" onClick={() => onOpen(hit)}>
                  <span className="search-result-title">{hit.title ? <Highlighted text={hit.title} ranges={hit.titleRanges} /> : UNTITLED}</span>
                  {hit.snippet.text && (
                    <span className="search-result-snippet">
                      {hit.snippet.before && '…'}
                      <Highlighted text={hit.snippet.text} ranges={hit.snippet.ranges} />
                      {hit.snippet.after && '…'}
                    </span>
                  )}
                </button>
              </li>
            ))}
          </ul>
        ))}
    </div>
  )
}
