// The relay's metadata service: POST /v1/ops applies ops, GET /v1/changes reads (and long-polls)
// the change feed, and content edits in note rooms become feed entries. Auth and workspaces are
// the WebSockets': a token's workspace namespaces every op id, record and feed.

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import { CHANGES_PATH, OLDEST_PENDING_HEADER, OPS_PATH } from '../../protocol/http-api.js'
import { OpParseError, parseOpsRequest } from '../../protocol/meta/parse.js'
import { hasUnseenEdits } from '../../protocol/meta/snapshots.js'
import type { ChangesResponse, MetaOp, OpsResponse } from '../../protocol/meta/types.js'
import { tokenFromRequest, type Grant } from '../auth.js'
import type { MetaRoute, RelayHooks } from '../hooks.js'
import { historyRoomOf, noteOfHistoryRoom, noteOfRoom, noteRoomOf, type NoteRef, type RoomId } from '../room-id.js'
import type { RoomRegistry } from '../room-registry.js'
import type { BlobStorage } from '../blobs/storage.js'
import type { DocStorage } from '../storage/types.js'
import { ContentChangeWatcher } from './content-watcher.js'
import { opDecider } from './decisions.js'
import { FeedWaiters } from './feed-waiters.js'
import { HttpError, intParam, preflight, readJsonBody, sendJson } from './http.js'
import { createContentReader, type ContentReader } from './note-content.js'
import { NotePurger } from './purger.js'
import type { MetaStorage } from './storage.js'

export const FEED_PAGE_DEFAULT = 500
export const FEED_PAGE_MAX = 1000
export const MAX_WAIT_SECONDS = 30
/** How often the content cursor moves up to what the feed is known to hold (see `start`). */
export const CONTENT_CURSOR_INTERVAL_MS = 2_000
/** How often notes past the retention window are purged (every minute when the window is 0). */
export const PURGE_SWEEP_MS = 3600_000
export const PURGE_SWEEP_AT_ONCE_MS = 60_000
/** What a client is told to wait before retrying after a storage failure. */
const RETRY_AFTER_SECONDS = '5'
/** Reports of a pending age above this are treated as a broken clock, not a stuck outbox. */
const MAX_PENDING_REPORT_MS = 30 * 24 * 3600_000

const ROUTES: Record<string, { route: MetaRoute; method: 'GET' | 'POST' }> = {
  [OPS_PATH]: { route: 'ops', method: 'POST' },
  [CHANGES_PATH]: { route: 'changes', method: 'GET' },
}

export interface MetaServiceDeps {
  meta: MetaStorage
  readContent: ContentReader
  /** The document storage: the content cursor points into it; purges delete from it. */
  storage: DocStorage
  /** Attachments: purges delete a purged note's references and the blobs left without one. */
  blobs: BlobStorage
  registry: RoomRegistry
  /** A note deleted forever is purged once its delete is this old; 0 purges at once. */
  purgeAfterMs: number
  /** Sweep interval for purges (default: hourly, or every minute when `purgeAfterMs` is 0). */
  purgeSweepMs?: number
  /** The grant for a request's token under the current token table (null: refused). */
  grantFor(token: string | null): Grant | null
  hooks: Required<RelayHooks>
  log: Logger
  /**
   * Several relays share the storage: the feed committed here (other relays wake their long-polls),
   * rooms purged here (other relays drop their copies), and how often a long-poll re-reads the
   * feed in case a wake-up from another relay was lost.
   */
  shared?: {
    feedCommitted(workspace: string): void
    roomsPurged(rooms: RoomId[]): void
    feedRecheckMs: number
  }
}

export class MetaService {
  private readonly waiters = new FeedWaiters()
  private readonly watcher: ContentChangeWatcher
  private readonly purger: NotePurger
  private closing = false
  private cursorTimer: NodeJS.Timeout | null = null
  /** The content cursor as stored, and a newer position waiting for its changes to be recorded. */
  private cursor = 0
  private cursorCandidate: { entry: number; told: number } | null = null

  constructor(private readonly deps: MetaServiceDeps) {
    this.watcher = new ContentChangeWatcher({
      storage: deps.meta,
      readContent: deps.readContent,
      log: deps.log,
      onRecorded: (workspace) => this.feedCommitted(workspace),
      onRevived: (note) => {
        for (const room of [noteRoomOf(note), historyRoomOf(note)]) deps.registry.loadedRoom(room)?.stopGuarding()
      },
      onError: (error) => deps.hooks.onStorageError({ room: 'meta', error }),
    })
    this.purger = new NotePurger({
      meta: deps.meta,
      storage: deps.storage,
      blobs: deps.blobs,
      registry: deps.registry,
      hooks: deps.hooks,
      log: deps.log,
      purgeAfterMs: deps.purgeAfterMs,
      onChanged: (workspace) => this.feedCommitted(workspace),
      ...(deps.shared ? { onRoomsPurged: deps.shared.roomsPurged } : {}),
    })
  }

  /**
   * Before the relay accepts connections: finishes purges a crash interrupted, then records the
   * content changes a crash kept out of the feed. The feed is derived from what is stored: the
   * store keeps a cursor, the newest document-storage entry whose change is known to be recorded,
   * and every note room with an entry after it gets a content change now (a redundant one is
   * harmless; a missing one would keep other devices from pulling the note). Then the cursor
   * moves on while the relay runs (`advanceCursor`), and purges are swept.
   */
  async start(): Promise<void> {
    const { meta, storage, log } = this.deps
    await this.purger.finishUnfinished()
    const latest = await storage.latestEntry()
    const cursor = await meta.contentCursor()
    if (cursor !== null) {
      const rooms = await storage.roomsWithEntriesAfter(cursor)
      const notes = await this.watcher.recordNow(rooms, createContentReader(this.deps.registry, storage, () => true))
      if (notes > 0) log.warn({ notes, after: cursor }, 'recorded content changes that a crash had kept out of the change feed')
    }
    // Without a cursor (the first start of a relay that keeps one) there is nothing to compare
    // against; from now on nothing is missed.
    await meta.setContentCursor(latest, { exact: true })
    this.cursor = latest
    this.cursorTimer = setInterval(() => {
      this.advanceCursor().catch((err: unknown) => log.error({ err }, 'moving the content cursor failed; retried shortly'))
    }, CONTENT_CURSOR_INTERVAL_MS)
    this.cursorTimer.unref()
    this.purger.start(this.deps.purgeSweepMs ?? (this.deps.purgeAfterMs === 0 ? PURGE_SWEEP_AT_ONCE_MS : PURGE_SWEEP_MS))
    this.sweepSoon()
  }

  /**
   * Reads the storage's newest entry first, then how many changes the watcher was told of: the
   * change of every entry up to it was told before (the hook fires before the append). Once the
   * watcher has recorded that many, the entry becomes the cursor. Under steady typing the cursor
   * trails by about one interval; it never passes an unrecorded change.
   */
  private async advanceCursor(): Promise<void> {
    const candidate = this.cursorCandidate
    if (candidate && this.watcher.recordedThrough >= candidate.told) {
      this.cursorCandidate = null
      if (candidate.entry > this.cursor) {
        await this.deps.meta.setContentCursor(candidate.entry)
        this.cursor = candidate.entry
      }
    }
    if (this.cursorCandidate || this.closing) return
    const entry = await this.deps.storage.latestEntry()
    this.cursorCandidate = { entry, told: this.watcher.toldCount }
  }

  private sweepSoon(): void {
    this.purger.sweep().catch((err: unknown) => {
      this.deps.hooks.onStorageError({ room: 'meta', error: err })
      this.deps.log.error({ err }, 'purge sweep failed; retried at the next sweep')
    })
  }

  private feedCommitted(workspace: string): void {
    this.waiters.notify(workspace)
    this.deps.shared?.feedCommitted(workspace)
  }

  /** Another relay committed a change to the workspace's feed. */
  feedChangedElsewhere(workspace: string): void {
    this.waiters.notify(workspace)
  }

  get feedWaiters(): number {
    return this.waiters.size
  }

  /** Hook target for `onContentChanged`. */
  contentChanged(room: RoomId): void {
    this.watcher.changed(room)
  }

  /**
   * For a room of a purged note: what the purged room held (state vector); null for any other
   * room. The room guards against copies of that content (`Room.admitUpdate`).
   */
  async purgedStateOf(room: RoomId): Promise<Uint8Array | null> {
    const ofNote = noteOfRoom(room)
    const note: NoteRef | null = ofNote ?? noteOfHistoryRoom(room)
    if (!note) return null
    const purged = await this.deps.meta.purgedState(note)
    return purged ? (ofNote ? purged.note : purged.history) : null
  }

  checkWritable(): Promise<void> {
    return this.deps.meta.checkWritable()
  }

  /**
   * Before the rooms close: refuse new requests, answer long-polls, let a purge under way finish,
   * record pending content changes.
   */
  async beginClose(): Promise<void> {
    this.closing = true
    if (this.cursorTimer) clearInterval(this.cursorTimer)
    this.waiters.releaseAll()
    await this.purger.stop()
    await this.watcher.flush()
  }

  /**
   * After the rooms closed: record what arrived meanwhile, move the content cursor to the end of
   * the storage (everything in it is recorded now), then close the store.
   */
  async close(): Promise<void> {
    this.closing = true
    if (this.cursorTimer) clearInterval(this.cursorTimer)
    await this.purger.stop()
    await this.watcher.flush()
    const entry = await this.deps.storage.latestEntry().catch(() => null)
    if (entry !== null && this.watcher.recordedThrough >= this.watcher.toldCount && entry > this.cursor) await this.deps.meta.setContentCursor(entry)
    this.watcher.stop()
    await this.deps.meta.close()
  }

  /** Answers a request whose path starts with `/v1`. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now()
    const url = new URL(req.url ?? '/', 'http://relay')
    const endpoint = ROUTES[url.pathname]
    let route: MetaRoute = req.method === 'OPTIONS' ? 'preflight' : (endpoint?.route ?? 'other')
    res.once('finish', () => this.deps.hooks.onMetaRequest({ route, status: res.statusCode, seconds: (performance.now() - started) / 1000 }))
    const answer = async (): Promise<void> => {
      if (!endpoint) throw new HttpError(404, 'not found')
      if (req.method === 'OPTIONS') {
        const { status, headers } = preflight(req, endpoint.method)
        res.writeHead(status, headers).end()
        return
      }
      if (req.method !== endpoint.method) throw new HttpError(405, 'method not allowed', { allow: `${endpoint.method}, OPTIONS` })
      if (this.closing) throw new HttpError(503, 'relay shutting down', { 'retry-after': RETRY_AFTER_SECONDS })
      const grant = this.authorize(req)
      if (endpoint.route === 'ops') return this.postOps(req, res, grant)
      if (url.searchParams.has('wait') && url.searchParams.get('wait') !== '0') route = 'changes-wait'
      return this.getChanges(req, res, grant, url.searchParams)
    }
    answer().catch((err: unknown) => this.fail(req, res, url.pathname, err))
  }

  private authorize(req: IncomingMessage): Grant {
    const token = tokenFromRequest(req)
    const grant = this.deps.grantFor(token)
    if (!grant) throw new HttpError(401, token ? 'unknown token' : 'missing token')
    const pending = Number(req.headers[OLDEST_PENDING_HEADER])
    if (req.headers[OLDEST_PENDING_HEADER] !== undefined && Number.isFinite(pending) && pending >= 0 && pending <= MAX_PENDING_REPORT_MS)
      this.deps.hooks.onClientPendingAge({ seconds: pending / 1000 })
    return grant
  }

  private async postOps(req: IncomingMessage, res: ServerResponse, grant: Grant): Promise<void> {
    if (grant.access !== 'read-write') throw new HttpError(403, 'this token is read-only')
    const body = await readJsonBody(req)
    let ops: MetaOp[]
    try {
      ops = parseOpsRequest(body)
    } catch (err) {
      if (err instanceof OpParseError) throw new HttpError(400, err.message)
      throw err
    }
    const { workspace } = grant
    const contentOf = (noteId: string): RoomId => noteRoomOf({ workspace, noteId })
    // Delete forever is refused when the relay holds edits the deleting device never saw: the
    // rooms are loaded first, and held while the transaction reads them.
    const deletes = ops.filter((op) => op.kind === 'note.delete').map((op) => contentOf(op.entity))
    const results = await this.storing(() =>
      this.deps.readContent(deletes, (stateOf) =>
        this.deps.meta.applyOps(workspace, ops, opDecider((noteId, snapshot) => hasUnseenEdits(stateOf(contentOf(noteId)), snapshot), Date.now())),
      ),
    )
    for (const result of results) this.deps.hooks.onMetaOp({ workspace, status: result.status })
    if (results.some((r) => r.status !== 'duplicate' && r.seq !== null)) this.feedCommitted(workspace)
    // "0 days" means at once: a note just deleted forever is purged right after this answer.
    if (this.deps.purgeAfterMs === 0 && ops.some((op, i) => op.kind === 'note.delete' && results[i]!.status === 'applied')) this.sweepSoon()
    sendJson(req, res, 200, { results } satisfies OpsResponse)
  }

  private async getChanges(req: IncomingMessage, res: ServerResponse, grant: Grant, params: URLSearchParams): Promise<void> {
    const since = intParam(params, 'since', 0)
    const limit = intParam(params, 'limit', FEED_PAGE_DEFAULT, FEED_PAGE_MAX)
    if (limit === 0) throw new HttpError(400, `limit must be an integer from 1 to ${FEED_PAGE_MAX}`)
    const wait = intParam(params, 'wait', 0, MAX_WAIT_SECONDS)
    const read = () => this.storing(() => this.deps.meta.changes(grant.workspace, since, limit))
    let page: ChangesResponse = await read()
    if (page.entries.length === 0 && wait > 0 && !this.closing) {
      // Nothing new: hold the request until the workspace changes, the wait ends, or the client goes.
      const gone = new AbortController()
      res.once('close', () => gone.abort())
      // Shared storage: a wake-up from another relay can be lost (Redis down), so the wait is cut
      // into slices with a re-read after each.
      const slice = this.deps.shared?.feedRecheckMs ?? wait * 1000
      for (let deadline = Date.now() + wait * 1000; ; ) {
        await this.waiters.wait(grant.workspace, Math.max(0, Math.min(slice, deadline - Date.now())), gone.signal)
        if (gone.signal.aborted) return
        page = await read()
        if (page.entries.length > 0 || Date.now() >= deadline || this.closing) break
      }
    }
    sendJson(req, res, 200, page)
  }

  /** Runs a store call; a failure is a 503 the client retries, with nothing half-applied. */
  private async storing<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (error) {
      this.deps.hooks.onStorageError({ room: 'meta', error })
      this.deps.log.error({ err: error }, 'metadata storage failed')
      throw new HttpError(503, 'metadata storage is unavailable; retry later', { 'retry-after': RETRY_AFTER_SECONDS })
    }
  }

  private fail(req: IncomingMessage, res: ServerResponse, path: string, err: unknown): void {
    const known = err instanceof HttpError
    const status = known ? err.status : 500
    const message = known ? err.message : 'internal error'
    const level = status >= 500 ? 'error' : 'info'
    // The path only: a token may travel in the query string.
    this.deps.log[level]({ method: req.method, path, status, reason: message, ip: req.socket.remoteAddress, ...(known ? {} : { err }) }, 'request rejected')
    sendJson(req, res, status, { error: message }, known ? err.headers : {})
  }
}
