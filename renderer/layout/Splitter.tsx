// The handle between two panes: drag it, or focus it and use the arrow keys; Enter collapses or
// restores the pane before it. The WAI-ARIA window splitter pattern.

import { useRef } from 'react'
import { PANE_LIMITS, type PaneId } from './pane-layout'

const STEP = 16

interface Props {
  pane: PaneId
  label: string
  width: number
  collapsed: boolean
  onResize(width: number): void
  onToggle(): void
}

export function Splitter({ pane, label, width, collapsed, onResize, onToggle }: Props) {
  const drag = useRef<{ startX: number; startWidth: number } | null>(null)
  const { min, max } = PANE_LIMITS[pane]
  return (
    <div
      className="splitter"
      role="separator"
      aria-orientation="vertical"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={collapsed ? 0 : width}
      tabIndex={0}
      onPointerDown={(event) => {
        if (event.button !== 0) return
        event.currentTarget.setPointerCapture(event.pointerId)
        drag.current = { startX: event.clientX, startWidth: collapsed ? min : width }
        if (collapsed) onToggle()
      }}
      onPointerMove={(event) => {
        if (drag.current) onResize(drag.current.startWidth + event.clientX - drag.current.startX)
      }}
      onPointerUp={() => (drag.current = null)}
      onPointerCancel={() => (drag.current = null)}
      onDoubleClick={onToggle}
      onKeyDown={(event) => {
        if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
          event.preventDefault()
          if (collapsed) onToggle()
          else onResize(width + (event.key === 'ArrowRight' ? STEP : -STEP))
        } else if (event.key === 'Enter') {
          event.preventDefault()
          onToggle()
        }
      }}
    />
  )
}
