// The slash menu's behaviour: TipTap's Suggestion utility watches for `/` at the start of a block
// or after a space, and this keeps what the menu shows (the matching block types, the active one,
// where the caret is) in a store the React menu (SlashMenu.tsx) draws from. The editor keeps focus
// throughout; the menu is driven by the keys the editor receives.

import { Extension } from '@tiptap/core'
import type { Editor } from '@tiptap/core'
import { PluginKey } from '@tiptap/pm/state'
import { Suggestion } from '@tiptap/suggestion'
import type { SuggestionProps } from '@tiptap/suggestion'
import { ValueStore } from '../sync/store'
import { matchBlockTypes } from './block-types'
import type { BlockType } from './block-types'

export interface SlashMenuView {
  readonly items: readonly BlockType[]
  readonly active: number
  /** Where the typed `/query` is on screen. */
  readonly rect: DOMRect | null
}

/** One editor's slash menu: null while closed. */
export class SlashMenuState {
  readonly view = new ValueStore<SlashMenuView | null>(null)
  private choose: ((item: BlockType) => void) | null = null

  open(props: SuggestionProps<BlockType, BlockType>): void {
    this.choose = props.command
    const previous = this.view.get()
    const keep = previous ? props.items.indexOf(previous.items[previous.active]!) : -1
    this.view.set({ items: props.items, active: Math.max(0, keep), rect: props.clientRect?.() ?? null })
  }

  close(): void {
    this.choose = null
    this.view.set(null)
  }

  pick(index: number): void {
    const item = this.view.get()?.items[index]
    if (item && this.choose) this.choose(item)
  }

  /** Arrow keys move, Enter (or Tab) picks; true when the key was the menu's. Escape is Suggestion's. */
  key(event: KeyboardEvent): boolean {
    const view = this.view.get()
    if (!view || view.items.length === 0) return false
    const count = view.items.length
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      this.view.set({ ...view, active: (view.active + (event.key === 'ArrowDown' ? 1 : count - 1)) % count })
      return true
    }
    if (event.key === 'Enter' || event.key === 'Tab') {
      this.pick(view.active)
      return true
    }
    return false
  }
}

const slashMenuKey = new PluginKey('slashMenu')

export const SlashMenu = Extension.create<{ state: SlashMenuState | null }>({
  name: 'slashMenu',
  addOptions: () => ({ state: null }),
  addProseMirrorPlugins() {
    const menu = this.options.state
    if (!menu) return []
    return [
      Suggestion<BlockType, BlockType>({
        editor: this.editor,
        pluginKey: slashMenuKey,
        char: '/',
        // Not inside code, where a slash is just a slash.
        allow: ({ state, range }) => !state.doc.resolve(range.from).parent.type.spec.code,
        items: ({ query }) => matchBlockTypes(query),
        command: ({ editor, range, props }: { editor: Editor; range: { from: number; to: number }; props: BlockType }) => {
          props.apply(editor.chain().focus().deleteRange(range)).run()
        },
        render: () => ({
          onStart: (props) => menu.open(props),
          onUpdate: (props) => menu.open(props),
          onExit: () => menu.close(),
          onKeyDown: ({ event }) => menu.key(event),
        }),
      }),
    ]
  },
})
