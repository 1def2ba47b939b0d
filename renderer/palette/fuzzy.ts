// Fuzzy matching for the command palette: the query's characters in order anywhere in the text
// ("mtg nts" finds "Meeting notes"), ranked so that matches at word starts and runs of adjacent
// characters come first. Case and accents are ignored. Pure; fast enough for 10,000 titles per key.

export interface FuzzyMatch {
  readonly score: number
  /** Indices of the matched characters in the text, for highlighting. */
  readonly indices: readonly number[]
}

/** Case and accents removed: what matching compares. Cache it for texts matched again and again. */
export const fold = (text: string): string => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
const isBoundary = (text: string, index: number): boolean => index === 0 || /[\s\-_/.,:;()[\]]/.test(text[index - 1]!) || (text[index - 1] === text[index - 1]!.toLowerCase() && text[index] !== text[index]!.toLowerCase())

/** A folded query, prepared once per keystroke. Spaces are ignored. */
export function prepareQuery(query: string): string {
  return fold(query).replace(/\s+/g, '')
}

/** How well `query` (from prepareQuery) matches `text` (`folded`: fold(text), if at hand); null when it does not. */
export function fuzzyMatch(query: string, text: string, folded: string = fold(text)): FuzzyMatch | null {
  if (query === '') return { score: 0, indices: [] }
  // Folding can change lengths (rare ligatures); indices then only approximate the highlight.
  const indices: number[] = []
  let score = 0
  let from = 0
  let previous = -2
  for (const char of query) {
    const at = folded.indexOf(char, from)
    if (at < 0) return null
    let bonus = 1
    if (at === previous + 1) bonus += 4
    if (isBoundary(text, at)) bonus += 6
    if (at === 0) bonus += 4
    score += bonus
    indices.push(at)
    previous = at
    from = at + 1
  }
  // Shorter texts and earlier matches win ties.
  score -= indices[0]! * 0.05 + folded.length * 0.01
  if (folded.startsWith(query)) score += 8
  return { score, indices }
}
