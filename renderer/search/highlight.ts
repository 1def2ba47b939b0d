// Where the matched words are in a title or a note's text, and a short excerpt around the first
// match. Pure. Words are split the way MiniSearch's default tokenizer splits them (on spaces and
// punctuation) and compared lowercased, so a highlighted word is exactly a word that matched.

/** A highlighted stretch: [start, end) in the string it belongs to. */
export interface Range {
  readonly start: number
  readonly end: number
}

export interface Snippet {
  readonly text: string
  /** Relative to `text`. */
  readonly ranges: readonly Range[]
  /** Whether text was cut before / after the excerpt. */
  readonly before: boolean
  readonly after: boolean
}

/** Where the first match is in a note's text: its block (line) and offset in that block. */
export interface MatchLocation {
  readonly line: number
  readonly offset: number
  readonly length: number
  /** The matched word as it appears in the text. */
  readonly word: string
}

const WORD = /[^\n\r\p{Z}\p{P}]+/gu

/** Every word of `text` that is one of `terms` (lowercase document terms, as MiniSearch reports them). */
export function matchRanges(text: string, terms: ReadonlySet<string>): Range[] {
  const ranges: Range[] = []
  for (const word of text.matchAll(WORD)) {
    if (terms.has(word[0].toLowerCase())) ranges.push({ start: word.index, end: word.index + word[0].length })
  }
  return ranges
}

const BEFORE = 40
const LENGTH = 160

/** An excerpt of `text` around the first range (or its start), on one line, with the ranges inside it. */
export function snippetOf(text: string, ranges: readonly Range[]): Snippet {
  const first = ranges[0]
  let start = first ? Math.max(0, first.start - BEFORE) : 0
  // Start at a word boundary so the excerpt does not open on half a word.
  if (start > 0) {
    const space = text.slice(start, first!.start).search(/\s/)
    if (space >= 0) start += space + 1
  }
  const end = Math.min(text.length, start + LENGTH)
  const inside = ranges.filter((r) => r.start >= start && r.end <= end).map((r) => ({ start: r.start - start, end: r.end - start }))
  return { text: text.slice(start, end).replace(/\n/g, ' '), ranges: inside, before: start > 0, after: end < text.length }
}

/** The block and offset of `range` in a text whose blocks are separated by "\n". */
export function locate(text: string, range: Range): MatchLocation {
  const lineStart = text.lastIndexOf('\n', range.start - 1) + 1
  let line = 0
  for (let i = text.indexOf('\n'); i !== -1 && i < range.start; i = text.indexOf('\n', i + 1)) line++
  return { line, offset: range.start - lineStart, length: range.end - range.start, word: text.slice(range.start, range.end) }
}
