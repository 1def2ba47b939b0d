// Word count of a note: words are runs of letters, digits, apostrophes or hyphens (any script),
// so punctuation and markup symbols alone are not words.

import { useEffect, useState } from 'react'
import type * as Y from 'yjs'
import { noteText } from '../search/text'
import { whenIdle } from '../sync/idle'

const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}'’-]*/gu

export function countWords(text: string): number {
  let count = 0
  for (const _ of text.matchAll(WORD)) count++
  return count
}

/** Recounting a long note on every keystroke would cost typing latency: wait for a pause. */
const RECOUNT_AFTER_MS = 300

/**
 * The word count of `doc`'s note, kept up to date shortly after each change; null until first
 * counted. Reading a long note's text takes tens of milliseconds, so the first count waits for
 * the page to be idle rather than delay the note becoming editable.
 */
export function useWordCount(doc: Y.Doc): number | null {
  const [count, setCount] = useState<number | null>(null)
  useEffect(() => {
    let live = true
    let timer: ReturnType<typeof setTimeout> | null = null
    const recount = (): void => {
      if (live) setCount(countWords(noteText(doc)))
    }
    const schedule = (): void => {
      if (timer) clearTimeout(timer)
      timer = setTimeout(() => void whenIdle().then(recount), RECOUNT_AFTER_MS)
    }
    void whenIdle().then(() => {
      if (!timer) recount() // else a change came first and its recount is on its way
    })
    doc.on('update', schedule)
    return () => {
      live = false
      doc.off('update', schedule)
      if (timer) clearTimeout(timer)
    }
  }, [doc])
  return count
}
