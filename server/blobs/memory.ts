import { checkBlobKey, type BlobInfo, type BlobStorage, type StoredBlob } from './storage.js'

interface Entry {
  blob: StoredBlob
  notes: Set<string>
}

/** Volatile attachments for tests and embedders; same contract as the SQLite storage. */
export class MemoryBlobStorage implements BlobStorage {
  /** Workspace → hash → blob. */
  private readonly workspaces = new Map<string, Map<string, Entry>>()
  private closed = false

  async has(workspace: string, hash: string): Promise<BlobInfo | null> {
    const entry = this.entry('has', workspace, hash)
    return entry ? infoOf(entry.blob) : null
  }

  async get(workspace: string, hash: string): Promise<StoredBlob | null> {
    const entry = this.entry('get', workspace, hash)
    return entry ? { ...entry.blob, bytes: entry.blob.bytes.slice() } : null
  }

  async put(workspace: string, hash: string, bytes: Uint8Array, type: string, noteId: string): Promise<{ created: boolean; blob: BlobInfo }> {
    this.assertOpen()
    checkBlobKey('MemoryBlobStorage.put', workspace, hash, noteId)
    let blobs = this.workspaces.get(workspace)
    if (!blobs) this.workspaces.set(workspace, (blobs = new Map()))
    const existing = blobs.get(hash)
    const entry = existing ?? { blob: { hash, size: bytes.byteLength, type, bytes: bytes.slice() }, notes: new Set<string>() }
    entry.notes.add(noteId)
    blobs.set(hash, entry)
    return { created: !existing, blob: infoOf(entry.blob) }
  }

  async referencesOf(workspace: string, hash: string): Promise<string[]> {
    return [...(this.entry('referencesOf', workspace, hash)?.notes ?? [])].sort()
  }

  async dropNote(workspace: string, noteId: string): Promise<string[]> {
    this.assertOpen()
    checkBlobKey('MemoryBlobStorage.dropNote', workspace, null, noteId)
    const blobs = this.workspaces.get(workspace)
    const deleted: string[] = []
    for (const [hash, entry] of blobs ?? []) {
      if (!entry.notes.delete(noteId) || entry.notes.size > 0) continue
      blobs!.delete(hash)
      deleted.push(hash)
    }
    return deleted.sort()
  }

  async bytesStored(workspace?: string): Promise<number> {
    this.assertOpen()
    const spaces = workspace === undefined ? [...this.workspaces.values()] : [this.workspaces.get(workspace) ?? new Map<string, Entry>()]
    let total = 0
    for (const blobs of spaces) for (const { blob } of blobs.values()) total += blob.size
    return total
  }

  async checkWritable(): Promise<void> {
    this.assertOpen()
  }

  async close(): Promise<void> {
    this.closed = true
  }

  private entry(who: string, workspace: string, hash: string): Entry | undefined {
    this.assertOpen()
    checkBlobKey(`MemoryBlobStorage.${who}`, workspace, hash)
    return this.workspaces.get(workspace)?.get(hash)
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('MemoryBlobStorage: used after close()')
  }
}

const infoOf = ({ hash, size, type }: BlobInfo): BlobInfo => ({ hash, size, type })
