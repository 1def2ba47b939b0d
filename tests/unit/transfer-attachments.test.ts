// Import and export of notes with images and files: files next to the Markdown become the note's
// attachments (their bytes kept by hash), and export writes them into an `attachments/` folder
// beside the Markdown with relative links, so the round trip keeps them.

import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { JSONContent } from '@tiptap/core'
import { buildExport, type ExportSource } from '../../renderer/transfer/export'
import { importMarkdown, type ImportFile, type ImportTarget } from '../../renderer/transfer/import'
import { readNoteContent } from '../../renderer/transfer/note-content'
import { resolveRelative } from '../../renderer/transfer/paths'
import { FakeWorkspace } from '../helpers/transfer-workspace'

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** The fake workspace, with attachment bytes by hash. */
class Workspace extends FakeWorkspace implements ImportTarget {
  readonly blobs = new Map<string, Uint8Array>()
  addAttachment = async (_noteId: string, name: string, bytes: Uint8Array): Promise<JSONContent> => {
    const hash = sha(bytes)
    this.blobs.set(hash, bytes)
    const attrs = { hash, name, type: name.endsWith('.png') ? 'image/png' : 'application/pdf', size: bytes.length }
    return name.endsWith('.png') ? { type: 'image', attrs: { ...attrs, width: 4, height: 3, alt: '' } } : { type: 'file', attrs }
  }
  override source(): ExportSource {
    return { ...super.source(), readAttachment: async (info) => this.blobs.get(info.hash) ?? null }
  }
  nodes(title: string): JSONContent[] {
    const id = this.notes.find((n) => n.title === title)!.id
    const found: JSONContent[] = []
    const visit = (node: JSONContent): void => {
      if (node.type === 'image' || node.type === 'file') found.push(node)
      node.content?.forEach(visit)
    }
    visit(readNoteContent(this.docs.get(id)!).toJSON() as JSONContent)
    return found
  }
}

const text = (relativePath: string, body: string): ImportFile => ({ relativePath, size: body.length, read: async () => body })
const binary = (relativePath: string, bytes: Uint8Array): ImportFile => ({
  relativePath,
  size: bytes.length,
  read: async () => {
    throw new Error('not text')
  },
  readBytes: async () => bytes,
})

const BEACH = new Uint8Array([137, 80, 78, 71, 1, 2, 3])
const PLAN = new Uint8Array([37, 80, 68, 70, 9, 9])
const TRIP = '# Trip\n\n![the beach](attachments/beach.png)\n\nSee [plan.pdf](attachments/plan.pdf) and [the site](https://example.org/).\n'

describe('attachments in import and export', () => {
  it('imports images and linked files next to the Markdown as attachments, and exports them back beside it byte for byte', async () => {
    const ws = new Workspace()
    const summary = await importMarkdown(
      [
        text('V/Trip.md', TRIP),
        text('V/Again.md', '# Again\n\n![beach](attachments/beach.png)\n'),
        text('V/sub/Deep.md', '# Deep\n\n![up](../attachments/beach.png) ![gone](attachments/missing.png)\n'),
        binary('V/attachments/beach.png', BEACH),
        binary('V/attachments/plan.pdf', PLAN),
        binary('V/unused.png', BEACH),
      ],
      ws,
    )
    expect(summary.imported).toHaveLength(3)
    // Only the file no note links to is reported as not imported.
    expect(summary.skipped).toEqual([{ relativePath: 'V/unused.png', reason: 'not a Markdown file (.md or .markdown)' }])
    expect(ws.nodes('Trip')).toEqual([
      { type: 'image', attrs: { hash: sha(BEACH), name: 'beach.png', type: 'image/png', size: 7, width: 4, height: 3, alt: 'the beach' } },
      { type: 'file', attrs: { hash: sha(PLAN), name: 'plan.pdf', type: 'application/pdf', size: 6 } },
    ])
    expect(ws.nodes('Deep').map((n) => n.attrs?.hash)).toEqual([sha(BEACH)]) // the missing one stays a link
    expect(summary.kept.imagesAsLinks).toBe(1)

    const files = await buildExport(ws.source(), { kind: 'all' }, 'md')
    const byPath = new Map(files.map((f) => [f.relativePath, f]))
    expect([...byPath.keys()].sort()).toEqual(['V/Again.md', 'V/Trip.md', 'V/attachments/beach.png', 'V/attachments/plan.pdf', 'V/sub/Deep.md', 'V/sub/attachments/beach.png'])
    // Export writes the title in front matter (it may differ from the first heading), then the body.
    expect(byPath.get('V/Trip.md')!.text).toBe(`---\ntitle: Trip\n---\n\n${TRIP}`)
    expect(byPath.get('V/sub/Deep.md')!.text).toBe('---\ntitle: Deep\n---\n\n# Deep\n\n![up](attachments/beach.png) ![gone](attachments/missing.png)\n')
    expect(sha(byPath.get('V/attachments/beach.png')!.bytes!)).toBe(sha(BEACH))
    expect(sha(byPath.get('V/attachments/plan.pdf')!.bytes!)).toBe(sha(PLAN))

    // And back: the exported tree imports to the same attachments.
    const again = new Workspace()
    await importMarkdown(
      files.map((f) => (f.bytes ? binary(f.relativePath, f.bytes) : text(f.relativePath, f.text))),
      again,
    )
    expect(again.nodes('Trip')).toEqual(ws.nodes('Trip'))
    expect(again.blobs.size).toBe(2)
  })

  it('gives different files with one name distinct names in the export, and one file per hash', async () => {
    const ws = new Workspace()
    const other = new Uint8Array([1, 1, 1])
    await importMarkdown(
      [
        text('N/One.md', '# One\n\n![a](a/photo.png) ![again](a/photo.png)\n'),
        text('N/Two.md', '# Two\n\n![b](b/photo.png)\n'),
        binary('N/a/photo.png', BEACH),
        binary('N/b/photo.png', other),
      ],
      ws,
    )
    const files = await buildExport(ws.source(), { kind: 'all' }, 'md')
    expect(files.filter((f) => f.bytes).map((f) => f.relativePath)).toEqual(['N/attachments/photo.png', 'N/attachments/photo (2).png'])
    expect(files.find((f) => f.relativePath === 'N/Two.md')!.text).toBe('---\ntitle: Two\n---\n\n# Two\n\n![b](attachments/photo%20%282%29.png)\n')
    expect(files.find((f) => f.relativePath === 'N/One.md')!.text).toBe('---\ntitle: One\n---\n\n# One\n\n![a](attachments/photo.png) ![again](attachments/photo.png)\n')
  })

  it('resolves relative links inside the picked folder only', () => {
    expect(resolveRelative('V/sub/Deep.md', '../attachments/x%20y.png')).toBe('V/attachments/x y.png')
    expect(resolveRelative('V/Note.md', './a.pdf')).toBe('V/a.pdf')
    expect(resolveRelative('Note.md', '../outside.png')).toBeNull()
    expect(resolveRelative('V/Note.md', 'https://example.org/a.png')).toBeNull()
    expect(resolveRelative('V/Note.md', '/etc/passwd')).toBeNull()
    expect(resolveRelative('V/Note.md', '#heading')).toBeNull()
  })
})
