// The one owner of a note's images and files on this device: keeps their bytes (once per
// SHA-256, in `skein-attachments`), uploads them through a durable queue, downloads and caches
// what other devices added, prefetches the attachments of recently opened notes, drops what no
// local note refers to any more, and publishes each attachment's state for Sync details.
//
// Uploads run only in the window that leads sync (startUploads); every window adds, reads and
// downloads. Windows tell each other about writes on a BroadcastChannel and re-read the database.

import { ValueStore } from '../sync/store'
import { BlobUnavailable, type BlobTransport } from './blob-transport'
import { attachmentsInDoc, type AttachmentInfo } from './in-doc'
import { AttachmentDb, AttachmentSpaceError, refKey, uploadKey, type FileRecord, type NoteRef, type StoreWrite, type UploadEntry } from './local-store'
import { retryDelay, uploadVerdict } from './upload-rules'

export type { AttachmentInfo }
export { attachmentsInDoc }

/** How many recently opened notes have their attachments kept downloaded for offline use. */
export const RECENT_NOTES = 20
const MAX_WAIT_MS = 30_000
const CHANNEL = 'skein-attachments'

export type AttachmentStatus = 'local' | 'waiting' | 'uploading' | 'stored' | 'refused'

export interface AttachmentRow extends AttachmentInfo {
  readonly status: AttachmentStatus
  /** Why it is refused, or the last error of a waiting upload. */
  readonly reason: string | null
  readonly attempts: number
}

export interface AttachmentsOptions {
  factory?: IDBFactory
  /** The relay's blob endpoints; null when no relay is set up (everything stays local). */
  transport: Promise<BlobTransport | null>
  now?: () => number
  /** How much this origin may still store (navigator.storage.estimate in the browser). */
  estimate?: () => Promise<{ usage?: number; quota?: number }>
  /** Talk to other windows of this profile; off in Node tests. */
  shareWithWindows?: boolean
}

export async function sha256Hex(data: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data))
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
}

const browserEstimate = (): Promise<{ usage?: number; quota?: number }> =>
  typeof navigator !== 'undefined' && navigator.storage?.estimate ? navigator.storage.estimate() : Promise.resolve({})

export class Attachments {
  readonly rows = new ValueStore<readonly AttachmentRow[]>([])
  private files = new Map<string, FileRecord>()
  private uploads = new Map<string, UploadEntry>()
  private refs = new Map<string, NoteRef>()
  private recent: string[] = []
  private inflight: string | null = null
  private readonly urls = new Map<string, Promise<string>>()
  private readonly downloads = new Map<string, Promise<ArrayBuffer>>()
  private writing: Promise<unknown> = Promise.resolve()
  private running = false
  private draining: Promise<void> | null = null
  private again = false
  private timer: ReturnType<typeof setTimeout> | null = null
  private closed = false
  private readonly channel: BroadcastChannel | null
  private readonly now: () => number
  private readonly estimate: NonNullable<AttachmentsOptions['estimate']>
  private readonly transport: Promise<BlobTransport | null>

  private constructor(
    private readonly db: AttachmentDb,
    options: AttachmentsOptions,
  ) {
    this.now = options.now ?? Date.now
    this.estimate = options.estimate ?? browserEstimate
    this.transport = options.transport
    this.channel = options.shareWithWindows && typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel(CHANNEL) : null
    if (this.channel) this.channel.onmessage = () => void this.reload().then(() => this.kick())
  }

  static async open(options: AttachmentsOptions): Promise<Attachments> {
    const store = new Attachments(await AttachmentDb.open(options.factory), options)
    await store.reload()
    return store
  }

  private async reload(): Promise<void> {
    const contents = await this.db.loadAll()
    this.files = new Map(contents.files.map((f) => [f.hash, f]))
    this.uploads = new Map(contents.uploads.map((u) => [u.key, u]))
    this.refs = new Map(contents.refs.map((r) => [r.key, r]))
    this.recent = contents.recent
    this.publish()
  }

  /** Writes, then updates memory and tells other windows; one write at a time. */
  private commit(write: StoreWrite): Promise<void> {
    const run = this.writing.then(async () => {
      await this.db.write(write)
      for (const file of write.files ?? []) this.files.set(file.hash, file)
      for (const hash of write.filesDelete ?? []) this.files.delete(hash)
      for (const entry of write.uploadsPut ?? []) this.uploads.set(entry.key, entry)
      for (const key of write.uploadsDelete ?? []) this.uploads.delete(key)
      for (const ref of write.refsPut ?? []) this.refs.set(ref.key, ref)
      for (const key of write.refsDelete ?? []) this.refs.delete(key)
      if (Array.isArray(write.meta?.recent)) this.recent = write.meta.recent as string[]
      this.publish()
      this.channel?.postMessage('changed')
    })
    this.writing = run.catch(() => undefined)
    return run
  }

  private publish(): void {
    const rows: AttachmentRow[] = []
    for (const file of this.files.values()) {
      const uploads = [...this.uploads.values()].filter((u) => u.hash === file.hash)
      const refused = uploads.find((u) => u.state === 'refused')
      const attempts = uploads.reduce((max, u) => Math.max(max, u.attempts), 0)
      const base = { hash: file.hash, name: file.name, type: file.type, size: file.size, attempts }
      if (refused) rows.push({ ...base, status: 'refused', reason: refused.lastError })
      else if (uploads.some((u) => u.key === this.inflight)) rows.push({ ...base, status: 'uploading', reason: null })
      else if (uploads.length > 0) rows.push({ ...base, status: 'waiting', reason: uploads.find((u) => u.lastError)?.lastError ?? null })
      else rows.push({ ...base, status: file.onRelay ? 'stored' : 'local', reason: null })
    }
    this.rows.set(rows)
  }

  /** The row of one attachment (for the editor's chips), or undefined when it is not on this device. */
  row(hash: string): AttachmentRow | undefined {
    return this.rows.get().find((r) => r.hash === hash)
  }

  /**
   * Keeps `data` on this device for `noteId` and queues its upload. Throws AttachmentSpaceError
   * (nothing stored) when the device has no room for it.
   */
  async add(noteId: string, data: ArrayBuffer, name: string, type: string): Promise<AttachmentInfo> {
    const hash = await sha256Hex(data)
    const known = this.files.get(hash)
    if (!known) {
      const { usage, quota } = await this.estimate().catch(() => ({}) as { usage?: number; quota?: number })
      // Warn before trying: a write that does not fit can also fail late and slowly.
      if (typeof quota === 'number' && typeof usage === 'number' && quota - usage < data.byteLength) throw new AttachmentSpaceError()
    }
    const info: AttachmentInfo = { hash, name: known?.name ?? name, type: known?.type ?? type, size: data.byteLength }
    const key = uploadKey(hash, noteId)
    const now = this.now()
    await this.commit({
      bytes: known ? [] : [{ hash, data }],
      files: known ? [] : [{ ...info, onRelay: false }],
      refsPut: [{ key: refKey(noteId, hash), noteId, hash }],
      uploadsPut: this.uploads.has(key) ? [] : [{ key, hash, noteId, state: 'pending', attempts: 0, nextAttemptAt: now, lastError: null, createdAt: now }],
    })
    this.kick()
    return { ...info, name, type }
  }

  /** The bytes of an attachment: from this device, else downloaded from the relay and kept. */
  async blob(info: AttachmentInfo, noteId: string): Promise<Blob> {
    const data = (await this.db.bytes(info.hash)) ?? (await this.download(info, noteId))
    return new Blob([data], { type: info.type || 'application/octet-stream' })
  }

  /** An object URL of the attachment's bytes (one per hash, for this window's life). */
  url(info: AttachmentInfo, noteId: string): Promise<string> {
    let url = this.urls.get(info.hash)
    if (!url) {
      url = this.blob(info, noteId).then((blob) => URL.createObjectURL(blob))
      this.urls.set(info.hash, url)
      url.catch(() => this.urls.delete(info.hash)) // asked again later (back online)
    }
    return url
  }

  private download(info: AttachmentInfo, noteId: string): Promise<ArrayBuffer> {
    let pending = this.downloads.get(info.hash)
    if (!pending) {
      pending = this.fetchAndKeep(info, noteId).finally(() => this.downloads.delete(info.hash))
      this.downloads.set(info.hash, pending)
    }
    return pending
  }

  private async fetchAndKeep(info: AttachmentInfo, noteId: string): Promise<ArrayBuffer> {
    const transport = await this.transport
    if (!transport) throw new BlobUnavailable('not on this device, and no relay is set up')
    const data = await transport.get(info.hash)
    if (data === null) throw new BlobUnavailable('not on the relay yet (the device that added it has not uploaded it)')
    if ((await sha256Hex(data)) !== info.hash) throw new BlobUnavailable('the relay sent different bytes than the note names')
    await this.commit({
      bytes: [{ hash: info.hash, data }],
      files: [{ ...info, size: data.byteLength, onRelay: true }],
      refsPut: [{ key: refKey(noteId, info.hash), noteId, hash: info.hash }],
    })
    return data
  }

  /**
   * A note was opened with these attachments: it joins the recently opened notes, and what of
   * them this device lacks is downloaded in the background (kept for offline use).
   */
  async noteOpened(noteId: string, infos: readonly AttachmentInfo[]): Promise<void> {
    const recent = [noteId, ...this.recent.filter((id) => id !== noteId)].slice(0, RECENT_NOTES)
    const refsPut = infos.filter((i) => this.files.has(i.hash) && !this.refs.has(refKey(noteId, i.hash))).map((i) => ({ key: refKey(noteId, i.hash), noteId, hash: i.hash }))
    if (recent.join() !== this.recent.join() || refsPut.length > 0) await this.commit({ meta: { recent }, refsPut })
    await this.prefetch(noteId, infos)
  }

  /** The recently opened notes, newest first. */
  recentNotes(): readonly string[] {
    return this.recent
  }

  /** Downloads what of `infos` this device lacks; failures are left for the next time. */
  async prefetch(noteId: string, infos: readonly AttachmentInfo[]): Promise<number> {
    let fetched = 0
    for (const info of infos) {
      if (this.files.has(info.hash) || this.closed) continue
      try {
        await this.download(info, noteId)
        fetched++
      } catch {
        // offline, or not uploaded yet: the node view or the next prefetch asks again
      }
    }
    return fetched
  }

  /**
   * A note is gone for good on this device: its references go, and every attachment no local
   * note refers to any more is dropped with its queued uploads (the relay purges its own side).
   */
  async noteDeleted(noteId: string): Promise<void> {
    const refsDelete = [...this.refs.values()].filter((r) => r.noteId === noteId)
    const stillUsed = new Set([...this.refs.values()].filter((r) => r.noteId !== noteId).map((r) => r.hash))
    const orphans = [...new Set(refsDelete.map((r) => r.hash))].filter((hash) => !stillUsed.has(hash))
    const uploadsDelete = [...this.uploads.values()].filter((u) => u.noteId === noteId || orphans.includes(u.hash)).map((u) => u.key)
    if (refsDelete.length === 0 && uploadsDelete.length === 0) return
    await this.commit({
      refsDelete: refsDelete.map((r) => r.key),
      uploadsDelete,
      bytesDelete: orphans,
      filesDelete: orphans,
      meta: { recent: this.recent.filter((id) => id !== noteId) },
    })
    for (const hash of orphans) {
      void this.urls.get(hash)?.then((url) => URL.revokeObjectURL(url), () => undefined)
      this.urls.delete(hash)
    }
  }

  /** Tries refused and waiting uploads (of one attachment, or all) again now. */
  async retry(hash?: string): Promise<void> {
    const now = this.now()
    const again = [...this.uploads.values()].filter((u) => hash === undefined || u.hash === hash).map((u) => ({ ...u, state: 'pending' as const, nextAttemptAt: now }))
    if (again.length > 0) await this.commit({ uploadsPut: again })
    this.kick()
  }

  /** Runs the upload queue in this window (the one leading sync). */
  startUploads(): void {
    if (this.running || this.closed) return
    this.running = true
    globalThis.addEventListener?.('online', this.onOnline)
    this.kick()
  }

  private readonly onOnline = (): void => void this.retry().catch(() => undefined)

  private kick(): void {
    if (!this.running) return
    if (this.draining) {
      this.again = true
      return
    }
    this.draining = this.drain()
      .catch((err: unknown) => console.warn('skein: attachment uploads stopped', err))
      .finally(() => {
        this.draining = null
        if (this.again && this.running) {
          this.again = false
          this.kick()
        } else this.scheduleNext()
      })
  }

  private async drain(): Promise<void> {
    const transport = await this.transport
    if (!transport) return
    while (this.running) {
      const now = this.now()
      const due = [...this.uploads.values()].filter((u) => u.state === 'pending' && u.nextAttemptAt <= now).sort((a, b) => a.createdAt - b.createdAt)[0]
      if (!due) return
      const file = this.files.get(due.hash)
      const data = file ? await this.db.bytes(due.hash) : null
      if (!file || !data) {
        await this.commit({ uploadsDelete: [due.key] }) // dropped meanwhile: nothing to send
        continue
      }
      this.inflight = due.key
      this.publish()
      const answer = await transport.put(due.hash, due.noteId, data, file.type).finally(() => {
        this.inflight = null
      })
      const verdict = uploadVerdict(answer.status, answer.body, due.hash)
      const attempts = due.attempts + 1
      if (verdict.kind === 'stored') {
        await this.commit({ uploadsDelete: [due.key], files: [{ ...(this.files.get(due.hash) ?? file), onRelay: true }] })
      } else if (verdict.kind === 'refused') {
        await this.commit({ uploadsPut: [{ ...due, state: 'refused', attempts, lastError: verdict.reason }] })
      } else {
        await this.commit({ uploadsPut: [{ ...due, attempts, lastError: verdict.reason, nextAttemptAt: this.now() + retryDelay(attempts) }] })
        return // the relay cannot take anything now; the others wait for the next try too
      }
    }
  }

  private scheduleNext(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (!this.running) return
    const due = [...this.uploads.values()].filter((u) => u.state === 'pending').map((u) => u.nextAttemptAt)
    if (due.length === 0) return
    this.timer = setTimeout(() => this.kick(), Math.max(0, Math.min(Math.min(...due) - this.now(), MAX_WAIT_MS)))
  }

  /** Resolves once the current upload pass (if any) is over; for tests and shutdown. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining
    await this.writing
  }

  async close(): Promise<void> {
    this.closed = true
    this.running = false
    globalThis.removeEventListener?.('online', this.onOnline)
    if (this.timer) clearTimeout(this.timer)
    await this.idle()
    this.channel?.close()
    for (const url of this.urls.values()) void url.then((u) => URL.revokeObjectURL(u), () => undefined)
    this.db.close()
  }
}
