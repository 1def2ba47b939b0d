import { describe, expect, it } from 'vitest'
import { countWords } from '../../renderer/editor/word-count'

describe('countWords', () => {
  it.each([
    ['', 0],
    ['   \n\t ', 0],
    ['one', 1],
    ['two words', 2],
    ['Lines\nare separated', 3],
    ["don't split contractions or well-known hyphens", 6],
    ['punctuation — alone, … is not a word !', 6],
    ['Zürich ist schön', 3],
    ['数字 123 and 4.5', 5],
  ])('counts %j as %i words', (text, words) => {
    expect(countWords(text)).toBe(words)
  })
})
