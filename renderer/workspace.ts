// Puts the app's local-first pieces together: the catalog (metadata + outbox), the note
// documents, and — in one window at a time — the sync worker and background content sync.
//
// Two windows of the same profile share IndexedDB. Only the window holding the Web Lock
// `skein:sync-leader` talks metadata to the relay; the others write to the catalog (it tells
// them about each other's commits) and learn the relay's reachability from the leader.

import { historyRoom, noteIdOfHistoryRoom, noteIdOfRoom, noteRoom } from '../protocol/rooms'
import { Attachments, attachmentsInDoc } from './attachments/attachments'
import { HttpBlobTransport } from './attachments/blob-transport'
import { Catalog } from './catalog/catalog'
import type { ContentMarks } from './catalog/content-ledger'
import { importLegacyIndex } from './catalog/legacy-index'
import { SyncWorker, type RelayReach } from './catalog/sync-worker'
import { HttpTransport } from './catalog/transport'
import { ContentSync } from './sync/content-sync'
import { DocRegistry, type ContentStateListener } from './sync/doc-registry'
import type { RelayEndpoint } from './platform'
import { ValueStore, type ReadableStore } from './sync/store'
import { draftGate, settleLeftoverDrafts } from './notes/drafts'

export interface Workspace {
  readonly catalog: Catalog
  readonly registry: DocRegistry
  /** Images and files of notes: their bytes on this device, uploads and downloads. */
  readonly attachments: Attachments
  /** Null when no relay is configured: everything stays on this device. */
  readonly reach: ReadableStore<RelayReach> | null
  /** Ask the sync worker to try now (e.g. "Retry now"). */
  kick(): void
}

const REACH_CHANNEL = 'skein-reach'

/** Between windows: the leader tells the relay's reachability; a new window asks for it. */
type ReachMessage = { type: 'reach'; reach: RelayReach } | { type: 'ask' }

/** Records in the catalog which notes (text, or saved versions) hold what the relay has not stored. */
export function contentStateRecorder(catalog: ContentMarks): ContentStateListener {
  return (room, unacknowledged) => {
    const id = noteIdOfRoom(room)
    if (id !== null) return catalog.setContentDirty(id, unacknowledged)
    const versionsOf = noteIdOfHistoryRoom(room)
    if (versionsOf !== null) return catalog.setContentDirty(versionsOf, unacknowledged, 'history')
  }
}

/** Of these notes, those open here whose text is proven in step with the relay (no pull needed). */
export function notesInStep(registry: DocRegistry): (noteIds: readonly string[]) => Promise<ReadonlySet<string>> {
  return async (noteIds) => {
    const rooms = await registry.confirmInSync(noteIds.map(noteRoom))
    return new Set(noteIds.filter((id) => rooms.has(noteRoom(id))))
  }
}

/** Downloads what this device lacks of the attachments of the recently opened notes (read from their local copies). */
export async function prefetchRecent(attachments: Attachments, registry: DocRegistry): Promise<void> {
  for (const noteId of attachments.recentNotes()) {
    const infos = await registry.withLocalContent(noteRoom(noteId), attachmentsInDoc).catch(() => undefined)
    if (infos) await attachments.prefetch(noteId, infos)
  }
}

export async function openWorkspace(relay: Promise<RelayEndpoint | null>): Promise<Workspace> {
  const started = Date.now()
  const catalog = await Catalog.open({ shareWithWindows: true })
  const registry = new DocRegistry(relay, contentStateRecorder(catalog), draftGate(catalog))
  // Drafts of windows that are gone; with a relay, the sync leader does it (other windows may be
  // holding drafts of their own, made after it started).
  const settleDrafts = (): void => void settleLeftoverDrafts(catalog, registry, started).catch((err: unknown) => console.warn('skein: could not settle draft notes', err))
  const attachments = await Attachments.open({
    transport: relay.then((config) => (config ? new HttpBlobTransport({ baseUrl: config.httpUrl, token: config.token }) : null)),
    shareWithWindows: true,
  })
  catalog.onNoteDeleted((id) => {
    registry.discard(noteRoom(id))
    registry.discard(historyRoom(id)) // its saved versions go with it
    attachments.noteDeleted(id).catch((err: unknown) => console.warn('skein: could not drop the attachments of a deleted note', err))
  })
  await importLegacyIndex(catalog, registry).catch((err: unknown) => console.warn('skein: could not import the old notes list', err))
  const config = await relay
  if (!config) {
    settleDrafts()
    return { catalog, registry, attachments, reach: null, kick: () => {} }
  }

  const reach = new ValueStore<RelayReach>({ state: 'connecting', since: null, error: null })
  const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(REACH_CHANNEL)
  let worker: SyncWorker | null = null
  let contentSync: ContentSync | null = null
  const lead = (): void => {
    settleDrafts()
    worker = new SyncWorker(catalog, new HttpTransport({ baseUrl: config.httpUrl, token: config.token }), { contentInStep: notesInStep(registry) })
    const share = (): void => {
      reach.set(worker!.reach.get())
      channel?.postMessage({ type: 'reach', reach: worker!.reach.get() } satisfies ReachMessage)
    }
    worker.reach.subscribe(share)
    share()
    worker.start()
    contentSync = new ContentSync(catalog, registry, worker.reach)
    contentSync.start()
    attachments.startUploads()
    // Back online (or at start): the attachments of recently opened notes are kept downloaded.
    worker.reach.subscribe(() => {
      if (worker?.reach.get().state === 'online') void prefetchRecent(attachments, registry)
    })
  }
  if (typeof navigator !== 'undefined' && navigator.locks) {
    if (channel) {
      channel.onmessage = ({ data }: MessageEvent<ReachMessage>) => {
        if (worker && data.type === 'ask') channel.postMessage({ type: 'reach', reach: worker.reach.get() } satisfies ReachMessage)
        else if (!worker && data.type === 'reach') reach.set(data.reach)
      }
      // A window opened after the leader: ask it how the relay is, rather than wait for a change.
      channel.postMessage({ type: 'ask' } satisfies ReachMessage)
    }
    // Held for the window's lifetime; the next window in line takes over when this one closes.
    void navigator.locks.request('skein:sync-leader', () => new Promise<void>(() => lead()))
  } else {
    lead() // no Web Locks (plain http on a LAN host is not a secure context): one window leads
  }
  const kick = (): void => {
    worker?.resume()
    registry.retryNow()
    contentSync?.retryNow()
    void attachments.retry().catch(() => undefined)
  }
  return { catalog, registry, attachments, reach, kick }
}
