import { describe, expect, it } from 'vitest'
import type { JSONContent } from '@tiptap/core'
import { unzipSync, strFromU8 } from 'fflate'
import { buildExport } from '../../renderer/transfer/export'
import { importMarkdown, skippedFileCount, type ImportFile } from '../../renderer/transfer/import'
import { NameAllocator, safeName } from '../../renderer/transfer/paths'
import { zipFiles } from '../../renderer/transfer/workspace-transfer'
import { FakeWorkspace } from '../helpers/transfer-workspace'

const file = (relativePath: string, text: string, size = new TextEncoder().encode(text).length): ImportFile => ({ relativePath, size, read: async () => text })

const VAULT = {
  'Vault/Welcome.md': '---\ntags: [start, two words]\n---\n\n# Welcome\n\nHello **there**.\n',
  'Vault/Work/Plan.md': '# Plan\n\n- one\n- two\n  1. nested\n',
  'Vault/Work/Deep/Notes.md': '---\ntags:\n  - deep\n---\n\n# Notes\n\n> quoted\n\n```js\nlet x = 1\n```\n',
  'Vault/Loose.md': '# Loose\n\n[a link](https://example.org/) and ~~gone~~\n',
}

describe('importing Markdown files', () => {
  it('turns the folder structure into nested folders, front-matter tags into tags, headings into titles', async () => {
    const ws = new FakeWorkspace()
    const summary = await importMarkdown(Object.entries(VAULT).map(([p, t]) => file(p, t)), ws)
    expect(summary).toMatchObject({ skipped: [], foldersCreated: 3, cancelled: false, notReached: 0 })
    expect(summary.imported).toHaveLength(4)
    const where = Object.fromEntries(ws.notes.map((n) => [n.title, { folder: ws.folderPath(n.folderId), tags: n.tags }]))
    expect(where).toEqual({
      Welcome: { folder: 'Vault', tags: ['start', 'two words'] },
      Plan: { folder: 'Vault/Work', tags: [] },
      Notes: { folder: 'Vault/Work/Deep', tags: ['deep'] },
      Loose: { folder: 'Vault', tags: [] },
    })
  })

  it('reuses an existing folder with the same name under the same parent', async () => {
    const ws = new FakeWorkspace()
    const vault = await ws.createFolder('Vault', null)
    await ws.createFolder('Work', null) // same name, other parent: not reused for Vault/Work
    await importMarkdown([file('Vault/a.md', 'a'), file('Vault/Work/b.md', 'b')], ws)
    expect(ws.notes.find((n) => n.title === 'a')!.folderId).toBe(vault)
    expect(ws.folderList.filter((f) => f.name === 'Vault')).toHaveLength(1)
    expect(ws.folderList.filter((f) => f.name === 'Work').map((f) => f.parentId).sort()).toEqual([null, vault].sort())
  })

  it('takes the title from front matter, else the first heading, else the file name; single files go to the top level', async () => {
    const ws = new FakeWorkspace()
    await importMarkdown([file('x.md', '---\ntitle: From FM\n---\n# Heading'), file('y.markdown', 'text\n\n## Later heading'), file('z.md', 'no heading')], ws)
    expect(ws.notes.map((n) => [n.title, n.folderId])).toEqual([['From FM', null], ['Later heading', null], ['z', null]])
  })

  it('keeps badges out of a title taken from the heading, and says how many images it kept as links', async () => {
    const ws = new FakeWorkspace()
    const summary = await importMarkdown(
      [file('r.md', '# got [![Build](https://ci/b.svg)](https://ci/run) [![npm](https://n/v.svg)](https://npm/got)\n\n![shot](s.png)\n\n| a |\n| - |\n| 1 |\n')],
      ws,
    )
    expect(ws.notes.map((n) => n.title)).toEqual(['got'])
    expect(summary.kept).toEqual({ imagesAsLinks: 3 })
  })

  it('skips what it cannot import, each with a reason, and imports the rest', async () => {
    const ws = new FakeWorkspace()
    const unreadable: ImportFile = { relativePath: 'd/latin1.md', size: 3, read: () => Promise.reject(new TypeError('bad utf-8')) }
    const summary = await importMarkdown(
      [file('d/ok.md', '# ok'), file('d/pic.png', 'x'), file('d/empty.md', ''), file('d/blank.md', ' \n\n '), file('d/huge.md', 'x', 5 * 1024 * 1024), file('d/bin.md', 'a\u0000b'), file('d/.obsidian/x.md', 'x'), file('d/.git/objects/ab', 'x'), file('d/.git/HEAD', 'x'), file('d/.DS_Store', 'x'), unreadable],
      ws,
      { skipped: [{ relativePath: 'd/link.md', reason: 'symbolic link' }] },
    )
    expect(summary.imported.map((i) => i.relativePath)).toEqual(['d/ok.md'])
    expect(skippedFileCount(summary.skipped)).toBe(11)
    expect(Object.fromEntries(summary.skipped.map((s) => [s.relativePath, s.reason]))).toEqual({
      'd/link.md': 'symbolic link',
      'd/.obsidian/': 'hidden folder (1 file)',
      'd/.git/': 'hidden folder (2 files)',
      'd/.DS_Store': 'hidden file',
      'd/bin.md': 'binary content, not text',
      'd/blank.md': 'empty file',
      'd/empty.md': 'empty file',
      'd/huge.md': 'larger than 4 MB',
      'd/latin1.md': 'could not be read as UTF-8 text',
      'd/pic.png': 'not a Markdown file (.md or .markdown)',
    })
  })

  it('reports progress per file and stops when cancelled, keeping what was imported', async () => {
    const ws = new FakeWorkspace()
    const controller = new AbortController()
    const seen: string[] = []
    const summary = await importMarkdown([file('1.md', 'a'), file('2.md', 'b'), file('3.md', 'c'), file('4.md', 'd')], ws, {
      signal: controller.signal,
      onProgress: ({ done, total }) => {
        seen.push(`${done}/${total}`)
        if (done === 2) controller.abort()
      },
    })
    expect(seen).toEqual(['0/4', '1/4', '2/4'])
    expect(summary).toMatchObject({ cancelled: true, notReached: 2 })
    expect(ws.notes.map((n) => n.title)).toEqual(['1', '2'])
  })

  it('a failure to save one note is reported as its reason, and the import goes on', async () => {
    const ws = new FakeWorkspace()
    const original = ws.createNote
    ws.createNote = async (init) => (init.title === 'bad' ? Promise.reject(new Error('disk full')) : original(init))
    const summary = await importMarkdown([file('bad.md', 'x'), file('good.md', 'y')], ws)
    expect(summary.skipped).toEqual([{ relativePath: 'bad.md', reason: 'could not be saved: disk full' }])
    expect(summary.imported.map((i) => i.relativePath)).toEqual(['good.md'])
  })
})

describe('exporting', () => {
  it('round trip: an imported folder exports as the same tree with the same Markdown', async () => {
    const ws = new FakeWorkspace()
    await importMarkdown(Object.entries(VAULT).map(([p, t]) => file(p, t)), ws)
    const files = await buildExport(ws.source(), { kind: 'all' }, 'md')
    expect(Object.fromEntries(files.map((f) => [f.relativePath, f.text]))).toEqual({
      'Vault/Welcome.md': VAULT['Vault/Welcome.md'].replace('---\ntags', '---\ntitle: Welcome\ntags'),
      'Vault/Work/Plan.md': `---\ntitle: Plan\n---\n\n${VAULT['Vault/Work/Plan.md']}`,
      'Vault/Work/Deep/Notes.md': VAULT['Vault/Work/Deep/Notes.md'].replace('---\ntags:\n  - deep', '---\ntitle: Notes\ntags: [deep]'),
      'Vault/Loose.md': `---\ntitle: Loose\n---\n\n${VAULT['Vault/Loose.md']}`,
    })
  })

  it('writes each title into front matter, so import → export → import keeps titles that differ from the first heading', async () => {
    const titles = ['Plan: Q3 "draft"', "it's # not a comment", '#hashtag first', 'Ünïcødé 日本語 ✓', '  spaced  ', 'yes', '- dash', '[brackets]', 'a\\b']
    const first = new FakeWorkspace()
    for (const [i, title] of titles.entries()) {
      const id = await first.createNote({ title, folderId: null, tags: i === 0 ? ['t:1', 'two words'] : [] })
      await first.writeContent(id, { type: 'doc', content: [{ type: 'heading', attrs: { level: 1 }, content: [{ type: 'text', text: `Heading ${i}` }] }] })
    }
    const exported = await buildExport(first.source(), { kind: 'all' }, 'md')
    const second = new FakeWorkspace()
    await importMarkdown(exported.map((f) => file(f.relativePath, f.text)), second)
    expect(second.notes.map((n) => n.title).sort()).toEqual([...titles].sort())
    expect(second.notes.find((n) => n.title === titles[0])!.tags).toEqual(['t:1', 'two words'])
    const again = await buildExport(second.source(), { kind: 'all' }, 'md')
    expect(again.map((f) => f.text).sort()).toEqual(exported.map((f) => f.text).sort())
  })

  it('exports one note, or one folder with its subfolders at the top of the tree', async () => {
    const ws = new FakeWorkspace()
    await importMarkdown(Object.entries(VAULT).map(([p, t]) => file(p, t)), ws)
    const plan = ws.notes.find((n) => n.title === 'Plan')!
    expect((await buildExport(ws.source(), { kind: 'note', id: plan.id }, 'md')).map((f) => f.relativePath)).toEqual(['Plan.md'])
    const work = ws.folderList.find((f) => f.name === 'Work')!
    expect((await buildExport(ws.source(), { kind: 'folder', id: work.id }, 'html')).map((f) => f.relativePath)).toEqual(['Work/Plan.html', 'Work/Deep/Notes.html'])
  })

  it('writes HTML pages with the note title and content', async () => {
    const ws = new FakeWorkspace()
    await importMarkdown([file('a.md', '# A & B\n\n*hi*')], ws)
    const [page] = await buildExport(ws.source(), { kind: 'all' }, 'html')
    expect(page!.relativePath).toBe('A & B.html')
    expect(page!.text).toContain('<title>A &#38; B</title>')
    expect(page!.text).toContain('<h1>A &#38; B</h1>\n<p><em>hi</em></p>')
  })

  it('gives notes with clashing or unsafe titles distinct, file-system-safe names', async () => {
    const ws = new FakeWorkspace()
    for (const title of ['Same', 'same', 'a/b: c?', 'CON', '...', '  trailing dots.. ']) ws.notes.push({ id: title, title, folderId: null, tags: [] })
    const names = (await buildExport(ws.source(), { kind: 'all' }, 'md')).map((f) => f.relativePath).sort()
    expect(names).toEqual(['CON_.md', 'Same (2).md', 'Untitled.md', 'a-b- c-.md', 'same.md', 'trailing dots.md'].sort())
  })

  it('a note whose folder is gone is exported at the top level', async () => {
    const ws = new FakeWorkspace()
    ws.notes.push({ id: 'n', title: 'Orphan', folderId: 'deleted-folder', tags: [] })
    expect((await buildExport(ws.source(), { kind: 'all' }, 'md')).map((f) => f.relativePath)).toEqual(['Orphan.md'])
  })

  it('reports progress per note, and a cancelled export gives no files', async () => {
    const ws = new FakeWorkspace()
    await importMarkdown(Object.entries(VAULT).map(([p, t]) => file(p, t)), ws)
    const seen: string[] = []
    await buildExport(ws.source(), { kind: 'all' }, 'md', { onProgress: ({ done, total }) => seen.push(`${done}/${total}`) })
    expect(seen).toEqual(['0/4', '1/4', '2/4', '3/4', '4/4'])
    const controller = new AbortController()
    const cancelled = buildExport(ws.source(), { kind: 'all' }, 'md', { signal: controller.signal, onProgress: ({ done }) => done === 1 && controller.abort() })
    await expect(cancelled).rejects.toThrow(/abort/i)
  })

  it('zips the tree with folders as paths', async () => {
    const zipped = unzipSync(zipFiles([{ relativePath: 'A/b.md', text: 'é' }, { relativePath: 'c.md', text: 'x' }]))
    expect(Object.fromEntries(Object.entries(zipped).map(([k, v]) => [k, strFromU8(v)]))).toEqual({ 'A/b.md': 'é', 'c.md': 'x' })
  })
})

describe('safe names', () => {
  it('removes separators and forbidden characters, reserved names, trailing dots and spaces', () => {
    expect(safeName('a/b\\c:d*e?f"g<h>i|j')).toBe('a-b-c-d-e-f-g-h-i-j')
    expect(safeName('nul.txt')).toBe('nul.txt_')
    expect(safeName(' . ')).toBe('Untitled')
    expect(safeName('x'.repeat(300))).toHaveLength(100)
    expect(safeName('😀'.repeat(120))).toBe('😀'.repeat(100))
  })

  it('hands out names unique regardless of case', () => {
    const names = new NameAllocator()
    expect([names.take('A', '.md'), names.take('a', '.md'), names.take('A', '.md')]).toEqual(['A.md', 'a (2).md', 'A (3).md'])
  })
})

describe('links between notes in Markdown', () => {
  it('export writes relative links to the linked notes’ files (title only for a note not exported); import makes them note links again', async () => {
    const ws = new FakeWorkspace()
    const work = await ws.createFolder('Work', null)
    const plan = await ws.createNote({ title: 'Plan A', folderId: work, tags: [] })
    const home = await ws.createNote({ title: 'Home', folderId: null, tags: [] })
    await ws.writeContent(plan, { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Back to ' }, { type: 'noteLink', attrs: { id: home } }] }] })
    await ws.writeContent(home, { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'See ' }, { type: 'noteLink', attrs: { id: plan } }, { type: 'text', text: ' and ' }, { type: 'noteLink', attrs: { id: 'elsewhere' } }] }] })

    const files = await buildExport(ws.source(), { kind: 'all' }, 'md')
    const text = Object.fromEntries(files.map((f) => [f.relativePath, f.text]))
    expect(text['Home.md']).toBe('---\ntitle: Home\n---\n\nSee [Plan A](Work/Plan%20A.md) and Note not found\n')
    expect(text['Work/Plan A.md']).toBe('---\ntitle: Plan A\n---\n\nBack to [Home](../Home.md)\n')

    const again = new FakeWorkspace()
    const summary = await importMarkdown(files.map((f) => file(`Export/${f.relativePath}`, f.text)), again)
    const idOf = (path: string): string => summary.imported.find((i) => i.relativePath === path)!.noteId
    const content = async (id: string) => (await again.source().readContent(id)).toJSON() as JSONContent
    expect((await content(idOf('Export/Home.md'))).content![0]!.content).toEqual([
      { type: 'text', text: 'See ' },
      { type: 'noteLink', attrs: { id: idOf('Export/Work/Plan A.md') } },
      { type: 'text', text: ' and Note not found' },
    ])
    expect((await content(idOf('Export/Work/Plan A.md'))).content![0]!.content).toEqual([{ type: 'text', text: 'Back to ' }, { type: 'noteLink', attrs: { id: idOf('Export/Home.md') } }])
  })
})
