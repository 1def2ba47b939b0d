import { useEffect, useSyncExternalStore } from 'react'
import type { Editor } from '@tiptap/react'
import type { SlashMenuState } from './slash-menu'

const MENU_ID = 'slash-menu'
/** The menu's largest height (max-height in styles.css). */
const MENU_HEIGHT = 320
const optionId = (id: string): string => `slash-option-${id}`

/**
 * The slash menu's list, under the typed `/query`. Focus stays in the editor, which points at
 * the active option with aria-activedescendant (the combobox pattern), so a screen reader reads
 * the option the arrow keys reach.
 */
export function SlashMenu({ editor, menu }: { editor: Editor; menu: SlashMenuState }) {
  const view = useSyncExternalStore(menu.view.subscribe, menu.view.get)
  const activeId = view && view.items.length > 0 ? optionId(view.items[view.active]!.id) : null

  useEffect(() => {
    const dom = editor.isDestroyed ? null : editor.view.dom
    if (!dom) return
    if (view) {
      dom.setAttribute('aria-controls', MENU_ID)
      dom.setAttribute('aria-expanded', 'true')
      if (activeId) dom.setAttribute('aria-activedescendant', activeId)
      else dom.removeAttribute('aria-activedescendant')
    }
    return () => {
      for (const name of ['aria-controls', 'aria-expanded', 'aria-activedescendant']) dom.removeAttribute(name)
    }
  }, [editor, view, activeId])

  useEffect(() => {
    if (activeId) document.getElementById(activeId)?.scrollIntoView({ block: 'nearest' })
  }, [activeId])

  if (!view) return null
  const rect = view.rect
  // Under the query, or above it when there is no room below.
  const below = rect !== null && rect.bottom + MENU_HEIGHT + 12 <= window.innerHeight
  const style = rect ? { left: Math.min(rect.left, window.innerWidth - 260), ...(below ? { top: rect.bottom + 6 } : { bottom: window.innerHeight - rect.top + 6 }) } : undefined
  return (
    <div className="slash-menu" style={style}>
      {view.items.length === 0 ? (
        <div className="slash-empty" role="status">No matching blocks</div>
      ) : (
        <ul id={MENU_ID} role="listbox" aria-label="Insert block">
          {view.items.map((item, index) => (
            <li
              key={item.id}
              id={optionId(item.id)}
              role="option"
              aria-selected={index === view.active}
              className="slash-option"
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => menu.pick(index)}
            >
              <span className="slash-glyph" aria-hidden="true">{item.glyph}</span>
              {item.label}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
