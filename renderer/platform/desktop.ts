// The preload API (window.skein) when running in the desktop shell; undefined in a browser.
// Its type is derived from the object the preload exposes, never written by hand.
import type { SkeinApi } from '../../electron/preload/index.cjs'

export type { SkeinApi }

export function desktopApi(): SkeinApi | undefined {
  return (window as Window & { skein?: SkeinApi }).skein
}
