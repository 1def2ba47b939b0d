// Connects import and export to the app: the catalog and the notes' documents on one side, the
// platform (desktop dialogs, or browser file inputs and downloads) on the other.

import type { JSONContent } from '@tiptap/core'
import { strToU8, zipSync } from 'fflate'
import { noteRoom } from '../../protocol/rooms'
import { displayTitle, folderItems, notesFor } from '../catalog/selectors'
import { NotAvailableInBrowser, downloadBlob, pickImport, saveExport, type ImportKind } from '../platform'
import type { DocHandle } from '../sync/doc-registry'
import type { Workspace } from '../workspace'
import type { ExportFormat, ExportSource, ExportedFile } from './export'
import type { ImportFile, ImportTarget, Skipped } from './import'
import { readNoteContent, writeNoteContent } from './note-content'
import { noteSchema } from './schema'
import { typeOfName } from '../attachments/file-types'
import { nodeForFile } from '../editor/attachment-runtime'

/** Resolves once everything written to the doc so far is committed to IndexedDB. */
function savedLocally(handle: DocHandle): Promise<void> {
  return new Promise((resolve) => {
    if (handle.localSave.get() === 'saved') return resolve()
    const stop = handle.localSave.subscribe(() => {
      if (handle.localSave.get() !== 'saved') return
      stop()
      resolve()
    })
  })
}

/** A workspace as import needs it; without attachments, files next to the Markdown are not read. */
type ImportWorkspace = Omit<Workspace, 'attachments'> & { readonly attachments?: Workspace['attachments'] }

export function importTargetOf({ catalog, registry, attachments }: ImportWorkspace): ImportTarget {
  return {
    addAttachment: attachments
      ? (noteId, name, bytes) => nodeForFile(attachments, noteId, new File([bytes as Uint8Array<ArrayBuffer>], name, { type: typeOfName(name) }))
      : undefined,
    folders: () => folderItems(catalog.getSnapshot()).map(({ folder }) => ({ id: folder.id, name: folder.name, parentId: folder.parentId })),
    createFolder: (name, parentId) => catalog.createFolder(name, parentId),
    createNote: (init) => catalog.createNote(init),
    async writeContent(noteId: string, doc: JSONContent) {
      const handle = registry.get(noteRoom(noteId))
      registry.retain(handle)
      try {
        await handle.whenLoaded
        writeNoteContent(handle.doc, doc)
        // Saved here and marked as not yet on the relay, so background sync sends it even if this
        // handle closes before its connection has sent anything.
        await Promise.all([savedLocally(handle), handle.whenMarked()])
      } finally {
        registry.release(handle)
      }
    },
  }
}

export function exportSourceOf({ catalog, registry, attachments }: Workspace): ExportSource {
  const snapshot = catalog.getSnapshot()
  return {
    folders: folderItems(snapshot).map(({ folder }) => ({ id: folder.id, name: folder.name, parentId: folder.parentId })),
    notes: notesFor(snapshot, { kind: 'all' }).map(({ note }) => ({ id: note.id, title: displayTitle(note), folderId: note.folderId, tags: note.tags })),
    // No copy on this device (never opened, not synced yet): exported empty rather than failing.
    readContent: async (id) => (await registry.withLocalContent(noteRoom(id), readNoteContent)) ?? noteSchema().nodeFromJSON({ type: 'doc', content: [{ type: 'paragraph' }] }),
    // Not on this device and not to be had now (offline): the note links to a file that is not there.
    readAttachment: (info, noteId) => attachments.blob(info, noteId).then(async (blob) => new Uint8Array(await blob.arrayBuffer()), () => null),
  }
}

/** Files from `<input type=file>` (with `webkitdirectory`, each has its path in the folder). */
export function browserImportFiles(files: Iterable<File>): ImportFile[] {
  return [...files].map((file) => ({
    relativePath: file.webkitRelativePath || file.name,
    size: file.size,
    // fatal: a file that is not valid UTF-8 is reported, not imported as mojibake.
    read: async () => new TextDecoder('utf-8', { fatal: true }).decode(await file.arrayBuffer()),
    readBytes: async () => new Uint8Array(await file.arrayBuffer()),
  }))
}

/**
 * Asks the desktop shell for files or a folder. Null when the user cancelled; 'browser' when
 * there is no desktop shell (use file inputs instead).
 */
export async function pickDesktopImport(kind: ImportKind): Promise<{ files: ImportFile[]; skipped: Skipped[] } | null | 'browser'> {
  let result
  try {
    result = await pickImport(kind)
  } catch (err) {
    if (err instanceof NotAvailableInBrowser) return 'browser'
    throw err
  }
  if (!result) return null
  return {
    files: result.files.map(({ name, text }) => ({ relativePath: name, size: new TextEncoder().encode(text).length, read: () => Promise.resolve(text) })),
    skipped: result.skipped.map(({ name, reason }) => ({ relativePath: name, reason })),
  }
}


/** Zips the files (paths as folders inside the archive). */
export function zipFiles(files: readonly ExportedFile[]): Uint8Array {
  return zipSync(Object.fromEntries(files.map((f) => [f.relativePath, f.bytes ?? strToU8(f.text)])))
}

/**
 * Hands the files to the user: on the desktop (Markdown) into a folder they pick; in the browser
 * as one file, or a .zip of the tree when there are several. Returns what happened, for display.
 */
export async function deliverExport(files: readonly ExportedFile[], format: ExportFormat, archiveName: string): Promise<string> {
  if (files.length === 0) return 'Nothing to export: there are no notes here.'
  // The desktop shell writes Markdown files only; an export with attachments is one .zip.
  if (format === 'md' && !files.some((f) => f.bytes)) {
    try {
      const result = await saveExport([...files])
      return result ? `Saved ${result.written.length} file${result.written.length === 1 ? '' : 's'} to ${result.folder}.` : 'Export cancelled.'
    } catch (err) {
      if (!(err instanceof NotAvailableInBrowser)) throw err
    }
  }
  if (files.length === 1) {
    const [file] = files
    const name = file!.relativePath.split('/').pop()!
    downloadBlob(name, new Blob([file!.text], { type: format === 'md' ? 'text/markdown;charset=utf-8' : 'text/html;charset=utf-8' }))
    return `Downloaded ${name}.`
  }
  const name = `${archiveName}.zip`
  downloadBlob(name, new Blob([zipFiles(files) as Uint8Array<ArrayBuffer>], { type: 'application/zip' }))
  return `Downloaded ${name} with ${files.length} files.`
}
