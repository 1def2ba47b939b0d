// The workspace's panes: navigation, the note list and the note. Their widths and collapsed
// state are the writer's choice and are remembered per device (localStorage). Pure functions
// plus a small load/save; the React side is Workspace layout in App.tsx and Splitter.tsx.

export type PaneId = 'nav' | 'list'

export interface PaneLayout {
  /** Widths in px of the two resizable panes; the note takes the rest. */
  readonly nav: number
  readonly list: number
  readonly navCollapsed: boolean
  readonly listCollapsed: boolean
}

export const PANE_LIMITS: Readonly<Record<PaneId, { readonly min: number; readonly max: number; readonly initial: number }>> = {
  nav: { min: 160, max: 420, initial: 220 },
  list: { min: 200, max: 560, initial: 300 },
}

/** The note pane never gets narrower than this while other panes are open. */
export const NOTE_MIN = 420
/** Below this window width the app shows one pane at a time. */
export const NARROW_BELOW = 700

export const DEFAULT_LAYOUT: PaneLayout = { nav: PANE_LIMITS.nav.initial, list: PANE_LIMITS.list.initial, navCollapsed: false, listCollapsed: false }

const KEY = 'skein:layout'

const clampTo = (pane: PaneId, width: number): number => Math.round(Math.min(PANE_LIMITS[pane].max, Math.max(PANE_LIMITS[pane].min, width)))

/** The layout with one pane resized (clamped to its limits). */
export function resize(layout: PaneLayout, pane: PaneId, width: number): PaneLayout {
  return { ...layout, [pane]: clampTo(pane, width) }
}

export function toggle(layout: PaneLayout, pane: PaneId): PaneLayout {
  return pane === 'nav' ? { ...layout, navCollapsed: !layout.navCollapsed } : { ...layout, listCollapsed: !layout.listCollapsed }
}

/**
 * The widths actually used in a window `viewport` px wide: the remembered widths, shrunk (list
 * first, then navigation, never below their minimums) so the note keeps NOTE_MIN; a pane that
 * still does not fit is collapsed for now, without forgetting the writer's choice.
 */
export function fitted(layout: PaneLayout, viewport: number): { nav: number; list: number } {
  let nav = layout.navCollapsed ? 0 : layout.nav
  let list = layout.listCollapsed ? 0 : layout.list
  let excess = nav + list + NOTE_MIN - viewport
  if (excess > 0 && list > 0) {
    const take = Math.min(excess, list - PANE_LIMITS.list.min)
    list -= take
    excess -= take
  }
  if (excess > 0 && nav > 0) {
    const take = Math.min(excess, nav - PANE_LIMITS.nav.min)
    nav -= take
    excess -= take
  }
  // Still too wide: the navigation gives way for now.
  if (excess > 0) nav = 0
  return { nav, list }
}

/** The remembered layout; anything unreadable falls back to the defaults, field by field. */
export function parseLayout(raw: string | null): PaneLayout {
  let value: Partial<Record<keyof PaneLayout, unknown>> = {}
  try {
    const parsed: unknown = raw === null ? {} : JSON.parse(raw)
    if (parsed && typeof parsed === 'object') value = parsed
  } catch {
    // a corrupt entry is just forgotten
  }
  const width = (pane: PaneId): number => (typeof value[pane] === 'number' && Number.isFinite(value[pane]) ? clampTo(pane, value[pane]) : PANE_LIMITS[pane].initial)
  return { nav: width('nav'), list: width('list'), navCollapsed: value.navCollapsed === true, listCollapsed: value.listCollapsed === true }
}

export function loadLayout(): PaneLayout {
  try {
    return parseLayout(localStorage.getItem(KEY))
  } catch {
    return DEFAULT_LAYOUT
  }
}

export function saveLayout(layout: PaneLayout): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(layout))
  } catch {
    // storage unavailable: the layout just isn't remembered
  }
}
