import type * as Y from 'yjs'
import { useWordCount } from './word-count'

/** "1,234 words" for the open note. */
export function WordCount({ doc }: { doc: Y.Doc }) {
  const words = useWordCount(doc)
  return (
    <span className="word-count" role="status" aria-label="Word count">
      {words === null ? '' : `${words.toLocaleString()} ${words === 1 ? 'word' : 'words'}`}
    </span>
  )
}
