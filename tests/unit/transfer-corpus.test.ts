// Import → editor document → export over Markdown nobody on this project wrote: the CommonMark
// spec's examples (npm `commonmark-spec`) and the READMEs and changelogs of the packages in
// node_modules. What a reader gets from a file (text, links, images, headings, code; see
// markdown-signature.ts) must come back from export. The figures are printed and recorded in
// docs/benchmarks.md; the floors below fail the test if a change loses ground.

import { readFileSync, readdirSync, statSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import spec from 'commonmark-spec'
import { docToMarkdown, docToMarkdownInOnePass, markdownToDoc } from '../../renderer/transfer/markdown'
import { parseFrontMatter } from '../../renderer/transfer/front-matter'
import { markdownSignature, signatureDifference } from '../helpers/markdown-signature'

function roundTrip(source: string): string {
  return docToMarkdown(markdownToDoc(source))
}

/** Examples of constructs the app keeps as something else on purpose (documented in docs/benchmarks.md). */
function differenceOf(source: string): string | null {
  return signatureDifference(markdownSignature(source), markdownSignature(roundTrip(source)))
}

/** README/CHANGELOG/HISTORY files of installed packages, one per distinct content, sorted by path. */
function packageDocs(root: string): { path: string; text: string }[] {
  const found: string[] = []
  const walk = (dir: string, depth: number): void => {
    let entries: string[]
    try {
      entries = readdirSync(dir)
    } catch {
      return
    }
    for (const name of entries) {
      const path = join(dir, name)
      if (/^(readme|changelog|history)\.md$/i.test(name)) found.push(path)
      else if (depth < 4 && !name.startsWith('.') && statSync(path, { throwIfNoEntry: false })?.isDirectory()) walk(path, depth + 1)
    }
  }
  walk(root, 0)
  const seen = new Set<string>()
  const docs: { path: string; text: string }[] = []
  for (const path of found.sort()) {
    const text = readFileSync(path, 'utf8')
    const hash = createHash('sha1').update(text).digest('hex')
    if (seen.has(hash) || text.length > 1_000_000) continue
    seen.add(hash)
    docs.push({ path, text })
  }
  return docs
}

describe('Markdown import and export over other people\'s Markdown', () => {
  it('CommonMark spec examples: what a reader gets survives import → export', () => {
    const examples = spec.tests
    const failing: string[] = []
    for (const example of examples) {
      const source = example.markdown.replace(/→/g, '\t')
      let difference: string | null
      try {
        difference = differenceOf(source)
      } catch (err) {
        difference = `threw ${(err as Error).message}`
      }
      if (difference) failing.push(`#${example.number} (${example.section}): ${difference}`)
    }
    const kept = examples.length - failing.length
    console.log(`commonmark-spec: ${kept} of ${examples.length} examples keep their text, links, images, headings and code (${((100 * kept) / examples.length).toFixed(1)}%)`)
    if (process.env.SKEIN_CORPUS_VERBOSE) console.log(failing.join('\n'))
    expect(kept).toBeGreaterThanOrEqual(647) // measured 2026-11-29; see docs/benchmarks.md
  })

  it('CommonMark spec examples: how many read back as the same document, and byte for byte', () => {
    let sameDocument = 0
    let sameBytes = 0
    for (const example of spec.tests) {
      const source = example.markdown.replace(/→/g, '\t')
      try {
        const exported = roundTrip(source)
        if (JSON.stringify(markdownToDoc(exported)) === JSON.stringify(markdownToDoc(source))) sameDocument++
        if (`${exported}\n` === source) sameBytes++
      } catch {
        // counted as neither
      }
    }
    console.log(`commonmark-spec: ${sameDocument} of ${spec.tests.length} examples read back as the same document after export; ${sameBytes} byte for byte`)
    expect(sameDocument).toBeGreaterThanOrEqual(626) // measured 2026-11-29 (626, 111 byte for byte); see docs/benchmarks.md
  })

  it('READMEs and changelogs of installed packages: links, images (badges), headings and text survive import → export', { timeout: 180_000 }, () => {
    const docs = packageDocs(join(process.cwd(), 'node_modules'))
    expect(docs.length).toBeGreaterThan(300)
    const failing: string[] = []
    let links = 0
    let images = 0
    const slowest: [number, string][] = []
    for (const { path, text } of docs) {
      const started = performance.now()
      const { body } = parseFrontMatter(text)
      const before = markdownSignature(body)
      links += before.links.length
      images += before.images.length
      const difference = signatureDifference(before, markdownSignature(roundTrip(body)))
      if (difference) failing.push(`${path}: ${difference}`)
      slowest.push([performance.now() - started, `${path} (${text.length} chars)`])
    }
    if (process.env.SKEIN_CORPUS_VERBOSE) console.log(slowest.sort((x, y) => y[0] - x[0]).slice(0, 10).map(([ms, p]) => `${ms.toFixed(0)} ms ${p}`).join('\n'))
    const kept = docs.length - failing.length
    console.log(`package docs: ${kept} of ${docs.length} files keep everything (${links} links, ${images} images in all)`)
    if (failing.length > 0) console.log(failing.slice(0, 20).join('\n'))
    expect(failing).toEqual([])
  })

  it('writes block by block exactly what the serializer writes in one pass', () => {
    for (const example of spec.tests) {
      const doc = markdownToDoc(example.markdown.replace(/→/g, '\t'))
      expect(docToMarkdown(doc), `example ${example.number}`).toBe(docToMarkdownInOnePass(doc))
    }
  })

  it('keeps a link on inline code, a linked image (badge) and an image, and keeps badges out of the title', () => {
    const source = '# skein [![Build](https://ci.example/badge.svg)](https://ci.example/run)\n\nFixed in [`#17`](https://example.org/pull/17). ![diagram](docs/d.png "Flow")'
    expect(roundTrip(source)).toBe(source)
  })
})
