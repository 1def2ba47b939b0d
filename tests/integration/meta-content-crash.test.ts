import Database from 'better-sqlite3'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { trackStoredAcks } from '../../renderer/sync/stored-acks'
import { CONTENT_QUIET_MS } from '../../server/meta/content-watcher'
import { allChanges } from '../helpers/meta'
import { connectClient, freePort, tempDir, waitFor, whenSynced } from '../helpers/relay'
import { startRelayProcess } from '../helpers/relay-process'

/**
 * Types into `room` and SIGKILLs the relay the moment it acknowledges having stored the edit:
 * the edit is durable, and the coalescing window of its feed entry (CONTENT_QUIET_MS after a lone edit) has not passed yet.
 * Resolves to how long after the edit the kill was sent.
 */
async function editThenKill(relay: ReturnType<typeof startRelayProcess>, wsUrl: string, room: string, text: string): Promise<number> {
  const client = connectClient(wsUrl, room, new Y.Doc())
  await whenSynced(client.provider)
  let editedAt = 0
  const killed = new Promise<number>((resolve) => {
    trackStoredAcks(client.provider, (stateVector) => {
      if (editedAt === 0 || (Y.decodeStateVector(stateVector).get(client.doc.clientID) ?? 0) === 0) return
      relay.child.kill('SIGKILL')
      resolve(performance.now() - editedAt)
    })
  })
  editedAt = performance.now()
  client.text.insert(0, text)
  const after = await killed
  await relay.exited
  client.provider.destroy()
  return after
}

/**
 * The relay CLI on a free port with a fresh data folder, listening; `start()` runs it again on the
 * same port and data (after the previous one stopped), as a restart after a crash or shutdown.
 */
async function relayProcessOnFreePort() {
  const dataDir = tempDir()
  const port = await freePort()
  const start = async () => {
    const relay = startRelayProcess(port, dataDir)
    await relay.listening()
    return relay
  }
  return { dataDir, url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}`, relay: await start(), start }
}

/** SIGTERM: the relay stores what it holds and exits. */
async function stopCleanly(relay: ReturnType<typeof startRelayProcess>): Promise<void> {
  relay.child.kill('SIGTERM')
  await relay.exited
}

function readOnly(file: string): Database.Database {
  return new Database(file, { readonly: true, fileMustExist: true })
}

describe('change feed after a crash', () => {
  it('lists a note whose edit was stored just before the relay was SIGKILLed (inside the coalescing window)', async () => {
    const { url, wsUrl, relay, start } = await relayProcessOnFreePort()
    const killedAfterMs = await editThenKill(relay, wsUrl, 'note/killed-early', 'stored, then the relay died')
    // The precondition of the test: the relay died before its feed write was due.
    expect(killedAfterMs).toBeLessThan(CONTENT_QUIET_MS)

    const again = await start()
    try {
      const feed = await allChanges(url)
      expect(feed.map((e) => e.id)).toEqual(['killed-early'])
      expect(feed[0]!.contentSeq).toBeGreaterThan(0)
      expect(feed[0]!.seq).toBe(feed[0]!.contentSeq)
      // The content is there too: a device that pulls the note because of this entry gets it.
      const reader = connectClient(wsUrl, 'note/killed-early', new Y.Doc())
      await whenSynced(reader.provider)
      expect(reader.text.toString()).toBe('stored, then the relay died')
    } finally {
      await stopCleanly(again)
    }
  }, 30_000)

  it('records again only what changed since the content cursor: notes recorded before the crash keep their entry', async () => {
    const { dataDir, url, wsUrl, relay, start } = await relayProcessOnFreePort()
    const early = connectClient(wsUrl, 'note/early', new Y.Doc())
    await whenSynced(early.provider)
    early.text.insert(0, 'recorded long before the crash')
    await waitFor('feed lists the early note', async () => (await allChanges(url)).some((e) => e.id === 'early'))
    const before = (await allChanges(url)).find((e) => e.id === 'early')!
    early.provider.destroy()
    // The running relay moves its cursor past the recorded edit (checked in its files).
    const docs = readOnly(join(dataDir, 'skein.sqlite'))
    const meta = readOnly(join(dataDir, 'meta.sqlite'))
    try {
      const latest = (docs.prepare('SELECT max(id) AS id FROM updates').get() as { id: number }).id
      await waitFor(
        'content cursor passed the early edit',
        () => ((meta.prepare("SELECT value FROM meta_state WHERE key = 'content_cursor'").get() as { value: number } | undefined)?.value ?? 0) >= latest,
        15_000,
      )
    } finally {
      docs.close()
      meta.close()
    }

    expect(await editThenKill(relay, wsUrl, 'note/late', 'stored, then the relay died')).toBeLessThan(CONTENT_QUIET_MS)
    const again = await start()
    try {
      const feed = await allChanges(url)
      expect(feed.find((e) => e.id === 'early')).toEqual(before)
      expect(feed.find((e) => e.id === 'late')?.contentSeq).toBeGreaterThan(before.seq)
    } finally {
      await stopCleanly(again)
    }
  }, 40_000)

  it('adds no feed entry on a clean restart: the cursor is stored at shutdown', async () => {
    const { url, wsUrl, relay, start } = await relayProcessOnFreePort()
    const writer = connectClient(wsUrl, 'note/clean', new Y.Doc())
    await whenSynced(writer.provider)
    writer.text.insert(0, 'typed just before a clean shutdown')
    await new Promise((resolve) => setTimeout(resolve, 50))
    writer.provider.destroy()
    await stopCleanly(relay)
    const first = await start()
    const feed = await allChanges(url)
    expect(feed.map((e) => [e.id, e.contentSeq > 0])).toEqual([['clean', true]])
    await stopCleanly(first)
    const second = await start()
    try {
      expect(await allChanges(url)).toEqual(feed)
    } finally {
      await stopCleanly(second)
    }
  }, 30_000)
})
