// An in-memory workspace for import and export tests: folders, notes and each note's Y.Doc.

import * as Y from 'yjs'
import type { JSONContent } from '@tiptap/core'
import type { ExportSource } from '../../renderer/transfer/export'
import type { ImportFolder, ImportTarget } from '../../renderer/transfer/import'
import { readNoteContent, writeNoteContent } from '../../renderer/transfer/note-content'

/** An in-memory workspace: folders, notes and each note's Y.Doc. */
export class FakeWorkspace implements ImportTarget {
  readonly folderList: ImportFolder[] = []
  readonly notes: { id: string; title: string; folderId: string | null; tags: string[] }[] = []
  readonly docs = new Map<string, Y.Doc>()
  private next = 0

  folders = (): ImportFolder[] => [...this.folderList]
  createFolder = async (name: string, parentId: string | null): Promise<string> => {
    const id = `f${++this.next}`
    this.folderList.push({ id, name, parentId })
    return id
  }
  createNote = async (init: { title: string; folderId: string | null; tags: string[] }): Promise<string> => {
    const id = `n${++this.next}`
    this.notes.push({ id, ...init })
    return id
  }
  writeContent = async (id: string, doc: JSONContent): Promise<void> => {
    const ydoc = new Y.Doc()
    writeNoteContent(ydoc, doc)
    this.docs.set(id, ydoc)
  }
  source(): ExportSource {
    return { folders: this.folderList, notes: this.notes, readContent: async (id) => readNoteContent(this.docs.get(id) ?? new Y.Doc()) }
  }
  folderPath(folderId: string | null): string {
    const parts: string[] = []
    for (let f = this.folderList.find((x) => x.id === folderId); f; f = this.folderList.find((x) => x.id === f!.parentId)) parts.unshift(f.name)
    return parts.join('/')
  }
}

