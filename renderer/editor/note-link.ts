// Links between notes: an inline atom `noteLink` holding only the target note's id. Its text is
// the target's current title, looked up when drawn, so a rename (here or on another device)
// never breaks it. A link to a note this device does not have, or one in the trash, is drawn
// differently and says why. Typing `[[` opens a picker of notes (fuzzy search; arrows, Enter,
// Escape) that inserts one.
//
// The editor knows nothing of the catalog: the app sets the host (setNoteLinkHost) that resolves
// ids, lists notes and opens one.

import { Node, mergeAttributes } from '@tiptap/core'
import { PluginKey } from '@tiptap/pm/state'
import Suggestion, { type SuggestionKeyDownProps, type SuggestionProps } from '@tiptap/suggestion'
import { fuzzyFilter } from '../links/fuzzy'

export const NOTE_LINK = 'noteLink'

export type NoteLinkState = 'ok' | 'missing' | 'trashed'

export interface NoteLinkHost {
  resolve(id: string): { readonly title: string; readonly state: NoteLinkState }
  /** Live notes a link may point to. */
  notes(): readonly { readonly id: string; readonly title: string }[]
  open(id: string): void
  subscribe(listener: () => void): () => void
}

const NO_HOST: NoteLinkHost = {
  resolve: () => ({ title: 'Note', state: 'missing' }),
  notes: () => [],
  open: () => {},
  subscribe: () => () => {},
}
let host: NoteLinkHost = NO_HOST

/** Sets what links resolve against and open with (the app, once); returns the undo. */
export function setNoteLinkHost(next: NoteLinkHost): () => void {
  host = next
  return () => {
    if (host === next) host = NO_HOST
  }
}

export const LINK_STATE_DESCRIPTIONS: Record<Exclude<NoteLinkState, 'ok'>, string> = {
  missing: 'Note not found on this device',
  trashed: 'In the trash',
}

/** Draws one link as its target stands now. */
function draw(a: HTMLAnchorElement, id: string): void {
  const { title, state } = host.resolve(id)
  a.textContent = title
  a.className = state === 'ok' ? 'note-link' : `note-link note-link-${state}`
  if (state === 'ok') {
    a.removeAttribute('title')
    a.removeAttribute('aria-description')
  } else {
    a.title = LINK_STATE_DESCRIPTIONS[state]
    a.setAttribute('aria-description', LINK_STATE_DESCRIPTIONS[state])
  }
}

const isId = (value: unknown): value is string => typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value)

export const NoteLink = Node.create({
  name: NOTE_LINK,
  group: 'inline',
  inline: true,
  atom: true,
  selectable: true,

  addAttributes() {
    return {
      // Anything a collaborator wrote that is no id is drawn as a missing note, never used as a URL.
      id: { default: null, parseHTML: (el) => el.getAttribute('data-note-id'), renderHTML: (attrs) => ({ 'data-note-id': isId(attrs.id) ? attrs.id : '' }) },
    }
  },

  parseHTML() {
    return [{ tag: 'a[data-note-id]' }]
  },

  renderHTML({ node, HTMLAttributes }) {
    return ['a', mergeAttributes(HTMLAttributes, { class: 'note-link' }), isId(node.attrs.id) ? host.resolve(node.attrs.id).title : 'Note']
  },

  renderText({ node }) {
    return isId(node.attrs.id) ? `[[${host.resolve(node.attrs.id).title}]]` : ''
  },

  addNodeView() {
    return ({ node }) => {
      const a = document.createElement('a')
      const id = isId(node.attrs.id) ? node.attrs.id : ''
      a.dataset.noteId = id
      a.href = '#'
      a.contentEditable = 'false'
      draw(a, id)
      const stop = host.subscribe(() => draw(a, id))
      a.addEventListener('click', (event) => {
        event.preventDefault()
        if (host.resolve(id).state !== 'missing') host.open(id)
      })
      return { dom: a, destroy: stop }
    }
  },

  addProseMirrorPlugins() {
    return [
      Suggestion<{ id: string; title: string }>({
        pluginKey: new PluginKey('noteLinkPicker'),
        editor: this.editor,
        char: '[[',
        allowSpaces: true,
        items: ({ query }) => fuzzyFilter(host.notes(), query, 8),
        command: ({ editor, range, props }) => {
          editor.chain().focus().insertContentAt(range, [{ type: NOTE_LINK, attrs: { id: props.id } }, { type: 'text', text: ' ' }]).run()
        },
        render: pickerView,
      }),
    ]
  },
})

/** The `[[` picker: a listbox under the caret, driven from the editor's keys. */
function pickerView() {
  let list: HTMLUListElement | null = null
  let props: SuggestionProps<{ id: string; title: string }> | null = null
  let active = 0
  const paint = (): void => {
    if (!list || !props) return
    list.replaceChildren(
      ...(props.items.length === 0 ? [Object.assign(document.createElement('li'), { textContent: 'No matching note', className: 'note-picker-empty' })] : []),
      ...props.items.map((item, i) => {
        const li = document.createElement('li')
        li.id = `note-picker-${i}`
        li.role = 'option'
        li.textContent = item.title
        li.setAttribute('aria-selected', String(i === active))
        li.addEventListener('mousedown', (event) => {
          event.preventDefault()
          props?.command(item)
        })
        return li
      }),
    )
    list.setAttribute('aria-activedescendant', `note-picker-${active}`)
    const rect = props.clientRect?.()
    if (rect) Object.assign(list.style, { left: `${rect.left}px`, top: `${rect.bottom + 4}px` })
  }
  return {
    onStart(next: SuggestionProps<{ id: string; title: string }>) {
      props = next
      active = 0
      list = document.createElement('ul')
      list.className = 'note-picker'
      list.role = 'listbox'
      list.setAttribute('aria-label', 'Link to note')
      document.body.append(list)
      paint()
    },
    onUpdate(next: SuggestionProps<{ id: string; title: string }>) {
      props = next
      active = Math.min(active, Math.max(0, next.items.length - 1))
      paint()
    },
    onKeyDown({ event }: SuggestionKeyDownProps) {
      if (!props) return false
      const count = props.items.length
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        if (count > 0) active = (active + (event.key === 'ArrowDown' ? 1 : count - 1)) % count
        paint()
        return true
      }
      if (event.key === 'Enter') {
        const item = props.items[active]
        if (item) props.command(item)
        return true
      }
      if (event.key === 'Escape') {
        list?.remove()
        list = null
        return true
      }
      return false
    },
    onExit() {
      list?.remove()
      list = null
      props = null
    },
  }
}
