// A client that sends its edits and hangs up before the relay has finished loading the room (a
// cold room on a slow disk; a window closed right after typing) must not lose those edits: the
// relay stores them although there is nobody left to answer.

import { describe, it } from 'vitest'
import * as Y from 'yjs'
import { encodeSyncUpdate } from '../../protocol/encode'
import { SqliteStorage } from '../../server/storage/sqlite'
import { closeEvent, connectClient, rawSocket, startTestRelay, tempDir, waitFor, whenSynced } from '../helpers/relay'
import type { RoomId } from '../../server/room-id'
import { MemoryMetaStorage } from '../../server/meta/memory-store'
import { MemoryBlobStorage } from '../../server/blobs/memory'

/** SQLite storage whose room loads wait until `open()` is called. */
class GatedStorage extends SqliteStorage {
  private release: () => void = () => {}
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve))
  open(): void {
    this.release()
  }
  override async load(room: RoomId): Promise<Uint8Array | null> {
    await this.gate
    return super.load(room)
  }
}

/**
 * Sends `frames` to a room whose load is held back, hangs up, lets the room load, and waits for
 * a stock client to find `expected` there.
 */
async function textAfterEarlyHangUp(room: string, frames: Uint8Array[], expected: string): Promise<void> {
  const storage = new GatedStorage(tempDir())
  const relay = await startTestRelay({ storage: { docs: storage, meta: new MemoryMetaStorage(), blobs: new MemoryBlobStorage() } })
  const ws = await rawSocket(relay.wsUrl, room)
  for (const frame of frames) ws.send(frame)
  const closed = closeEvent(ws)
  ws.close(1000)
  await closed

  storage.open()
  const reader = connectClient(relay.wsUrl, room)
  await whenSynced(reader.provider)
  await waitFor(`"${expected}" on the relay`, () => reader.text.toString() === expected)
}

function typed(text: string): Uint8Array {
  const doc = new Y.Doc()
  doc.getText('t').insert(0, text)
  return encodeSyncUpdate(Y.encodeStateAsUpdate(doc))
}

describe('a peer that hangs up before its room is loaded', () => {
  it('still has the edits it sent stored', async () => {
    await textAfterEarlyHangUp('note/early', [typed('sent before the room loaded')], 'sent before the room loaded')
  })

  it('skips a malformed frame among them and keeps serving the room', async () => {
    const garbage = new Uint8Array([0, 2, 5, 1, 2, 3]) // an update frame whose update is garbage
    await textAfterEarlyHangUp('note/mixed', [garbage, typed('kept')], 'kept')
  })
})
