// Collaborators' carets and selections in the editor, with their name and color.
//
// This is what TipTap 3's CollaborationCaret extension does (a y-tiptap `yCursorPlugin` on the
// awareness), written out here because @tiptap/extension-collaboration-caret's newest release
// pins @tiptap/core to an older exact version than the one installed. Labels are built with
// a checked color and a data attribute: names and colors come from any collaborator.

import { Extension } from '@tiptap/core'
import type { Extensions } from '@tiptap/core'
import { Plugin } from '@tiptap/pm/state'
import { yCursorPlugin } from '@tiptap/y-tiptap'
import type { Awareness } from 'y-protocols/awareness'
import { userOf } from './peers'

function caretElement(state: Record<string, unknown>): HTMLElement {
  const user = userOf(state) ?? { name: 'Anonymous', color: '#6b7280' }
  const caret = document.createElement('span')
  caret.className = 'collab-caret'
  caret.style.borderColor = user.color
  caret.contentEditable = 'false'
  // The label is drawn by CSS from this attribute (styles.css), not as a text node: a text node
  // inside the paragraph would become part of the note's textContent for readers and tests.
  caret.dataset.name = user.name
  caret.style.setProperty('--caret-color', user.color)
  caret.setAttribute('aria-hidden', 'true')
  return caret
}

/**
 * The caret plugin publishes this device's cursor from its view update, on every keystroke: two
 * relative-position walks from the start of the note (O(caret position)), an awareness change,
 * and a second editor transaction for it. None of that needs to be on screen with the typed
 * letter, so it runs after the next paint, once for however many updates came before.
 */
function afterPaint(plugin: Plugin): Plugin {
  const makeView = plugin.spec.view
  if (!makeView) return plugin
  return new Plugin({
    ...plugin.spec,
    view(editorView) {
      const inner = makeView(editorView)
      let frame: number | null = null
      let timer: ReturnType<typeof setTimeout> | null = null
      return {
        update(view, prevState) {
          if (frame !== null || timer !== null) return
          frame = requestAnimationFrame(() => {
            frame = null
            timer = setTimeout(() => {
              timer = null
              if (!view.isDestroyed) inner.update?.(view, prevState)
            }, 0)
          })
        },
        destroy() {
          if (frame !== null) cancelAnimationFrame(frame)
          if (timer !== null) clearTimeout(timer)
          inner.destroy?.()
        },
      }
    },
  })
}

export const CollaborationCaret = Extension.create<{ awareness: Awareness | null }>({
  name: 'collaborationCaret',
  addOptions: () => ({ awareness: null }),
  addProseMirrorPlugins() {
    const awareness = this.options.awareness
    if (!awareness) return []
    return [
      afterPaint(yCursorPlugin(awareness, {
        // y-tiptap hands the builder the `user` field; read it back through the same check.
        cursorBuilder: (user: unknown) => caretElement({ user }),
        selectionBuilder: (user: unknown) => ({
          class: 'collab-selection',
          style: `background-color: ${(userOf({ user })?.color ?? '#6b7280') + '33'}`,
        }),
      })),
    ]
  },
})

/**
 * `extensions` plus collaborators' carets on `awareness`, if they bind the editor to Yjs at all:
 * the caret plugin reads the sync plugin's state, which an unbound editor (schema guard) lacks.
 */
export function withCollaborationCarets(extensions: Extensions, awareness: Awareness): Extensions {
  const bound = extensions.some((extension) => extension.name === 'collaboration')
  return bound ? [...extensions, CollaborationCaret.configure({ awareness })] : extensions
}
