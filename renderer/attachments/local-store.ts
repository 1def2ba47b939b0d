// The attachments' own IndexedDB database, `skein-attachments`, apart from the notes' text (in
// y-indexeddb) so a file that does not fit never touches a note's text. Bytes are stored once per
// SHA-256; beside them, what each file is, which notes refer to it, and the upload queue.

import { request } from '../catalog/idb'

export const ATTACHMENTS_DB = 'skein-attachments'
const VERSION = 1
const STORES = { bytes: 'bytes', files: 'files', uploads: 'uploads', refs: 'refs', meta: 'meta' } as const

export interface FileRecord {
  readonly hash: string
  readonly name: string
  readonly type: string
  readonly size: number
  /** The relay said it has these bytes (an upload answered 200/201, or they were downloaded). */
  readonly onRelay: boolean
}

/** One PUT to make: the bytes of `hash` for `noteId` (the relay records the note's reference). */
export interface UploadEntry {
  readonly key: string
  readonly hash: string
  readonly noteId: string
  readonly state: 'pending' | 'refused'
  readonly attempts: number
  readonly nextAttemptAt: number
  readonly lastError: string | null
  readonly createdAt: number
}

export interface NoteRef {
  readonly key: string
  readonly noteId: string
  readonly hash: string
}

export const uploadKey = (hash: string, noteId: string): string => `${hash} ${noteId}`
export const refKey = (noteId: string, hash: string): string => `${noteId} ${hash}`

/** IndexedDB refused to keep the bytes: the device is out of space (or over this site's quota). */
export class AttachmentSpaceError extends Error {
  override readonly name = 'AttachmentSpaceError'
  constructor() {
    super('Not enough space on this device to keep this file')
  }
}

export class AttachmentStorageError extends Error {
  override readonly name = 'AttachmentStorageError'
}

function storageError(error: DOMException | Error | null | undefined): Error {
  if (error?.name === 'QuotaExceededError') return new AttachmentSpaceError()
  if (error && /IOError|disk|space/i.test(error.message)) return new AttachmentSpaceError()
  return new AttachmentStorageError(`could not write attachments on this device: ${error?.message ?? 'aborted'}`)
}

export interface StoreWrite {
  readonly bytes?: readonly { hash: string; data: ArrayBuffer }[]
  readonly files?: readonly FileRecord[]
  readonly uploadsPut?: readonly UploadEntry[]
  readonly uploadsDelete?: readonly string[]
  readonly refsPut?: readonly NoteRef[]
  readonly refsDelete?: readonly string[]
  readonly bytesDelete?: readonly string[]
  readonly filesDelete?: readonly string[]
  readonly meta?: Readonly<Record<string, unknown>>
}

export interface StoreContents {
  readonly files: FileRecord[]
  readonly uploads: UploadEntry[]
  readonly refs: NoteRef[]
  readonly recent: string[]
}

export class AttachmentDb {
  private constructor(private readonly db: IDBDatabase) {}

  static open(factory: IDBFactory = indexedDB, name = ATTACHMENTS_DB): Promise<AttachmentDb> {
    return new Promise((resolve, reject) => {
      const req = factory.open(name, VERSION)
      req.onupgradeneeded = () => {
        const db = req.result
        db.createObjectStore(STORES.bytes)
        db.createObjectStore(STORES.files, { keyPath: 'hash' })
        db.createObjectStore(STORES.uploads, { keyPath: 'key' })
        db.createObjectStore(STORES.refs, { keyPath: 'key' })
        db.createObjectStore(STORES.meta)
      }
      req.onsuccess = () => resolve(new AttachmentDb(req.result))
      req.onerror = () => reject(new AttachmentStorageError(`cannot open attachment storage: ${req.error?.message ?? 'unknown error'}`))
      req.onblocked = () => reject(new AttachmentStorageError('attachment storage is held by an older version of Skein in another window'))
    })
  }

  async loadAll(): Promise<StoreContents> {
    const tx = this.db.transaction([STORES.files, STORES.uploads, STORES.refs, STORES.meta], 'readonly')
    const [files, uploads, refs, recent] = await Promise.all([
      request(tx.objectStore(STORES.files).getAll() as IDBRequest<FileRecord[]>),
      request(tx.objectStore(STORES.uploads).getAll() as IDBRequest<UploadEntry[]>),
      request(tx.objectStore(STORES.refs).getAll() as IDBRequest<NoteRef[]>),
      request(tx.objectStore(STORES.meta).get('recent') as IDBRequest<string[] | undefined>),
    ])
    return { files, uploads, refs, recent: recent ?? [] }
  }

  /** The stored bytes of `hash`, or null. */
  async bytes(hash: string): Promise<ArrayBuffer | null> {
    const tx = this.db.transaction([STORES.bytes], 'readonly')
    const data = await request(tx.objectStore(STORES.bytes).get(hash) as IDBRequest<ArrayBuffer | undefined>)
    return data ?? null
  }

  /** All of it lands, or none (strict durability: "kept on this device" is never said too early). */
  write(write: StoreWrite): Promise<void> {
    return new Promise((resolve, reject) => {
      let tx: IDBTransaction
      try {
        tx = this.db.transaction(Object.values(STORES), 'readwrite', { durability: 'strict' })
      } catch (err) {
        reject(storageError(err as Error))
        return
      }
      tx.oncomplete = () => resolve()
      tx.onabort = () => reject(storageError(tx.error))
      tx.onerror = (event) => event.preventDefault() // reported once, by onabort
      try {
        const s = (name: string): IDBObjectStore => tx.objectStore(name)
        for (const { hash, data } of write.bytes ?? []) s(STORES.bytes).put(data, hash)
        for (const file of write.files ?? []) s(STORES.files).put(file)
        for (const entry of write.uploadsPut ?? []) s(STORES.uploads).put(entry)
        for (const key of write.uploadsDelete ?? []) s(STORES.uploads).delete(key)
        for (const ref of write.refsPut ?? []) s(STORES.refs).put(ref)
        for (const key of write.refsDelete ?? []) s(STORES.refs).delete(key)
        for (const hash of write.bytesDelete ?? []) s(STORES.bytes).delete(hash)
        for (const hash of write.filesDelete ?? []) s(STORES.files).delete(hash)
        for (const [key, value] of Object.entries(write.meta ?? {})) s(STORES.meta).put(value, key)
      } catch (err) {
        try {
          tx.abort()
        } catch {
          // already aborted
        }
        reject(storageError(err as Error))
      }
    })
  }

  close(): void {
    this.db.close()
  }
}
