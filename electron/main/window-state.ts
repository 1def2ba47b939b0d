// The main window's size and position, remembered in <userData>/window-state.json. Saved
// bounds are used only if the window would still be visible: a monitor that was unplugged, or a
// resolution that shrank, must not put the window off-screen.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { BrowserWindow, Rectangle, Screen } from 'electron'
import { z } from 'zod'
import { writeFileAtomic } from './atomic-file.js'

export const WINDOW_STATE_FILE = 'window-state.json'

const coordinate = z.number().int().min(-100_000).max(100_000)
const size = z.number().int().min(100).max(100_000)
const windowStateSchema = z.object({
  x: coordinate,
  y: coordinate,
  width: size,
  height: size,
  maximized: z.boolean(),
})
export type WindowState = z.infer<typeof windowStateSchema>

/** How much of the window's title bar area must lie on some display for the bounds to be kept. */
const MIN_VISIBLE_WIDTH = 100
const MIN_VISIBLE_HEIGHT = 50

function overlap(a: Rectangle, b: Rectangle): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  }
}

/**
 * The bounds to open with: the saved ones when the top strip of the window (where it is dragged
 * from) is visible on one of the displays' work areas, shrunk to fit that display; else null
 * (let the OS place a default-sized window).
 */
export function restorableBounds(saved: WindowState | null, workAreas: readonly Rectangle[]): Rectangle | null {
  if (saved === null) return null
  const titleStrip = { x: saved.x, y: saved.y, width: saved.width, height: MIN_VISIBLE_HEIGHT }
  const area = workAreas.find((candidate) => {
    const { width, height } = overlap(titleStrip, candidate)
    return width >= Math.min(MIN_VISIBLE_WIDTH, saved.width) && height >= MIN_VISIBLE_HEIGHT
  })
  if (area === undefined) return null
  return { x: saved.x, y: saved.y, width: Math.min(saved.width, area.width), height: Math.min(saved.height, area.height) }
}

export async function loadWindowState(dir: string): Promise<WindowState | null> {
  try {
    const parsed = windowStateSchema.safeParse(JSON.parse(await readFile(path.join(dir, WINDOW_STATE_FILE), 'utf8')))
    return parsed.success ? parsed.data : null
  } catch {
    return null // missing or unreadable: a default window is fine
  }
}

export function saveWindowState(dir: string, state: WindowState): Promise<void> {
  return writeFileAtomic(dir, WINDOW_STATE_FILE, `${JSON.stringify(windowStateSchema.parse(state))}\n`)
}

type TrackedWindow = Pick<BrowserWindow, 'on' | 'getNormalBounds' | 'isMaximized' | 'maximize'>

/** Reads the window's state for saving: the un-maximized bounds plus whether it is maximized. */
export function currentWindowState(win: Pick<BrowserWindow, 'getNormalBounds' | 'isMaximized'>): WindowState {
  const { x, y, width, height } = win.getNormalBounds()
  return {
    x: Math.round(x),
    y: Math.round(y),
    width: Math.round(width),
    height: Math.round(height),
    maximized: win.isMaximized(),
  }
}

/** Saves the window's state when it closes (and re-maximizes it if it was). */
export function trackWindowState(
  win: TrackedWindow,
  saved: WindowState | null,
  save: (state: WindowState) => Promise<void>,
): void {
  if (saved?.maximized) win.maximize()
  win.on('close', () => {
    save(currentWindowState(win)).catch((error: unknown) => console.warn('skein: window state not saved', error))
  })
}

export function displayWorkAreas(screen: Pick<Screen, 'getAllDisplays'>): Rectangle[] {
  return screen.getAllDisplays().map((display) => display.workArea)
}
