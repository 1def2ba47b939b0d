import { describe, expect, it } from 'vitest'
import { SearchIndex, type SearchHit } from '../../renderer/search/search-index'

const marked = (text: string, ranges: SearchHit['titleRanges']): string[] => ranges.map((r) => text.slice(r.start, r.end))

function library(): SearchIndex {
  const index = new SearchIndex()
  index.upsert('garden', 'Garden plans', 'Plant tomatoes in May.\nThe orchard needs pruning.', 'v1')
  index.upsert('orchard', 'Orchard', 'Apples and pears grow here.', 'v1')
  index.upsert('recipes', 'Recipes', 'Tomato soup: simmer the tomatoes for an hour.', 'v1')
  return index
}

describe('searching notes', () => {
  it('ranks a note whose title matches above one that only mentions the word', () => {
    expect(library().search('orchard').map((hit) => hit.id)).toEqual(['orchard', 'garden'])
  })

  it('matches the beginning of a word while it is being typed', () => {
    expect(library().search('tomat').map((hit) => hit.id).sort()).toEqual(['garden', 'recipes'])
  })

  it('forgives a small typo', () => {
    expect(library().search('pruninng').map((hit) => hit.id)).toEqual(['garden'])
  })

  it('needs every word of the query', () => {
    expect(library().search('tomatoes soup').map((hit) => hit.id)).toEqual(['recipes'])
  })

  it('finds nothing for an empty query or a word no note has', () => {
    expect(library().search('  ')).toEqual([])
    expect(library().search('zeppelin')).toEqual([])
  })

  it('marks each matched word in the title and in an excerpt of the text', () => {
    const [hit] = library().search('tomato')
    expect(hit!.id).toBe('recipes')
    expect(marked(hit!.snippet.text, hit!.snippet.ranges)).toEqual(['Tomato', 'tomatoes'])
    const [title] = library().search('garden')
    expect(marked(title!.title, title!.titleRanges)).toEqual(['Garden'])
  })

  it('gives the block and offset of the first match in the text, to open the note there', () => {
    const [hit] = library().search('pruning')
    expect(hit!.match).toEqual({ line: 1, offset: 18, length: 7, word: 'pruning' })
    const [titleOnly] = library().search('recipes')
    expect(titleOnly!.match).toBeNull()
  })

  it('cuts a long text to an excerpt around the match, on a word boundary', () => {
    const index = new SearchIndex()
    index.upsert('long', 'Long', `${'filler words here '.repeat(40)}needle ${'more text after '.repeat(40)}`, 'v1')
    const [hit] = index.search('needle')
    expect(hit!.snippet.before).toBe(true)
    expect(hit!.snippet.after).toBe(true)
    expect(hit!.snippet.text.length).toBeLessThanOrEqual(160)
    expect(hit!.snippet.text).toMatch(/^(filler|words|here) /)
    expect(marked(hit!.snippet.text, hit!.snippet.ranges)).toEqual(['needle'])
  })

  it('leaves out the notes a caller excludes (e.g. in the trash)', () => {
    expect(library().search('tomatoes', { exclude: (id) => id === 'recipes' }).map((hit) => hit.id)).toEqual(['garden'])
  })
})

describe('keeping the index current', () => {
  it('replaces a note’s old text when it is indexed again', () => {
    const index = library()
    index.upsert('orchard', 'Orchard', 'Cherries now.', 'v2')
    expect(index.search('apples')).toEqual([])
    expect(index.search('cherries').map((hit) => hit.id)).toEqual(['orchard'])
    expect(index.get('orchard')?.version).toBe('v2')
  })

  it('forgets a removed note', () => {
    const index = library()
    index.remove('recipes')
    expect(index.search('soup')).toEqual([])
    expect(index.get('recipes')).toBeUndefined()
  })

  it('comes back from its saved state answering the same queries', () => {
    const saved = structuredClone(library().state())
    const restored = new SearchIndex(saved)
    expect(restored.search('orchard').map((hit) => hit.id)).toEqual(['orchard', 'garden'])
    expect(restored.get('garden')?.text).toContain('pruning')
  })
})

describe('replacing notes while the index cleans up after itself', () => {
  // MiniSearch 7.2's automatic vacuuming walks the index in batches with pauses in between; a
  // note replaced during a pause left it walking a changed tree, and it threw from a timer
  // (`Cannot read properties of undefined (reading 'keys')`), which nothing could catch.
  it('never throws, however notes are replaced and removed between pauses', { timeout: 60_000 }, async () => {
    const errors: unknown[] = []
    const onError = (err: unknown): void => void errors.push(err)
    process.on('unhandledRejection', onError)
    process.on('uncaughtException', onError)
    try {
      const index = new SearchIndex()
      const words = (seed: number, n: number): string => Array.from({ length: n }, (_, i) => `w${(seed * 7919 + i * 104729) % 5000}`).join(' ')
      for (let i = 0; i < 1500; i++) index.upsert(`n${i}`, `Title ${i}`, words(i, 40), 'v0')
      for (let round = 1; round <= 30; round++) {
        for (let i = 0; i < 200; i++) {
          const id = `n${(round * 37 + i * 13) % 1500}`
          if (i % 10 === 0) index.remove(id)
          // New words each round: adding terms reshapes the index's tree under a walk in progress.
          else index.upsert(id, `Title ${id} ${round}`, `${words(round * 1000 + i, 30)} ${Array.from({ length: 10 }, (_, k) => `t${round}x${i}y${k}`).join(' ')}`, `v${round}`)
        }
        await new Promise((resolve) => setTimeout(resolve, 15))
      }
      await new Promise((resolve) => setTimeout(resolve, 500))
      expect(errors).toEqual([])
      expect(index.search('Title').length).toBeGreaterThan(0)
    } finally {
      process.off('unhandledRejection', onError)
      process.off('uncaughtException', onError)
    }
  })
})
