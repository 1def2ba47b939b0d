// Builds the files of an export: one note, a folder (with its subfolders) or everything, as
// Markdown or HTML, laid out as a folder tree named after the folders. Trashed notes are left
// out. Names are made safe for file systems and unique within each folder.

import type { Node as PMNode } from '@tiptap/pm/model'
import { attachmentOf, type AttachmentInfo } from '../attachments/in-doc'
import { formatFrontMatter } from './front-matter'
import { htmlPage } from './html'
import { docToMarkdown } from './markdown'
import { NameAllocator, safeName } from './paths'
import { noteLinksToMarkdownLinks, relativeHref } from '../links/markdown-links'
import { UNTITLED } from '../notes/title'

export type ExportFormat = 'md' | 'html'
export type ExportScope = { kind: 'note'; id: string } | { kind: 'folder'; id: string } | { kind: 'all' }

export interface ExportNote {
  readonly id: string
  readonly title: string
  readonly folderId: string | null
  readonly tags: readonly string[]
}

export interface ExportFolderInfo {
  readonly id: string
  readonly name: string
  readonly parentId: string | null
}

export interface ExportSource {
  /** Live folders and live, untrashed notes. */
  readonly folders: readonly ExportFolderInfo[]
  readonly notes: readonly ExportNote[]
  readContent(noteId: string): Promise<PMNode>
  /** An attachment's bytes (null: not on this device, and not to be had now). Without it, links only. */
  readAttachment?(info: AttachmentInfo, noteId: string): Promise<Uint8Array | null>
}

export interface ExportedFile {
  readonly relativePath: string
  /** The note's Markdown or HTML ('' for an attachment). */
  readonly text: string
  /** An attachment's bytes, written as they are. */
  readonly bytes?: Uint8Array
}

/** Where each note of an export is written, for the links between them. */
export interface ExportLinks {
  readonly titleOf: (id: string) => string
  /** The note's file, relative to the export's root; null when it is not exported. */
  readonly pathOf: (id: string) => string | null
  /** The file being written. */
  readonly from: string
}

/**
 * One note's file content in `format`: note links become links to the linked notes' files, and
 * Markdown links attachments to `paths(attrs)`.
 */
export function noteFile(note: ExportNote, doc: PMNode, format: ExportFormat, links?: ExportLinks, paths?: (attrs: Record<string, unknown>) => string): string {
  if (links) {
    const hrefOf = (id: string): string | null => {
      const path = links.pathOf(id)
      return path === null ? null : relativeHref(links.from, path)
    }
    doc = doc.type.schema.nodeFromJSON(noteLinksToMarkdownLinks(doc.toJSON(), links.titleOf, hrefOf))
  }
  if (format === 'html') return htmlPage(note.title, doc, note.tags)
  return `${formatFrontMatter(note.title, note.tags)}${docToMarkdown(doc.toJSON(), paths)}\n`
}

/**
 * The attachments of the notes of one folder of the export, in its `attachments/` subfolder:
 * one file per hash, names made safe and unique (`photo.png`, `photo (2).png`).
 */
class AttachmentFolder {
  private readonly names = new NameAllocator()
  readonly byHash = new Map<string, { name: string; info: AttachmentInfo; noteId: string }>()

  constructor(readonly dir: string) {}

  nameOf(info: AttachmentInfo, noteId: string): string {
    const known = this.byHash.get(info.hash)
    if (known) return known.name
    const dot = info.name.lastIndexOf('.')
    const [stem, extension] = dot > 0 ? [info.name.slice(0, dot), info.name.slice(dot)] : [info.name, '']
    const name = this.names.take(safeName(stem, 'file'), extension ? `.${safeName(extension.slice(1), 'bin')}` : '')
    this.byHash.set(info.hash, { name, info, noteId })
    return name
  }
}

export const ATTACHMENTS_FOLDER = 'attachments'

/** How many notes are read from IndexedDB at once: overlaps the waits without flooding it. */
const PARALLEL_READS = 4

export interface ExportOptions {
  signal?: AbortSignal
  onProgress?(progress: { done: number; total: number }): void
}

/**
 * The files to write. A folder scope puts the folder itself at the top of the tree, so an export
 * of "Work" unpacks as Work/…; everything starts at the top level. A note whose folder is gone
 * counts as top level (as the notes list shows it). Paths are planned first, then the notes are
 * read (a few at a time), so the file order and names never depend on read timing.
 */
export async function buildExport(source: ExportSource, scope: ExportScope, format: ExportFormat, options: ExportOptions = {}): Promise<ExportedFile[]> {
  const extension = format === 'md' ? '.md' : '.html'
  const live = new Set(source.folders.map((f) => f.id))
  const parentOf = (folderId: string | null): string | null => (folderId !== null && live.has(folderId) ? folderId : null)
  const childFolders = (parentId: string | null): ExportFolderInfo[] =>
    source.folders.filter((f) => parentOf(f.parentId) === parentId && f.id !== parentId).sort((a, b) => a.name.localeCompare(b.name))
  const notesIn = (folderId: string | null): ExportNote[] =>
    source.notes.filter((n) => parentOf(n.folderId) === folderId).sort((a, b) => a.title.localeCompare(b.title) || a.id.localeCompare(b.id))

  const planned: { note: ExportNote; relativePath: string }[] = []
  const addNote = (note: ExportNote, dir: string, names: NameAllocator): void => {
    planned.push({ note, relativePath: dir + names.take(safeName(note.title), extension) })
  }
  const seen = new Set<string>() // a folder cycle (possible mid-sync) must not loop forever
  const addFolder = (folderId: string | null, dir: string): void => {
    if (folderId !== null) {
      if (seen.has(folderId)) return
      seen.add(folderId)
    }
    // Files and subfolders share one namespace per folder, as on disk.
    const names = new NameAllocator()
    for (const note of notesIn(folderId)) addNote(note, dir, names)
    for (const folder of childFolders(folderId)) addFolder(folder.id, `${dir}${names.take(safeName(folder.name, 'Folder'))}/`)
  }

  if (scope.kind === 'note') {
    const note = source.notes.find((n) => n.id === scope.id)
    if (note) addNote(note, '', new NameAllocator())
  } else if (scope.kind === 'folder') {
    const folder = source.folders.find((f) => f.id === scope.id)
    if (folder) addFolder(folder.id, `${safeName(folder.name, 'Folder')}/`)
  } else {
    addFolder(null, '')
  }

  const notePaths = new Map(planned.map(({ note, relativePath }) => [note.id, relativePath]))
  const titles = new Map(source.notes.map((n) => [n.id, n.title || UNTITLED]))
  const titleOf = (id: string): string => titles.get(id) ?? 'Note not found'
  const docs: PMNode[] = new Array<PMNode>(planned.length)
  let next = 0
  let done = 0
  options.onProgress?.({ done, total: planned.length })
  const worker = async (): Promise<void> => {
    while (next < planned.length) {
      options.signal?.throwIfAborted()
      const index = next++
      docs[index] = await source.readContent(planned[index]!.note.id)
      done++
      options.onProgress?.({ done, total: planned.length })
    }
  }
  await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, planned.length) }, worker))
  options.signal?.throwIfAborted()
  // Written in planned order, so attachment names never depend on read timing.
  const folders = new Map<string, AttachmentFolder>()
  const files: ExportedFile[] = planned.map(({ note, relativePath }, index) => {
    const dir = relativePath.slice(0, relativePath.lastIndexOf('/') + 1)
    const paths = (attrs: Record<string, unknown>): string => {
      const info = attachmentOf(attrs)
      if (!info || format !== 'md' || !source.readAttachment) return `${ATTACHMENTS_FOLDER}/${safeName(String(attrs.name ?? 'file'), 'file')}`
      let folder = folders.get(dir)
      if (!folder) folders.set(dir, (folder = new AttachmentFolder(dir)))
      return `${ATTACHMENTS_FOLDER}/${folder.nameOf(info, note.id)}`
    }
    const links = { titleOf, pathOf: (id: string) => notePaths.get(id) ?? null, from: relativePath }
    return { relativePath, text: noteFile(note, docs[index]!, format, links, paths) }
  })
  for (const folder of folders.values()) {
    for (const { name, info, noteId } of folder.byHash.values()) {
      options.signal?.throwIfAborted()
      const bytes = await source.readAttachment!(info, noteId)
      if (bytes) files.push({ relativePath: `${folder.dir}${ATTACHMENTS_FOLDER}/${name}`, text: '', bytes })
    }
  }
  return files
}
