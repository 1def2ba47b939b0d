import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { IPC_CHANNELS } from '../../../electron/ipc-contract.js'
import { collectMarkdown, exportTarget, markdownIpcHandlers, writeExport } from '../../../electron/main/markdown-files.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'skein-md-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function put(relative: string, text: string): Promise<string> {
  const file = path.join(dir, ...relative.split('/'))
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, text)
  return file
}

describe('collectMarkdown', () => {
  it('reads a folder recursively: .md and .markdown only, named by their path inside it', async () => {
    await put('notes/a.md', '# A')
    await put('notes/sub/b.MARKDOWN', '# B')
    await put('notes/sub/deeper/c.md', '# C')
    await put('notes/image.png', 'png')
    await put('notes/readme.txt', 'txt')
    const result = await collectMarkdown([path.join(dir, 'notes')])
    expect(result.files).toEqual([
      { name: 'a.md', text: '# A' },
      { name: 'sub/b.MARKDOWN', text: '# B' },
      { name: 'sub/deeper/c.md', text: '# C' },
    ])
    expect(result.skipped).toEqual([])
  })

  it('skips hidden folders and does not follow symbolic links', async () => {
    await put('notes/.obsidian/workspace.md', 'hidden')
    await put('outside/secret.md', 'secret')
    await put('notes/ok.md', 'ok')
    await symlink(path.join(dir, 'outside'), path.join(dir, 'notes', 'linked'))
    await symlink(path.join(dir, 'outside', 'secret.md'), path.join(dir, 'notes', 'link.md'))
    const result = await collectMarkdown([path.join(dir, 'notes')])
    expect(result.files.map((f) => f.name)).toEqual(['ok.md'])
  })

  it('takes picked files by their base name, ignoring non-Markdown picks', async () => {
    const a = await put('x/a.md', 'A')
    const b = await put('y/b.txt', 'B')
    expect(await collectMarkdown([a, b])).toEqual({ files: [{ name: 'a.md', text: 'A' }], skipped: [] })
  })

  it('lists files over the size, count or total limits as skipped', async () => {
    await put('n/1.md', 'x'.repeat(10))
    await put('n/2.md', 'x'.repeat(100))
    await put('n/3.md', 'x'.repeat(10))
    await put('n/4.md', 'x'.repeat(10))
    await put('n/5.md', 'x'.repeat(10))
    const result = await collectMarkdown([path.join(dir, 'n')], { maxFiles: 3, maxFileBytes: 50, maxTotalBytes: 25 })
    expect(result.files.map((f) => f.name)).toEqual(['1.md', '3.md'])
    expect(result.skipped).toEqual([
      { name: '2.md', reason: 'file too large' },
      { name: '4.md', reason: 'import too large' },
      { name: '5.md', reason: 'import too large' },
    ])
  })
})

describe('exportTarget', () => {
  it('places a relative path inside the folder', () => {
    expect(exportTarget(dir, 'Work/Plan.md')).toBe(path.join(dir, 'Work', 'Plan.md'))
  })

  it.each([
    ['a parent segment', '../escape.md'],
    ['a nested parent segment', 'a/../../escape.md'],
    ['a dot segment', './a.md'],
    ['an absolute path', '/etc/cron.d/x.md'],
    ['an empty segment', 'a//b.md'],
    ['a backslash', '..\\escape.md'],
    ['a drive letter', 'C:/x.md'],
    ['a NUL', 'a\0.md'],
    ['a Windows device name', 'con.md'],
    ['a trailing dot', 'a./b.md'],
    ['a non-Markdown file', 'run.sh'],
    ['no extension', 'notes'],
  ])('refuses %s', (_name, relative) => {
    expect(() => exportTarget(dir, relative)).toThrow()
  })

  it('accepts names that merely start with dots', () => {
    expect(exportTarget(dir, '..hidden-ish.md')).toBe(path.join(dir, '..hidden-ish.md'))
  })
})

describe('writeExport', () => {
  it('writes files and folders, and never overwrites an existing file', async () => {
    await put('out/a.md', 'old')
    const out = path.join(dir, 'out')
    const written = await writeExport(out, [
      { relativePath: 'a.md', text: 'new' },
      { relativePath: 'sub/b.md', text: 'B' },
    ])
    expect(written).toEqual(['a (2).md', 'sub/b.md'])
    expect(await readFile(path.join(out, 'a.md'), 'utf8')).toBe('old')
    expect(await readFile(path.join(out, 'a (2).md'), 'utf8')).toBe('new')
    expect(await readFile(path.join(out, 'sub', 'b.md'), 'utf8')).toBe('B')
  })

  it('writes nothing when any path is bad', async () => {
    const out = path.join(dir, 'out')
    await mkdir(out)
    await expect(writeExport(out, [{ relativePath: 'ok.md', text: '' }, { relativePath: '../bad.md', text: '' }])).rejects.toThrow()
    expect(await readdir(out)).toEqual([])
    expect(await readdir(dir)).toEqual(['out'])
  })
})

describe('markdown IPC handlers', () => {
  const dialogReturning = (result: { canceled: boolean; filePaths: string[] }, asked: unknown[] = []) => ({
    showOpenDialog: async (...args: unknown[]) => {
      asked.push(args.at(-1))
      return result
    },
  })

  it('gives null when the user cancels', async () => {
    const handlers = markdownIpcHandlers(dialogReturning({ canceled: true, filePaths: [] }) as never, () => null)
    expect(await handlers[IPC_CHANNELS.pickImport]('folder')).toBeNull()
    expect(await handlers[IPC_CHANNELS.saveExport]([{ relativePath: 'a.md', text: '' }])).toBeNull()
  })

  it('imports from the picked folder and exports into the picked folder', async () => {
    await put('in/a.md', 'A')
    const asked: unknown[] = []
    const importing = markdownIpcHandlers(dialogReturning({ canceled: false, filePaths: [path.join(dir, 'in')] }, asked) as never, () => null)
    expect(await importing[IPC_CHANNELS.pickImport]('folder')).toEqual({ files: [{ name: 'a.md', text: 'A' }], skipped: [] })
    expect(asked[0]).toMatchObject({ properties: ['openDirectory'] })
    await mkdir(path.join(dir, 'out'))
    const exporting = markdownIpcHandlers(dialogReturning({ canceled: false, filePaths: [path.join(dir, 'out')] }) as never, () => null)
    expect(await exporting[IPC_CHANNELS.saveExport]([{ relativePath: 'b.md', text: 'B' }])).toEqual({
      folder: path.join(dir, 'out'),
      written: ['b.md'],
    })
  })

  it('refuses a bad export path before showing any dialog', async () => {
    const asked: unknown[] = []
    const handlers = markdownIpcHandlers(dialogReturning({ canceled: false, filePaths: [dir] }, asked) as never, () => null)
    await expect(handlers[IPC_CHANNELS.saveExport]([{ relativePath: '../../x.md', text: '' }])).rejects.toThrow()
    expect(asked).toEqual([])
  })
})
