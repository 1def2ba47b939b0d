// A note's title is derived from its content: its first line of text (the first line that is not
// blank), whitespace-collapsed, trimmed and shortened; "Untitled" when there is no text.

export const UNTITLED = 'Untitled'
export const MAX_TITLE_LENGTH = 80

export function deriveTitle(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? ''
  const clean = line.replace(/\s+/g, ' ').trim()
  if (clean === '') return UNTITLED
  if (clean.length <= MAX_TITLE_LENGTH) return clean
  return `${clean.slice(0, MAX_TITLE_LENGTH - 1).trimEnd()}…`
}
