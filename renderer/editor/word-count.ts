// Word count of a note: words are runs of letters, digits, apostrophes or hyphens (any script),
// so punctuation and markup symbols alone are not words.

import { useEffect, useState } from 'react'
import type * as Y from 'yjs'
import { noteText } from '../search/text'

const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}'’-]*/gu

export function countWords(text: string): number {
  let count = 0
  for (const _ of text.matchAll(WORD)) count++
  return count
}

/** Recounting a long note on every keystroke would cost typing latency: wait for a pause. */
const RECOUNT_AFTER_MS = 300

/** The word count of `doc`'s note, kept up to date shortly after each change. */
export function useWordCount(doc: Y.Doc): number {
  const [count, setCount] = useState(() => countWords(noteText(doc)))
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null
    const schedule = (): void => {
      if (timer) clearTimeout(timer)
      timer = setTimeout(() => setCount(countWords(noteText(doc))), RECOUNT_AFTER_MS)
    }
    schedule() // the doc may have loaded between the first render and now
    doc.on('update', schedule)
    return () => {
      doc.off('update', schedule)
      if (timer) clearTimeout(timer)
    }
  }, [doc])
  return count
}
