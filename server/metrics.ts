import { monitorEventLoopDelay } from 'node:perf_hooks'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { RelayHooks } from './hooks.js'
import { RecentMax } from './meta/recent-max.js'

export interface RelayGauges {
  connections(): number
  loadedRooms(): number
  hibernatingRooms(): number
  pendingUpdates(): number
  feedWaiters(): number
  /** 1 while Redis connects this relay to the others, 0 while it is away; null without `--redis`. */
  redisUp(): number | null
  /** Bytes of attachments stored, every workspace (read from the blob storage at scrape time). */
  blobBytes(): Promise<number>
}

/** Round trips and failures of a networked store (PostgreSQL, Redis). */
export interface BackendObserver {
  roundTrip(seconds: number): void
  error(): void
}

/** Clients' reports of their oldest pending op count for this long. */
const PENDING_REPORT_WINDOW_MS = 5 * 60_000

/**
 * Prometheus metrics for one relay, fed by its hooks. Each relay has its own registry, so
 * several relays in one process (tests, benchmarks) never mix their numbers.
 */
export function createMetrics(gauges: RelayGauges): {
  registry: Registry
  hooks: RelayHooks
  postgres: BackendObserver
  redis: BackendObserver & { lag(seconds: number): void }
  stop(): void
} {
  const registry = new Registry()
  // What operators expect of any Node service: resident memory, heap, event-loop lag, open
  // handles, GC (process_* and nodejs_* series).
  collectDefaultMetrics({ register: registry })
  const lag = monitorEventLoopDelay({ resolution: 10 })
  lag.enable()
  const g = (name: string, help: string, read: () => number) =>
    new Gauge({ name, help, registers: [registry], collect() { this.set(read()) } })

  g('skein_connections', 'Open WebSocket connections.', gauges.connections)
  g('skein_rooms_loaded', 'Rooms held in memory.', gauges.loadedRooms)
  g('skein_rooms_hibernating', 'Loaded rooms whose idle document is held only in encoded form.', gauges.hibernatingRooms)
  g('skein_storage_pending_updates', 'Updates received but not yet stored (a growing value means storage is stuck).', gauges.pendingUpdates)
  new Gauge({
    name: 'skein_event_loop_lag_seconds',
    help: 'Event-loop delay since the last scrape.',
    labelNames: ['quantile'],
    registers: [registry],
    collect() {
      this.set({ quantile: '0.5' }, lag.percentile(50) / 1e9)
      this.set({ quantile: '0.99' }, lag.percentile(99) / 1e9)
      this.set({ quantile: '1' }, lag.max / 1e9)
      lag.reset()
    },
  })
  // Frames in and out are counted in plain numbers and added to their counters when scraped:
  // prom-client hashes and validates the label set on every inc(), which cost every frame.
  const framesIn = new Map<string, number>()
  const traffic = { bytesIn: 0, framesOut: 0, bytesOut: 0 }
  const takeTraffic = (key: keyof typeof traffic): number => {
    const n = traffic[key]
    traffic[key] = 0
    return n
  }
  new Counter({
    name: 'skein_messages_received_total',
    help: 'Frames received, by kind.',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      for (const [kind, n] of framesIn) this.inc({ kind }, n)
      framesIn.clear()
    },
  })
  const counted = (name: string, help: string, key: keyof typeof traffic) =>
    new Counter({ name, help, registers: [registry], collect() { this.inc(takeTraffic(key)) } })
  counted('skein_bytes_received_total', 'Bytes received in frames.', 'bytesIn')
  counted('skein_messages_sent_total', 'Frames sent.', 'framesOut')
  counted('skein_bytes_sent_total', 'Bytes sent in frames.', 'bytesOut')
  const persist = new Histogram({
    name: 'skein_persist_duration_seconds',
    help: 'Time to durably store one batch of updates.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  })
  const compactions = new Counter({ name: 'skein_compactions_total', help: 'Room logs compacted into one entry.', registers: [registry] })
  const storageErrors = new Counter({ name: 'skein_storage_errors_total', help: 'Failed storage writes (retried).', registers: [registry] })
  const rejected = new Counter({ name: 'skein_connections_rejected_total', help: 'Connections turned away, by reason.', labelNames: ['reason'], registers: [registry] })
  const closes = new Counter({ name: 'skein_connection_closes_total', help: 'Connections closed, by close code.', labelNames: ['code'], registers: [registry] })
  const readOnlyDrops = new Counter({ name: 'skein_read_only_writes_dropped_total', help: 'Document updates from read-only connections, dropped.', registers: [registry] })
  const presenceRefused = new Counter({
    name: 'skein_presence_refused_total',
    help: 'Presence updates dropped because another live connection holds that client id, or too many ids, by reason.',
    labelNames: ['reason'],
    registers: [registry],
  })
  const purged = new Counter({ name: 'skein_notes_purged_total', help: 'Notes deleted forever whose content and history were purged after the retention window.', registers: [registry] })
  const metaOps = new Counter({ name: 'skein_meta_ops_total', help: 'Metadata ops answered, by status.', labelNames: ['status'], registers: [registry] })
  for (const status of ['applied', 'duplicate', 'conflict', 'rejected']) metaOps.inc({ status }, 0)
  const metaRequests = new Histogram({
    name: 'skein_meta_request_duration_seconds',
    help: 'Time to answer a /v1 metadata request, by route (changes-wait: long-polls, including the wait).',
    labelNames: ['route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30],
    registers: [registry],
  })
  const oldestPending = new RecentMax(PENDING_REPORT_WINDOW_MS)
  new Gauge({
    name: 'skein_meta_client_oldest_pending_seconds',
    help: 'Largest age of a client\'s oldest unsynced metadata op, as clients reported it over the last 5 minutes.',
    registers: [registry],
    collect() {
      this.set(oldestPending.value(Date.now()))
    },
  })
  g('skein_meta_feed_waiters', 'Change-feed requests long-polling for a change.', gauges.feedWaiters)

  new Gauge({
    name: 'skein_blob_bytes_stored',
    help: 'Bytes of attachments stored (every workspace; shared storage: every relay\'s).',
    registers: [registry],
    async collect() {
      this.set(await gauges.blobBytes())
    },
  })
  const blobUploads = new Counter({
    name: 'skein_blob_uploads_total',
    help: 'Attachment uploads answered, by result: created, existed (idempotent repeat), too-large, hash-mismatch, note-deleted, refused (auth, bad request), failed (storage, client gone).',
    labelNames: ['result'],
    registers: [registry],
  })
  for (const result of ['created', 'existed', 'too-large', 'hash-mismatch', 'note-deleted', 'refused', 'failed']) blobUploads.inc({ result }, 0)
  const blobBytesReceived = new Counter({ name: 'skein_blob_bytes_received_total', help: 'Bytes of attachment upload bodies read.', registers: [registry] })
  const blobsPurged = new Counter({ name: 'skein_blobs_purged_total', help: 'Attachments deleted because the last note referencing them was purged.', registers: [registry] })

  const RTT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5]
  const pgRtt = new Histogram({ name: 'skein_postgres_round_trip_seconds', help: 'Round trip of a PostgreSQL readiness query (with --postgres).', buckets: RTT_BUCKETS, registers: [registry] })
  const pgErrors = new Counter({ name: 'skein_postgres_errors_total', help: 'Failed PostgreSQL readiness queries (with --postgres).', registers: [registry] })
  const redisRtt = new Histogram({ name: 'skein_redis_round_trip_seconds', help: 'Round trip of a Redis PING (with --redis).', buckets: RTT_BUCKETS, registers: [registry] })
  const redisErrors = new Counter({ name: 'skein_redis_errors_total', help: 'Failed Redis commands and connection errors (with --redis).', registers: [registry] })
  const fanoutLag = new Histogram({
    name: 'skein_fanout_lag_seconds',
    help: 'From another relay publishing a stored update, presence or feed change to this relay receiving it (with --redis).',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  })
  const compactionLock = new Counter({
    name: 'skein_compaction_lock_total',
    help: "Compactions of shared storage by whether they got the room's lock: compacted, busy (another relay held it), skipped (nothing to do).",
    labelNames: ['result'],
    registers: [registry],
  })
  new Gauge({
    name: 'skein_redis_up',
    help: '1 while Redis connects this relay to the others (with --redis); fan-out is degraded at 0, storage is not.',
    registers: [registry],
    collect() {
      const up = gauges.redisUp()
      if (up !== null) this.set(up)
    },
  })

  const hooks: RelayHooks = {
    onMessageIn: ({ kind, bytes }) => {
      framesIn.set(kind, (framesIn.get(kind) ?? 0) + 1)
      traffic.bytesIn += bytes
    },
    onMessageOut: ({ bytes }) => {
      traffic.framesOut++
      traffic.bytesOut += bytes
    },
    onPersisted: ({ seconds }) => persist.observe(seconds),
    onCompaction: () => compactions.inc(),
    onCompactionLock: ({ result }) => compactionLock.inc({ result }),
    onStorageError: () => storageErrors.inc(),
    onReject: ({ reason }) => rejected.inc({ reason }),
    onClose: ({ code }) => closes.inc({ code: String(code) }),
    onReadOnlyWriteDropped: () => readOnlyDrops.inc(),
    onPresenceRefused: ({ reason }) => presenceRefused.inc({ reason }),
    onNotePurged: () => purged.inc(),
    onMetaOp: ({ status }) => metaOps.inc({ status }),
    onMetaRequest: ({ route, seconds }) => metaRequests.observe({ route }, seconds),
    onClientPendingAge: ({ seconds }) => oldestPending.report(seconds, Date.now()),
    onBlobUpload: ({ result, bytes }) => {
      blobUploads.inc({ result })
      blobBytesReceived.inc(bytes)
    },
    onBlobsPurged: ({ blobs }) => blobsPurged.inc(blobs),
  }
  return {
    registry,
    hooks,
    postgres: { roundTrip: (s) => pgRtt.observe(s), error: () => pgErrors.inc() },
    redis: { roundTrip: (s) => redisRtt.observe(s), error: () => redisErrors.inc(), lag: (s) => fanoutLag.observe(s) },
    stop: () => lag.disable(),
  }
}
