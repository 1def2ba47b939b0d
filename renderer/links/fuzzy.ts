// Fuzzy matching for the note picker: every character of the query, in order, anywhere in the
// title (case-insensitive); runs of consecutive characters and an early start rank higher.

/** A score for `title` against `query` (higher is better), or null when it does not match. */
export function fuzzyScore(query: string, title: string): number | null {
  const q = query.toLowerCase().replace(/\s+/g, '')
  const t = title.toLowerCase()
  if (q === '') return 0
  let score = 0
  let at = -1
  let run = 0
  for (const ch of q) {
    const next = t.indexOf(ch, at + 1)
    if (next === -1) return null
    run = next === at + 1 ? run + 1 : 0
    score += 1 + run * 2 - (at === -1 ? next * 0.1 : 0)
    at = next
  }
  return score - t.length * 0.01
}

/** The items whose `title` matches `query`, best first (ties keep their order). */
export function fuzzyFilter<T extends { readonly title: string }>(items: readonly T[], query: string, limit = 20): T[] {
  return items
    .map((item, i) => ({ item, i, score: fuzzyScore(query, item.title) }))
    .filter((s): s is { item: T; i: number; score: number } => s.score !== null)
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .slice(0, limit)
    .map((s) => s.item)
}
