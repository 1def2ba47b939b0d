// Menus: the context menu on notes and folders, and overflow ("More") menus. One component, the
// WAI-ARIA menu pattern: arrow keys move, Enter/Space choose, Escape or a click elsewhere closes
// and focus goes back to where it was.
//
//   <Menu label="Note actions" at={{ x, y }} items={[{ label: 'Pin', onSelect }, 'separator', …]} onClose={…} />
//   <MenuButton label="More actions" items={…}>⋯</MenuButton>

import { useEffect, useLayoutEffect, useRef, useState } from 'react'
import type { ReactNode } from 'react'

export interface MenuItem {
  readonly label: string
  onSelect(): void
  readonly danger?: boolean
  readonly disabled?: boolean
  /** A shortcut or count shown at the right. */
  readonly hint?: string
}
export type MenuEntry = MenuItem | 'separator'

interface MenuProps {
  label: string
  items: readonly MenuEntry[]
  /** Where the menu opens (viewport px); it is moved to stay inside the window. */
  at: { x: number; y: number }
  onClose(): void
}

const MARGIN = 8

export function Menu({ label, items, at, onClose }: MenuProps) {
  const ref = useRef<HTMLUListElement>(null)
  const [position, setPosition] = useState(at)
  useLayoutEffect(() => {
    const menu = ref.current
    if (!menu) return
    const { width, height } = menu.getBoundingClientRect()
    setPosition({
      x: Math.max(MARGIN, Math.min(at.x, window.innerWidth - width - MARGIN)),
      y: Math.max(MARGIN, Math.min(at.y, window.innerHeight - height - MARGIN)),
    })
  }, [at])
  const close = useRef(onClose)
  useEffect(() => {
    close.current = onClose
  })
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
    const menu = ref.current
    menu?.querySelector<HTMLElement>('[role="menuitem"]:not(:disabled)')?.focus()
    const onClose = (): void => close.current()
    // A press on the opener itself is left to it (a menu button toggles).
    const away = (event: PointerEvent): void => {
      const target = event.target as Node
      if (!menu?.contains(target) && !opener?.contains(target)) onClose()
    }
    document.addEventListener('pointerdown', away, true)
    window.addEventListener('blur', onClose)
    window.addEventListener('resize', onClose)
    return () => {
      document.removeEventListener('pointerdown', away, true)
      window.removeEventListener('blur', onClose)
      window.removeEventListener('resize', onClose)
      if (opener?.isConnected && (document.activeElement === document.body || menu?.contains(document.activeElement))) opener.focus()
    }
  }, [])

  const move = (delta: number | 'first' | 'last'): void => {
    const entries = [...(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]:not(:disabled)') ?? [])]
    if (entries.length === 0) return
    const at = entries.indexOf(document.activeElement as HTMLElement)
    const next = delta === 'first' ? 0 : delta === 'last' ? entries.length - 1 : (at + delta + entries.length) % entries.length
    entries[next]!.focus()
  }

  return (
    <ul
      ref={ref}
      className="menu"
      role="menu"
      aria-label={label}
      style={{ left: position.x, top: position.y }}
      onContextMenu={(event) => event.preventDefault()}
      onKeyDown={(event) => {
        const keys: Record<string, () => void> = {
          ArrowDown: () => move(1),
          ArrowUp: () => move(-1),
          Home: () => move('first'),
          End: () => move('last'),
          Escape: onClose,
          Tab: onClose,
        }
        const action = keys[event.key]
        if (!action) return
        event.preventDefault()
        event.stopPropagation()
        action()
      }}
    >
      {items.map((item, index) =>
        item === 'separator' ? (
          <li key={`separator-${index}`} role="separator" className="menu-separator" />
        ) : (
          <li key={item.label} role="none">
            <button
              type="button"
              role="menuitem"
              className={item.danger ? 'menu-item danger' : 'menu-item'}
              disabled={item.disabled}
              tabIndex={-1}
              onClick={() => {
                onClose()
                item.onSelect()
              }}
            >
              <span className="menu-item-label">{item.label}</span>
              {item.hint && <span className="menu-item-hint">{item.hint}</span>}
            </button>
          </li>
        ),
      )}
    </ul>
  )
}

/** A button that opens a menu below it. */
export function MenuButton({ label, items, children, className = 'icon-button' }: { label: string; items: readonly MenuEntry[]; children: ReactNode; className?: string }) {
  const [at, setAt] = useState<{ x: number; y: number } | null>(null)
  const button = useRef<HTMLButtonElement>(null)
  const open = (): void => {
    const rect = button.current!.getBoundingClientRect()
    setAt({ x: rect.right - 220, y: rect.bottom + 4 })
  }
  return (
    <>
      <button
        ref={button}
        type="button"
        className={className}
        aria-label={label}
        title={label}
        aria-haspopup="menu"
        aria-expanded={at !== null}
        onClick={() => (at ? setAt(null) : open())}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown') {
            event.preventDefault()
            open()
          }
        }}
      >
        {children}
      </button>
      {at && <Menu label={label} items={items} at={at} onClose={() => setAt(null)} />}
    </>
  )
}
