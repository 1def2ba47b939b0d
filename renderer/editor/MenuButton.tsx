import { useEffect, useRef, useState } from 'react'
import type { ReactNode } from 'react'

export interface MenuAction {
  readonly label: string
  readonly disabled?: boolean
  run(): void
}

/**
 * A toolbar button opening a menu of actions (the menu button pattern): arrow keys move between
 * items, Enter runs one, Escape or a click elsewhere closes and gives focus back to the button.
 */
export function MenuButton({ label, glyph, title, actions, active = false }: { label: string; glyph: ReactNode; title?: string; actions: readonly MenuAction[]; active?: boolean }) {
  const [open, setOpen] = useState(false)
  const button = useRef<HTMLButtonElement>(null)
  const menu = useRef<HTMLUListElement>(null)

  useEffect(() => {
    if (!open) return
    menu.current?.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus()
    const outside = (event: MouseEvent): void => {
      if (!menu.current?.contains(event.target as Node) && !button.current?.contains(event.target as Node)) setOpen(false)
    }
    document.addEventListener('mousedown', outside)
    return () => document.removeEventListener('mousedown', outside)
  }, [open])

  const close = (): void => {
    setOpen(false)
    button.current?.focus()
  }
  const onKeyDown = (event: React.KeyboardEvent): void => {
    const items = [...(menu.current?.querySelectorAll<HTMLButtonElement>('button:not(:disabled)') ?? [])]
    const at = items.indexOf(document.activeElement as HTMLButtonElement)
    if (event.key === 'Escape') close()
    else if (event.key === 'ArrowDown') items[(at + 1) % items.length]?.focus()
    else if (event.key === 'ArrowUp') items[(at - 1 + items.length) % items.length]?.focus()
    else return
    event.preventDefault()
  }

  return (
    <div className="menu-button">
      <button
        ref={button}
        type="button"
        className="tool tool-menu"
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-pressed={active || undefined}
        title={title ?? label}
        onMouseDown={(event) => event.preventDefault()}
        onClick={() => setOpen(!open)}
      >
        {glyph}
        <span className="tool-caret" aria-hidden="true">▾</span>
      </button>
      {open && (
        <ul ref={menu} className="tool-menu-list" role="menu" aria-label={label} onKeyDown={onKeyDown}>
          {actions.map((action) => (
            <li key={action.label} role="none">
              <button
                type="button"
                role="menuitem"
                disabled={action.disabled}
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => {
                  setOpen(false)
                  action.run()
                }}
              >
                {action.label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
