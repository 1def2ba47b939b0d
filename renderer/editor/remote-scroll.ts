// Keeps collaborators' typing from costing this device a full layout per update.
//
// y-tiptap applies every remote Yjs update as an editor transaction that asks to scroll the
// selection into view (when this device's caret is on screen), so the caret stays visible as text
// above it grows. ProseMirror does that scroll right after updating the DOM, by measuring the
// caret: a forced synchronous layout of the note, once per remote update (with 1,500 paragraphs
// and a collaborator typing, most of the time a local key waited for). Here that scroll is done
// once after the next paint instead, when layout is already clean, for however many updates
// came in between. Local transactions (typing, undo, search matches) still scroll at once.

import { Extension } from '@tiptap/core'
import { Plugin, PluginKey } from '@tiptap/pm/state'
import type { Transaction } from '@tiptap/pm/state'
import type { EditorView } from '@tiptap/pm/view'
import { ySyncPluginKey } from '@tiptap/y-tiptap'

/** Whether `tr` applies a collaborator's change (not this device's undo or redo). */
export function isRemoteChange(tr: Transaction): boolean {
  const meta = tr.getMeta(ySyncPluginKey) as { isChangeOrigin?: boolean; isUndoRedoOperation?: boolean } | undefined
  return meta?.isChangeOrigin === true && meta.isUndoRedoOperation !== true
}

/** Scrolls the caret's block into view if it is out of it (nearest edge, no jump when visible). */
function revealCaret(view: EditorView): void {
  if (view.isDestroyed) return
  const { node } = view.domAtPos(view.state.selection.head)
  const element = node instanceof Element ? node : node.parentElement
  element?.scrollIntoView({ block: 'nearest', inline: 'nearest' })
}

const key = new PluginKey<boolean>('remoteChangeScroll')

export const RemoteChangeScroll = Extension.create({
  name: 'remoteChangeScroll',
  addProseMirrorPlugins() {
    let frame: number | null = null
    let timer: ReturnType<typeof setTimeout> | null = null
    return [
      new Plugin<boolean>({
        key,
        state: { init: () => false, apply: (tr) => isRemoteChange(tr) },
        props: {
          handleScrollToSelection(view) {
            if (!key.getState(view.state)) return false
            if (frame === null && timer === null) {
              frame = requestAnimationFrame(() => {
                frame = null
                timer = setTimeout(() => {
                  timer = null
                  revealCaret(view)
                }, 0)
              })
            }
            return true
          },
        },
        view: () => ({
          destroy() {
            if (frame !== null) cancelAnimationFrame(frame)
            if (timer !== null) clearTimeout(timer)
          },
        }),
      }),
    ]
  },
})
