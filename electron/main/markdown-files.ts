// The file side of Markdown import and export: native dialogs, reading the chosen files or
// folder, and writing an export into a chosen folder. What to do with the Markdown itself
// belongs to the renderer. The renderer never names a path on disk: it only receives file
// names relative to what the user picked, and names relative paths inside the folder the user
// picks for an export, each checked to stay inside it.
import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { BrowserWindow, Dialog, OpenDialogOptions } from 'electron'
import { IPC_CHANNELS, MAX_MARKDOWN_FILE_BYTES, MAX_MARKDOWN_FILES } from '../ipc-contract.js'
import type { ExportFile, ExportResult, ImportKind, ImportResult } from '../ipc-contract.js'
import { errorCode } from './atomic-file.js'

const MARKDOWN_EXTENSIONS = new Set(['.md', '.markdown'])
export const MAX_IMPORT_TOTAL_BYTES = 64 * 1024 * 1024
const MAX_DEPTH = 16

export interface ImportLimits {
  maxFiles: number
  maxFileBytes: number
  maxTotalBytes: number
}

export const IMPORT_LIMITS: ImportLimits = {
  maxFiles: MAX_MARKDOWN_FILES,
  maxFileBytes: MAX_MARKDOWN_FILE_BYTES,
  maxTotalBytes: MAX_IMPORT_TOTAL_BYTES,
}

type Collected = NonNullable<ImportResult>

export function isMarkdownName(name: string): boolean {
  return MARKDOWN_EXTENSIONS.has(path.extname(name).toLowerCase())
}

/**
 * Reads the Markdown files among `picked`: files as themselves (named by their base name), and
 * folders recursively (named by their path inside the folder, with '/'). Hidden entries
 * (.git, .obsidian, …) and symbolic links are not followed; files over the size limit and
 * anything past the count or total limits are listed as skipped, with the reason.
 */
export async function collectMarkdown(picked: readonly string[], limits: ImportLimits = IMPORT_LIMITS): Promise<Collected> {
  const result: Collected = { files: [], skipped: [] }
  let total = 0
  const readOne = async (file: string, name: string): Promise<void> => {
    const info = await lstat(file)
    if (!info.isFile()) return
    if (result.files.length >= limits.maxFiles) return void result.skipped.push({ name, reason: 'too many files' })
    if (info.size > limits.maxFileBytes) return void result.skipped.push({ name, reason: 'file too large' })
    if (total + info.size > limits.maxTotalBytes) return void result.skipped.push({ name, reason: 'import too large' })
    const text = await readFile(file, 'utf8')
    total += info.size
    result.files.push({ name, text })
  }
  const walk = async (dir: string, prefix: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) return void result.skipped.push({ name: prefix || '.', reason: 'folder too deep' })
    const entries = await readdir(dir, { withFileTypes: true })
    entries.sort((a, b) => a.name.localeCompare(b.name))
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.isSymbolicLink()) continue
      const name = prefix === '' ? entry.name : `${prefix}/${entry.name}`
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) await walk(full, name, depth + 1)
      else if (entry.isFile() && isMarkdownName(entry.name)) await readOne(full, name)
    }
  }
  for (const item of picked) {
    const info = await lstat(item)
    if (info.isDirectory()) await walk(item, '', 0)
    else if (info.isFile() && isMarkdownName(item)) await readOne(item, path.basename(item))
  }
  return result
}

// Characters Windows refuses in file names, plus control characters (portable exports).
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const ILLEGAL_NAME_CHARS = /[<>:"|?*\\\x00-\x1f]/
const WINDOWS_RESERVED = /^(?:con|prn|aux|nul|com\d|lpt\d)(?:\..*)?$/i

/**
 * Where `relativePath` (segments separated by '/') lands inside `folder`, or an error naming
 * the problem. Refuses absolute paths, empty / '.' / '..' segments, backslashes, drive letters,
 * characters or names some platform forbids, segments ending in a dot or space, and anything
 * that is not a .md/.markdown file; the result must lie inside `folder`.
 */
export function exportTarget(folder: string, relativePath: string): string {
  const segments = relativePath.split('/')
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') throw new Error(`bad path segment in "${relativePath}"`)
    if (ILLEGAL_NAME_CHARS.test(segment) || WINDOWS_RESERVED.test(segment) || /[. ]$/.test(segment)) {
      throw new Error(`illegal file name in "${relativePath}"`)
    }
  }
  if (!isMarkdownName(relativePath)) throw new Error(`not a Markdown file name: "${relativePath}"`)
  const target = path.resolve(folder, ...segments)
  const relative = path.relative(path.resolve(folder), target)
  if (relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
    throw new Error(`"${relativePath}" leaves the export folder`)
  }
  return target
}

/** `name.md` → `name (2).md`, `name (3).md`, … */
function numbered(file: string, n: number): string {
  const ext = path.extname(file)
  return `${file.slice(0, file.length - ext.length)} (${n})${ext}`
}

/**
 * Writes the files into `folder`, creating subfolders. Every path is checked before anything
 * is written. Existing files are never overwritten: a clash gets a numbered name. Returns the
 * relative names actually written.
 */
export async function writeExport(folder: string, files: readonly ExportFile[]): Promise<string[]> {
  const targets = files.map((file) => ({ target: exportTarget(folder, file.relativePath), file }))
  const written: string[] = []
  for (const { target, file } of targets) {
    await mkdir(path.dirname(target), { recursive: true })
    for (let n = 1; ; n += 1) {
      const candidate = n === 1 ? target : numbered(target, n)
      try {
        await writeFile(candidate, file.text, { encoding: 'utf8', flag: 'wx' })
        written.push(path.relative(folder, candidate).split(path.sep).join('/'))
        break
      } catch (error) {
        if (errorCode(error) !== 'EEXIST' || n >= 1000) throw error
      }
    }
  }
  return written
}

export function importDialogOptions(kind: ImportKind): OpenDialogOptions {
  return kind === 'folder'
    ? { title: 'Import a Folder of Markdown', properties: ['openDirectory'] }
    : {
        title: 'Import Markdown Files',
        properties: ['openFile', 'multiSelections'],
        filters: [{ name: 'Markdown', extensions: ['md', 'markdown'] }],
      }
}

export const EXPORT_DIALOG_OPTIONS: OpenDialogOptions = {
  title: 'Export Markdown to a Folder',
  buttonLabel: 'Export Here',
  properties: ['openDirectory', 'createDirectory', 'promptToCreate'],
}

type OpenDialog = Pick<Dialog, 'showOpenDialog'>

export function markdownIpcHandlers(
  dialog: OpenDialog,
  getWindow: () => BrowserWindow | null,
): {
  [IPC_CHANNELS.pickImport]: (kind: ImportKind) => Promise<ImportResult>
  [IPC_CHANNELS.saveExport]: (files: ExportFile[]) => Promise<ExportResult>
} {
  const open = (options: OpenDialogOptions) => {
    const win = getWindow()
    return win ? dialog.showOpenDialog(win, options) : dialog.showOpenDialog(options)
  }
  return {
    [IPC_CHANNELS.pickImport]: async (kind) => {
      const { canceled, filePaths } = await open(importDialogOptions(kind))
      return canceled || filePaths.length === 0 ? null : collectMarkdown(filePaths)
    },
    [IPC_CHANNELS.saveExport]: async (files) => {
      // Check the names before asking the user for a folder.
      for (const file of files) exportTarget(path.resolve('/'), file.relativePath)
      const { canceled, filePaths } = await open(EXPORT_DIALOG_OPTIONS)
      const folder = filePaths[0]
      if (canceled || folder === undefined) return null
      return { folder, written: await writeExport(folder, files) }
    },
  }
}
