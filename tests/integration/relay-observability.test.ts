import { describe, expect, it } from 'vitest'
import pino from 'pino'
import { Writable } from 'node:stream'
import { MemoryStorage } from '../../server/storage/memory'
import { closeEvent, connectClient, rawSocket, startTestRelay, tempDir, waitFor, whenSynced } from '../helpers/relay'
import type { RoomId } from '../../server/room-id'
import { MemoryMetaStorage } from '../../server/meta/memory-store'
import { MemoryBlobStorage } from '../../server/blobs/memory'

async function metrics(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/text\/plain/)
  return res.text()
}

function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '))
  return line ? Number(line.slice(series.length + 1)) : NaN
}

class BrokenStorage extends MemoryStorage {
  broken = false
  override async append(room: RoomId, update: Uint8Array) {
    if (this.broken) throw new Error('SQLITE_IOERR')
    return super.append(room, update)
  }
  override async checkWritable() {
    if (this.broken) throw new Error('SQLITE_IOERR')
  }
}

describe('relay observability', () => {
  it('exposes Prometheus metrics for connections, rooms, traffic, persistence and rejections', async () => {
    const relay = await startTestRelay({ dataDir: tempDir(), compactAfter: 3 })
    const a = connectClient(relay.wsUrl, 'note/m')
    const b = connectClient(relay.wsUrl, 'note/m')
    await Promise.all([whenSynced(a.provider), whenSynced(b.provider)])
    for (let i = 0; i < 5; i++) {
      a.text.insert(0, 'x')
      await waitFor('fan-out', () => b.text.length === i + 1)
    }
    await provokeCloseAndRejection(relay.wsUrl)

    const text = await metrics(relay.url)
    expect(value(text, 'skein_connections')).toBe(2)
    expect(value(text, 'skein_rooms_loaded')).toBe(2) // note/m, and note/other until its grace period ends
    expect(value(text, 'skein_messages_received_total{kind="sync-update"}')).toBeGreaterThanOrEqual(5)
    expect(value(text, 'skein_bytes_received_total')).toBeGreaterThan(0)
    expect(value(text, 'skein_messages_sent_total')).toBeGreaterThanOrEqual(5)
    expect(value(text, 'skein_bytes_sent_total')).toBeGreaterThan(0)
    expect(value(text, 'skein_persist_duration_seconds_count')).toBeGreaterThanOrEqual(1)
    expect(value(text, 'skein_compactions_total')).toBeGreaterThanOrEqual(1)
    expect(value(text, 'skein_storage_errors_total')).toBe(0)
    expect(value(text, 'skein_connections_rejected_total{reason="invalid-room"}')).toBe(1)
    expect(value(text, 'skein_connection_closes_total{code="1003"}')).toBe(1)
    expect(text).toMatch(/skein_event_loop_lag_seconds\{quantile="0.99"\} \d/)
    expect(text).toMatch(/skein_storage_pending_updates 0/)
  })

  it('counts storage errors, reports unready, and shows the stuck queue while storage is failing', async () => {
    const storage = new BrokenStorage()
    const relay = await startTestRelay({ storage: { docs: storage, meta: new MemoryMetaStorage(), blobs: new MemoryBlobStorage() } })
    const a = connectClient(relay.wsUrl, 'note/s')
    await whenSynced(a.provider)
    storage.broken = true
    a.text.insert(0, 'queued')
    await waitFor('a storage error', async () => value(await metrics(relay.url), 'skein_storage_errors_total') >= 1)
    expect(value(await metrics(relay.url), 'skein_storage_pending_updates')).toBeGreaterThanOrEqual(1)
    const ready = await fetch(`${relay.url}/readyz`)
    expect(ready.status).toBe(503)
    storage.broken = false
    await waitFor('queue drained', async () => value(await metrics(relay.url), 'skein_storage_pending_updates') === 0, 15_000)
    expect((await fetch(`${relay.url}/readyz`)).status).toBe(200)
  })

  it('logs exactly one structured line per connection close, with its code and reason', async () => {
    const lines: Record<string, unknown>[] = []
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>)
        done()
      },
    })
    const relay = await startTestRelay({ dataDir: tempDir(), logger: pino({ level: 'info' }, sink) })
    const ws = await rawSocket(relay.wsUrl, 'note/log')
    const closed = closeEvent(ws)
    ws.send('text')
    await closed
    await waitFor('close logged', () => lines.some((l) => l.msg === 'connection closed'))
    const closes = lines.filter((l) => l.msg === 'connection closed')
    expect(closes).toHaveLength(1)
    expect(closes[0]).toMatchObject({ level: 30, code: 1003, by: 'relay', room: 'default/note/log' })
    expect(String(closes[0]!.reason)).toMatch(/text frames/)
  })
})

/** One connection the relay closes (a text frame, 1003) and one upgrade it refuses (bad room). */
async function provokeCloseAndRejection(wsUrl: string): Promise<void> {
  const ws = await rawSocket(wsUrl, 'note/other')
  const closed = closeEvent(ws)
  ws.send('not binary')
  await closed
  await rawSocket(wsUrl, 'bad%2F..').catch(() => undefined)
}
