import { isBlobHash } from '../../protocol/http-api.js'
import { isValidId } from '../../protocol/meta/validate.js'

/** A stored attachment without its bytes. `type` is what the relay sniffed when it was stored. */
export interface BlobInfo {
  hash: string
  size: number
  type: string
}

export interface StoredBlob extends BlobInfo {
  bytes: Uint8Array
}

/**
 * Where the relay keeps attachments: each blob once per workspace, named by the SHA-256 of its
 * bytes, with the notes that reference it. Workspaces never share a blob (a peer must not learn
 * that another workspace holds some content by uploading it). A blob lives while a note
 * references it: `dropNote` removes a note's references and deletes, in the same transaction,
 * every blob left without one. Callers check the hash; the storage trusts it.
 */
export interface BlobStorage {
  /** The blob's size and type, or null when the workspace has no such blob. Reads no bytes. */
  has(workspace: string, hash: string): Promise<BlobInfo | null>
  get(workspace: string, hash: string): Promise<StoredBlob | null>
  /**
   * Stores the blob unless the workspace has it already (then `bytes` and `type` are ignored), and
   * records that `noteId` references it, in one transaction, durable when the promise resolves.
   * `created` says whether the bytes were new.
   */
  put(workspace: string, hash: string, bytes: Uint8Array, type: string, noteId: string): Promise<{ created: boolean; blob: BlobInfo }>
  /** The notes referencing the blob, sorted. */
  referencesOf(workspace: string, hash: string): Promise<string[]>
  /**
   * Forgets the note's references and deletes the blobs no note references any more, in one
   * transaction; once the promise resolves their bytes are gone from the storage's files (as far
   * as the storage can make them: see each implementation). Resolves to the deleted hashes, sorted.
   */
  dropNote(workspace: string, noteId: string): Promise<string[]>
  /** Bytes of blobs stored in the workspace, or in every workspace when none is named. */
  bytesStored(workspace?: string): Promise<number>
  /** Throws when the storage cannot be written (readiness probe). */
  checkWritable(): Promise<void>
  close(): Promise<void>
}

/** Misuse of a BlobStorage (a bad hash, workspace or note id): a caller's bug, never input. */
export class BlobStorageError extends Error {
  override readonly name = 'BlobStorageError'
}

/** Throws BlobStorageError unless the arguments name a blob and a note as the relay does. */
export function checkBlobKey(who: string, workspace: string, hash: string | null, noteId: string | null = null): void {
  if (typeof workspace !== 'string' || workspace.length === 0 || workspace.length > 64) throw new BlobStorageError(`${who}: invalid workspace ${JSON.stringify(workspace)}`)
  if (hash !== null && !isBlobHash(hash)) throw new BlobStorageError(`${who}: not a SHA-256 hex hash: ${JSON.stringify(hash)}`)
  if (noteId !== null && !isValidId(noteId)) throw new BlobStorageError(`${who}: invalid note id ${JSON.stringify(noteId)}`)
}
