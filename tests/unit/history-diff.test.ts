import { describe, expect, it } from 'vitest'
import { diffCounts, diffText } from '../../renderer/history/diff'

describe('diff against now', () => {
  it('marks words only the version had as removed and words only now has as added', () => {
    const runs = diffText('the quick brown fox', 'the slow brown fox jumps')
    expect(runs).toEqual([
      { kind: 'same', text: 'the ' },
      { kind: 'removed', text: 'quick' },
      { kind: 'added', text: 'slow' },
      { kind: 'same', text: ' brown fox' },
      { kind: 'added', text: ' jumps' },
    ])
    expect(diffCounts(runs)).toEqual({ added: 2, removed: 1 })
  })

  it('reproduces both texts from its runs', () => {
    const before = 'line one\nline two\n\nline four'
    const after = 'line one\nline 2\nline four\nline five'
    const runs = diffText(before, after)
    expect(runs.filter((r) => r.kind !== 'added').map((r) => r.text).join('')).toBe(before)
    expect(runs.filter((r) => r.kind !== 'removed').map((r) => r.text).join('')).toBe(after)
  })

  it('has nothing highlighted when nothing changed', () => {
    expect(diffText('same text', 'same text')).toEqual([{ kind: 'same', text: 'same text' }])
    expect(diffCounts(diffText('same text', 'same text'))).toEqual({ added: 0, removed: 0 })
  })
})
