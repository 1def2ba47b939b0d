// File and folder names for export, and reading the folder part of imported paths. Export names
// must be valid on every platform a user might unzip into (Windows is the strictest), and the
// desktop shell refuses any other (electron/main/markdown-files.ts, exportTarget).

import { UNTITLED } from '../notes/title'

// eslint-disable-next-line no-control-regex -- control characters are exactly what must go
const ILLEGAL = /[<>:"/\\|?*\x00-\x1f\x7f]/g
const WINDOWS_RESERVED = /^(?:con|prn|aux|nul|com\d|lpt\d)(?:\..*)?$/i
const MAX_NAME = 100

/** A title or folder name as one path segment: no separators or forbidden characters, never empty. */
export function safeName(name: string, fallback = UNTITLED): string {
  let clean = name.replace(ILLEGAL, '-').replace(/\s+/g, ' ').trim()
  clean = [...clean].slice(0, MAX_NAME).join('') // by code point: never split a surrogate pair
  clean = clean.replace(/[. ]+$/, '').replace(/^\.+/, '')
  if (clean === '') return fallback
  return WINDOWS_RESERVED.test(clean) ? `${clean}_` : clean
}

/**
 * Hands out names unique within one folder, ignoring case (two files that differ only in case
 * overwrite each other on macOS and Windows): `Name`, `Name (2)`, `Name (3)` …
 */
export class NameAllocator {
  private readonly taken = new Set<string>()

  take(base: string, extension = ''): string {
    for (let n = 1; ; n++) {
      const name = `${n === 1 ? base : `${base} (${n})`}${extension}`
      if (!this.taken.has(name.toLowerCase())) {
        this.taken.add(name.toLowerCase())
        return name
      }
    }
  }
}

/** The folder names of a '/'-separated relative path (everything but the file name). */
export function folderSegments(relativePath: string): string[] {
  return relativePath.split(/[/\\]/).slice(0, -1).filter((s) => s !== '' && s !== '.')
}

export function fileName(relativePath: string): string {
  return relativePath.split(/[/\\]/).pop() ?? relativePath
}

/** The file name without its Markdown extension. */
export function baseName(relativePath: string): string {
  return fileName(relativePath).replace(/\.(?:md|markdown)$/i, '')
}

/**
 * The path (relative to the picked folder) that a relative link in the file at `from` points to,
 * or null for anything else (a URL with a scheme, an absolute path, an anchor, or one leaving the
 * picked folder).
 */
export function resolveRelative(from: string, href: string): string | null {
  if (href === '' || /^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('/') || href.startsWith('#')) return null
  let decoded: string
  try {
    decoded = decodeURIComponent(href.split(/[?#]/)[0]!)
  } catch {
    return null
  }
  const segments = folderSegments(from)
  for (const part of decoded.split(/[/\\]/)) {
    if (part === '' || part === '.') continue
    if (part === '..') {
      if (segments.length === 0) return null
      segments.pop()
    } else segments.push(part)
  }
  return segments.join('/')
}
