// What a screenshot can't be trusted to show a reviewer: checks of the rendered page's geometry.
//
// - Nothing sticks out of the viewport horizontally, and no box with hidden overflow cuts off
//   its content (except text that ends in an ellipsis on purpose, and scrollable boxes).
// - No control is covered: the point at the middle of every visible button, field and select
//   hits that control (a control under another, or two overlapping, fail).
// - The sync status line is in view.
// Runs inside the page (page.evaluate); returns one line per problem.

import type { Page } from 'playwright-core'

export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = []
    const width = window.innerWidth
    const height = window.innerHeight
    const describe = (el: Element): string => {
      const label = el.getAttribute('aria-label') ?? (el.textContent ?? '').trim().slice(0, 40)
      return `<${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? ` class="${el.className}"` : ''}> “${label}”`
    }
    const visible = (el: Element): boolean => {
      const style = getComputedStyle(el)
      const rect = el.getBoundingClientRect()
      return style.visibility !== 'hidden' && style.display !== 'none' && rect.width > 0 && rect.height > 0 && Number(style.opacity) > 0
    }
    /** The part of `el` not clipped by any scrolling or clipping ancestor. */
    const clipRect = (el: Element): DOMRect | null => {
      let rect = el.getBoundingClientRect()
      let left = rect.left
      let right = rect.right
      let top = rect.top
      let bottom = rect.bottom
      for (let at = el.parentElement; at; at = at.parentElement) {
        const style = getComputedStyle(at)
        if (style.overflowX !== 'visible' || style.overflowY !== 'visible') {
          rect = at.getBoundingClientRect()
          left = Math.max(left, rect.left)
          right = Math.min(right, rect.right)
          top = Math.max(top, rect.top)
          bottom = Math.min(bottom, rect.bottom)
        }
      }
      return right - left < 1 || bottom - top < 1 ? null : new DOMRect(left, top, right - left, bottom - top)
    }

    if (document.documentElement.scrollWidth > width + 1) problems.push(`the page scrolls horizontally (${document.documentElement.scrollWidth} px > ${width} px)`)
    if (document.documentElement.scrollHeight > height + 1) problems.push(`the page scrolls vertically (${document.documentElement.scrollHeight} px > ${height} px)`)

    const scope: ParentNode = [...document.querySelectorAll('dialog[open]')].pop() ?? document
    for (const el of scope.querySelectorAll('*')) {
      if (!visible(el) || el.closest('.visually-hidden')) continue
      const style = getComputedStyle(el)
      const rect = el.getBoundingClientRect()
      const clipped = clipRect(el)
      if (clipped && (rect.right > width + 1 || rect.left < -1) && clipped.right > width + 1) problems.push(`${describe(el)} sticks out of the window (${Math.round(rect.left)}–${Math.round(rect.right)} px of ${width})`)
      // A box that hides overflow and has more content than room cuts something off, unless it
      // is text ending in an ellipsis, or a box that scrolls.
      const hidesX = style.overflowX === 'hidden' || style.overflowX === 'clip'
      if (hidesX && el.scrollWidth > el.clientWidth + 1 && style.textOverflow !== 'ellipsis' && el.tagName !== 'DIALOG') {
        problems.push(`${describe(el)} cuts off its content horizontally (${el.scrollWidth} px in ${el.clientWidth} px)`)
      }
    }

    const controls = [...scope.querySelectorAll('button, input:not([type="hidden"]), select, textarea, [role="separator"][tabindex]')].filter((el) => visible(el))
    for (const control of controls) {
      const clipped = clipRect(control)
      const rect = control.getBoundingClientRect()
      // Scrolled (partly) out of its container's view: not covered, just scrolled.
      if (!clipped || clipped.height < Math.min(rect.height, 16) - 1) continue
      const x = clipped.left + clipped.width / 2
      const y = clipped.top + clipped.height / 2
      if (x < 0 || y < 0 || x > width || y > height) continue
      const hit = document.elementFromPoint(x, y)
      if (hit && hit !== control && !control.contains(hit) && !(hit instanceof HTMLLabelElement && hit.control === control)) {
        problems.push(`${describe(control)} is covered by ${describe(hit)}`)
      }
    }

    const status = document.querySelector('[role="status"][aria-label="Sync status"]')
    if (!status || !visible(status)) problems.push('the sync status line is not shown')
    else {
      const rect = status.getBoundingClientRect()
      if (rect.bottom > height + 1 || rect.top < 0 || rect.right > width + 1) problems.push(`the sync status line is out of view (${Math.round(rect.top)}–${Math.round(rect.bottom)} px of ${height})`)
      if (scope === document) {
        const hit = document.elementFromPoint(rect.left + Math.min(10, rect.width / 2), rect.top + rect.height / 2)
        if (hit && !status.contains(hit)) problems.push(`the sync status line is covered by ${describe(hit)}`)
      }
    }
    return problems
  })
}
