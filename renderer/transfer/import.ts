// Imports Markdown files as notes: folders in the files' paths become folders (an existing one
// with the same name under the same parent is reused), front-matter tags become tags, and each
// file's Markdown becomes the note's content. Files that cannot be imported are skipped, each
// with a reason the user can act on. One file at a time, with progress and cancel: a
// cancelled import keeps what it has imported so far.

import type { JSONContent } from '@tiptap/core'
import { parseFrontMatter } from './front-matter'
import { imagesKeptAsLinks, markdownToDoc } from './markdown'
import { baseName, fileName, folderSegments, resolveRelative } from './paths'
import { hasRelativeLinks, markdownLinksToNoteLinks } from '../links/markdown-links'

/** One picked file; `read` resolves to its text, or throws when it is not readable UTF-8 text. */
export interface ImportFile {
  readonly relativePath: string
  readonly size: number
  read(): Promise<string>
  /** Its bytes, for a file a note links to (an image or attachment next to the Markdown). */
  readBytes?(): Promise<Uint8Array>
}

export interface ImportFolder {
  readonly id: string
  readonly name: string
  readonly parentId: string | null
}

/** Where imported notes go: the catalog and the notes' documents (see workspace-transfer.ts). */
export interface ImportTarget {
  folders(): readonly ImportFolder[]
  createFolder(name: string, parentId: string | null): Promise<string>
  createNote(init: { title: string; folderId: string | null; tags: string[] }): Promise<string>
  /** Writes the note's content and resolves once it is saved on this device. */
  writeContent(noteId: string, doc: JSONContent): Promise<void>
  /** Keeps a file the note links to as its attachment; the node that stands for it (image or file). */
  addAttachment?(noteId: string, name: string, bytes: Uint8Array): Promise<JSONContent>
}

export interface Skipped {
  readonly relativePath: string
  readonly reason: string
  /** How many files the entry stands for, when it is a whole folder. */
  readonly files?: number
}

/** How many files were skipped in all (a hidden folder's entry counts its files). */
export const skippedFileCount = (skipped: readonly Skipped[]): number => skipped.reduce((sum, s) => sum + (s.files ?? 1), 0)

export interface ImportSummary {
  readonly imported: { readonly relativePath: string; readonly noteId: string }[]
  readonly skipped: Skipped[]
  readonly foldersCreated: number
  /** Files not looked at because the user cancelled. */
  readonly notReached: number
  readonly cancelled: boolean
  /**
   * Content the editor cannot show yet but keeps visibly, by kind, e.g. images kept as links
   * (export writes them back as they were). Said in the summary, never dropped silently.
   */
  readonly kept: { readonly imagesAsLinks: number }
}

export interface ImportProgress {
  readonly done: number
  readonly total: number
}

export const MAX_IMPORT_FILE_BYTES = 4 * 1024 * 1024

const isHidden = (segment: string): boolean => segment.startsWith('.') && segment !== '.' && segment !== '..'

/** The path of the first hidden folder (`.git`, `.obsidian`) a file is in, with a trailing '/', or null. */
export function hiddenFolderOf(relativePath: string): string | null {
  const segments = relativePath.split(/[/\\]/)
  const at = segments.slice(0, -1).findIndex(isHidden)
  return at < 0 ? null : `${segments.slice(0, at + 1).join('/')}/`
}

/**
 * Files in hidden folders are skipped as one entry per folder: a picked vault's `.git` or
 * `.obsidian` holds thousands of files nobody wants listed one by one.
 */
function withoutHiddenFolders(files: readonly ImportFile[]): { files: ImportFile[]; skipped: Skipped[] } {
  const counts = new Map<string, number>()
  const kept: ImportFile[] = []
  for (const file of files) {
    const folder = hiddenFolderOf(file.relativePath)
    if (folder === null) kept.push(file)
    else counts.set(folder, (counts.get(folder) ?? 0) + 1)
  }
  const skipped = [...counts].map(([relativePath, n]) => ({ relativePath, reason: `hidden folder (${n} file${n === 1 ? '' : 's'})`, files: n }))
  return { files: kept, skipped }
}

/** Why a file is not imported before reading it, or null when it should be read. */
export function skipReasonBeforeReading(file: Pick<ImportFile, 'relativePath' | 'size'>): string | null {
  if (isHidden(fileName(file.relativePath))) return 'hidden file'
  if (!/\.(?:md|markdown)$/i.test(fileName(file.relativePath))) return 'not a Markdown file (.md or .markdown)'
  if (file.size > MAX_IMPORT_FILE_BYTES) return `larger than ${MAX_IMPORT_FILE_BYTES / 1024 / 1024} MB`
  if (file.size === 0) return 'empty file'
  return null
}

/** Why a file's text is not imported, or null when it is fine. */
export function skipReasonOfText(text: string): string | null {
  if (text.includes('\u0000')) return 'binary content, not text'
  if (text.trim() === '') return 'empty file'
  return null
}

const isImageText = (node: JSONContent): boolean => node.marks?.some((m) => m.type === 'link' && typeof m.attrs?.image === 'string') === true

/** Plain text of the first heading in a document, if any; badges (images) in it are not part of a title. */
function firstHeading(doc: JSONContent): string | null {
  const heading = doc.content?.find((node) => node.type === 'heading')
  const text = (heading?.content ?? [])
    .filter((node) => !isImageText(node))
    .map((node) => node.text ?? '')
    .join('')
    .replace(/\s+/g, ' ')
    .trim()
  return text === '' ? null : text
}

/**
 * The note's title: front-matter title (as written: export quotes a title whose spaces matter),
 * else the first heading, else the file name.
 */
export function titleFor(relativePath: string, frontMatterTitle: string | null, doc: JSONContent): string {
  if (frontMatterTitle !== null && frontMatterTitle.trim() !== '') return frontMatterTitle
  return firstHeading(doc) || baseName(relativePath)
}

/** Sorted so a folder's notes are created together, in a stable order. */
const byPath = (a: ImportFile, b: ImportFile): number => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0)

export async function importMarkdown(
  files: readonly ImportFile[],
  target: ImportTarget,
  options: { signal?: AbortSignal; onProgress?(progress: ImportProgress): void; skipped?: readonly Skipped[] } = {},
): Promise<ImportSummary> {
  const imported: ImportSummary['imported'] = []
  const visible = withoutHiddenFolders(files)
  const skipped: Skipped[] = [...(options.skipped ?? []), ...visible.skipped]
  const sorted = visible.files.sort(byPath)
  const folderIds = new Map<string, string>() // parentId + name → id
  const folderKey = (parentId: string | null, name: string): string => `${parentId ?? ''}\u0000${name}`
  for (const folder of target.folders()) if (!folderIds.has(folderKey(folder.parentId, folder.name))) folderIds.set(folderKey(folder.parentId, folder.name), folder.id)
  let foldersCreated = 0
  const kept = { imagesAsLinks: 0 }

  const folderFor = async (relativePath: string): Promise<string | null> => {
    let parentId: string | null = null
    for (const name of folderSegments(relativePath).map((s) => s.trim())) {
      if (name === '') continue
      const key = folderKey(parentId, name)
      let id = folderIds.get(key)
      if (id === undefined) {
        id = await target.createFolder(name, parentId)
        folderIds.set(key, id)
        foldersCreated++
      }
      parentId = id
    }
    return parentId
  }

  /** Imported notes with links that may point at other imported files: linked once all are in. */
  const withLinks: { noteId: string; relativePath: string; doc: JSONContent }[] = []
  // Files a note links to by a relative path become its attachments (and are not "skipped").
  const filesByPath = new Map(sorted.map((f) => [f.relativePath.split(/[/\\]/).filter((s) => s !== '' && s !== '.').join('/'), f]))
  const attached = new Set<string>()
  const markdownFiles = sorted.filter((f) => skipReasonBeforeReading(f) === null)
  const notMarkdown = sorted.filter((f) => skipReasonBeforeReading(f) !== null)
  let done = 0
  const total = markdownFiles.length
  options.onProgress?.({ done, total })
  for (const file of markdownFiles) {
    if (options.signal?.aborted) break
    const reason = await importOne(file)
    if (reason !== null) skipped.push({ relativePath: file.relativePath, reason })
    done++ // not inside the optional call below: `?.` would skip it when there is no listener
    options.onProgress?.({ done, total })
  }
  for (const file of notMarkdown) if (!attached.has(file.relativePath)) skipped.push({ relativePath: file.relativePath, reason: skipReasonBeforeReading(file)! })
  // Relative links between imported files become note links (export writes them that way).
  const noteAt = new Map(imported.map((i) => [i.relativePath.replace(/\\/g, '/'), i.noteId]))
  for (const { noteId, relativePath, doc } of withLinks) {
    const linked = markdownLinksToNoteLinks(doc, relativePath.replace(/\\/g, '/'), (path) => noteAt.get(path))
    if (JSON.stringify(linked) !== JSON.stringify(doc)) await target.writeContent(noteId, linked).catch((err: unknown) => console.warn('skein: could not link an imported note', err))
  }
  return { imported, skipped, foldersCreated, notReached: total - done, cancelled: done < total, kept }

  /** The file a link in `from` points to, when it is one of the picked files that is not Markdown. */
  function linkedFile(from: string, href: unknown): ImportFile | null {
    if (typeof href !== 'string') return null
    const path = resolveRelative(from, href)
    const target = path === null ? undefined : filesByPath.get(path)
    return target?.readBytes && !/\.(?:md|markdown)$/i.test(target.relativePath) ? target : null
  }

  /** The document with images and links to picked files replaced by attachment nodes. */
  async function withAttachments(doc: JSONContent, from: string, noteId: string): Promise<JSONContent> {
    if (!target.addAttachment) return doc
    const visit = async (node: JSONContent): Promise<JSONContent> => {
      const link = node.type === 'text' ? node.marks?.find((m) => m.type === 'link') : undefined
      if (link) {
        const image = link.attrs?.image
        const linked = linkedFile(from, typeof image === 'string' ? image : link.attrs?.href)
        // A badge (an image inside a link elsewhere) stays as it is: the node cannot carry both.
        if (linked && (typeof image !== 'string' || image === link.attrs?.href)) {
          const bytes = await linked.readBytes!()
          const replaced = await target.addAttachment!(noteId, fileName(linked.relativePath), bytes)
          attached.add(linked.relativePath)
          return replaced.type === 'image' && typeof image === 'string' ? { ...replaced, attrs: { ...replaced.attrs, alt: node.text ?? '' } } : replaced
        }
      }
      if (!node.content) return node
      const content: JSONContent[] = []
      for (const child of node.content) content.push(await visit(child))
      return { ...node, content }
    }
    return visit(doc)
  }

  /** Imports one file; the reason it was skipped, or null. */
  async function importOne(file: ImportFile): Promise<string | null> {
    const early = skipReasonBeforeReading(file)
    if (early !== null) return early
    let text: string
    try {
      text = await file.read()
    } catch {
      return 'could not be read as UTF-8 text'
    }
    const bad = skipReasonOfText(text)
    if (bad !== null) return bad
    const { title, tags, body } = parseFrontMatter(text)
    let doc: JSONContent
    try {
      doc = markdownToDoc(body)
    } catch (err) {
      return `could not be converted: ${err instanceof Error ? err.message : String(err)}`
    }
    try {
      const folderId = await folderFor(file.relativePath)
      const noteId = await target.createNote({ title: titleFor(file.relativePath, title, doc), folderId, tags })
      doc = await withAttachments(doc, file.relativePath, noteId)
      await target.writeContent(noteId, doc)
      imported.push({ relativePath: file.relativePath, noteId })
      if (hasRelativeLinks(doc)) withLinks.push({ noteId, relativePath: file.relativePath, doc })
      kept.imagesAsLinks += imagesKeptAsLinks(doc)
      return null
    } catch (err) {
      return `could not be saved: ${err instanceof Error ? err.message : String(err)}`
    }
  }
}
