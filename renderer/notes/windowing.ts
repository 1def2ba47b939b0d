// Windowing for the notes list: with thousands of notes only the rows in (or near) view exist in
// the DOM; padding on the list stands in for the rest so the scrollbar stays true. Rows have one
// fixed height (measured from a rendered row). Short lists render every row, unchanged.

import { useLayoutEffect, useState } from 'react'
import type { CSSProperties, RefObject } from 'react'

/** Lists this long or shorter are rendered whole. */
export const WINDOW_ABOVE = 200
const OVERSCAN = 12
const ESTIMATED_ROW_PX = 34

export interface RowWindow {
  readonly start: number
  readonly end: number
}

/** Which rows to render for a viewport of `height` px scrolled to `scrollTop` px. Pure. */
export function visibleRows(count: number, scrollTop: number, height: number, rowHeight: number, overscan = OVERSCAN): RowWindow {
  if (count <= WINDOW_ABOVE) return { start: 0, end: count }
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight)
  const last = Math.ceil((Math.max(0, scrollTop) + height) / rowHeight)
  return { start: Math.max(0, Math.min(count, first - overscan)), end: Math.min(count, last + overscan) }
}

export interface WindowedRows extends RowWindow {
  /** Padding for the list element, standing in for the rows not rendered. */
  readonly style: CSSProperties | undefined
}

/** The rows of a `count`-row list (`list`, whose first row is measured) to render inside `scroller`. */
export function useWindowedRows(count: number, scroller: RefObject<HTMLElement | null>, list: RefObject<HTMLElement | null>): WindowedRows {
  const [view, setView] = useState({ scrollTop: 0, height: 800, rowHeight: ESTIMATED_ROW_PX })
  const windowed = count > WINDOW_ABOVE
  useLayoutEffect(() => {
    const element = scroller.current
    if (!windowed || !element) return
    const measure = (): void => {
      const row = list.current?.firstElementChild as HTMLElement | null | undefined
      const rowHeight = row?.offsetHeight || ESTIMATED_ROW_PX
      setView((v) => (v.scrollTop === element.scrollTop && v.height === element.clientHeight && v.rowHeight === rowHeight ? v : { scrollTop: element.scrollTop, height: element.clientHeight, rowHeight }))
    }
    measure()
    element.addEventListener('scroll', measure, { passive: true })
    const resize = new ResizeObserver(measure)
    resize.observe(element)
    return () => {
      element.removeEventListener('scroll', measure)
      resize.disconnect()
    }
  }, [scroller, list, windowed])
  const { start, end } = visibleRows(count, view.scrollTop, view.height, view.rowHeight)
  const style = windowed ? { paddingTop: start * view.rowHeight, paddingBottom: (count - end) * view.rowHeight } : undefined
  return { start, end, style }
}
