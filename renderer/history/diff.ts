// What changed between a saved version and the note now, as highlighted runs of plain text.
// A word diff (jsdiff) on one line per block is enough to see what a restore would bring back.

import { diffWordsWithSpace } from 'diff'

export type DiffKind = 'same' | 'added' | 'removed'

export interface DiffRun {
  readonly kind: DiffKind
  readonly text: string
}

/**
 * Runs turning `before` into `after`: `added` is text only `after` has, `removed` text only
 * `before` had. Adjacent runs of one kind are merged.
 */
export function diffText(before: string, after: string): DiffRun[] {
  const runs: DiffRun[] = []
  for (const change of diffWordsWithSpace(before, after)) {
    const kind: DiffKind = change.added ? 'added' : change.removed ? 'removed' : 'same'
    if (change.value === '') continue
    const last = runs.at(-1)
    if (last?.kind === kind) runs[runs.length - 1] = { kind, text: last.text + change.value }
    else runs.push({ kind, text: change.value })
  }
  return runs
}

/** How much changed, for a one-line summary ("+3 words, −1 word"). */
export function diffCounts(runs: readonly DiffRun[]): { added: number; removed: number } {
  const words = (text: string): number => text.split(/\s+/).filter(Boolean).length
  let added = 0
  let removed = 0
  for (const run of runs) {
    if (run.kind === 'added') added += words(run.text)
    if (run.kind === 'removed') removed += words(run.text)
  }
  return { added, removed }
}
