import { describe, expect, it } from 'vitest'
import { WINDOW_ABOVE, visibleRows } from '../../renderer/notes/windowing'

describe('visibleRows (notes list windowing)', () => {
  it('renders a short list whole', () => {
    expect(visibleRows(WINDOW_ABOVE, 5_000, 600, 30)).toEqual({ start: 0, end: WINDOW_ABOVE })
  })

  it('renders only the rows in view, plus a margin, for a long list', () => {
    // 10,000 rows of 30 px, scrolled to row 1,000, 600 px tall: rows 1,000–1,020 are visible.
    expect(visibleRows(10_000, 30_000, 600, 30, 5)).toEqual({ start: 995, end: 1_025 })
  })

  it('stays within the list at both ends', () => {
    expect(visibleRows(10_000, 0, 600, 30, 5)).toEqual({ start: 0, end: 25 })
    expect(visibleRows(10_000, 10_000 * 30, 600, 30, 5)).toEqual({ start: 9_995, end: 10_000 })
  })
})
