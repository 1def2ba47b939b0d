// Titles are metadata, changed by explicit renames. A new note takes its first title from its
// content once: its first line of text (the first line that is not blank), whitespace-collapsed,
// trimmed and shortened, when the writer pauses or leaves the note (see NotePane).

import { UNTITLED } from '../../protocol/notes'

export { UNTITLED }
/** Longest title taken from a note's first line (a typed title may be up to LIMITS.titleLength). */
export const DERIVED_TITLE_LENGTH = 80

export function deriveTitle(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? ''
  const clean = line.replace(/\s+/g, ' ').trim()
  if (clean === '') return UNTITLED
  if (clean.length <= DERIVED_TITLE_LENGTH) return clean
  return `${clean.slice(0, DERIVED_TITLE_LENGTH - 1).trimEnd()}…`
}

/** How long the writer pauses before a new note takes its first line as its title. */
export const AUTO_TITLE_IDLE_MS = 1_500

/** The automatic first title for a note whose first line is `line`; '' when it has no text yet. */
export function autoTitleFrom(line: string): string {
  const title = deriveTitle(line)
  return title === UNTITLED ? '' : title
}
