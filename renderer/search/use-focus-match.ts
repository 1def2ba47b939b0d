import { useEffect } from 'react'
import type { Editor } from '@tiptap/react'
import { matchSelection, type FocusMatch } from './match-position'

const GIVE_UP_MS = 3000

/**
 * Selects `match` in the editor and scrolls it into view, once per new `match` object. The note's
 * content may reach the editor a moment after it mounts, so until the word is found this tries
 * again after each editor transaction (for a few seconds at most).
 */
export function useFocusMatch(editor: Editor | null, match: FocusMatch | null | undefined): void {
  useEffect(() => {
    if (!editor || !match) return
    let done = false
    const attempt = (): void => {
      if (done || editor.isDestroyed) return
      const range = matchSelection(editor.state.doc, match)
      if (!range) return
      done = true
      editor.chain().focus().setTextSelection(range).scrollIntoView().run()
    }
    attempt()
    if (done) return
    editor.on('transaction', attempt)
    const timer = setTimeout(() => (done = true), GIVE_UP_MS)
    return () => {
      done = true
      clearTimeout(timer)
      editor.off('transaction', attempt)
    }
  }, [editor, match])
}
