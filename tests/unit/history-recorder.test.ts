import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { NOTE_FRAGMENT } from '../../protocol/notes'
import { HistoryRecorder } from '../../renderer/history/recorder'
import { listVersions } from '../../renderer/history/versions'
import { noteText } from '../../renderer/search/text'
import { ConnectionStatusStore } from '../../renderer/sync/connection-status'
import { DocHandle } from '../../renderer/sync/doc-registry'

const IDLE = 1000

/** The parts of a DocHandle the recorder uses, with the real test of which changes are local. */
function fakeHandle(status: 'offline' | 'connecting' = 'connecting', provider: object | null = {}) {
  const connection = new ConnectionStatusStore(true)
  connection.set(status)
  const handle = {
    doc: new Y.Doc(),
    persistence: {},
    provider,
    connection,
    whenLoaded: Promise.resolve(),
    destroyed: false,
    isLocalChange(origin: unknown): boolean {
      return DocHandle.prototype.isLocalChange.call(this as unknown as DocHandle, origin)
    },
  }
  return handle as typeof handle & DocHandle
}

function type(doc: Y.Doc, text: string, origin: unknown = null): void {
  const fragment = doc.getXmlFragment(NOTE_FRAGMENT)
  doc.transact(() => {
    const paragraph = new Y.XmlElement('paragraph')
    paragraph.insert(0, [new Y.XmlText(text)])
    fragment.insert(fragment.length, [paragraph])
  }, origin)
}

const flush = () => vi.advanceTimersByTimeAsync(0)

describe('automatic versions', () => {
  let note: ReturnType<typeof fakeHandle>
  let history: ReturnType<typeof fakeHandle>
  let recorder: HistoryRecorder
  beforeEach(() => {
    vi.useFakeTimers()
    note = fakeHandle()
    history = fakeHandle()
    recorder = new HistoryRecorder(note, history, { author: () => 'Ada', idleMs: IDLE })
  })
  afterEach(() => {
    recorder.destroy()
    vi.useRealTimers()
  })

  it('saves one version once the writer pauses after editing', async () => {
    type(note.doc, 'one')
    await vi.advanceTimersByTimeAsync(IDLE / 2)
    type(note.doc, 'two')
    await vi.advanceTimersByTimeAsync(IDLE / 2)
    expect(listVersions(history.doc)).toHaveLength(0) // still typing
    await vi.advanceTimersByTimeAsync(IDLE)
    const versions = listVersions(history.doc)
    expect(versions).toHaveLength(1)
    expect(versions[0]).toMatchObject({ auto: true, by: 'Ada' })
  })

  it('does not count updates from the relay or from disk as edits', async () => {
    type(note.doc, 'from the relay', note.provider)
    type(note.doc, 'from disk', note.persistence)
    await vi.advanceTimersByTimeAsync(IDLE * 2)
    expect(listVersions(history.doc)).toHaveLength(0)
  })

  it('counts edits made while no relay is known (no provider yet) as edits', async () => {
    recorder.destroy()
    note = fakeHandle('offline', null)
    recorder = new HistoryRecorder(note, history, { author: () => 'Ada', idleMs: IDLE })
    type(note.doc, 'typed with no relay', null)
    await vi.advanceTimersByTimeAsync(IDLE * 2)
    expect(listVersions(history.doc)).toHaveLength(1)
  })

  it('records the local state before the relay’s updates when coming back online', async () => {
    type(note.doc, 'written offline', note.persistence)
    note.connection.set('offline')
    note.connection.set('connecting') // y-websocket's socket opened; no sync message read yet
    type(note.doc, 'merged from the relay', note.provider)
    await flush()
    const versions = listVersions(history.doc)
    expect(versions).toHaveLength(1)
    const then = new Y.Doc()
    Y.applyUpdate(then, versions[0]!.state)
    expect(noteText(then)).toBe('written offline')
  })

  it('does not save the same state twice', async () => {
    type(note.doc, 'text')
    await vi.advanceTimersByTimeAsync(IDLE * 2)
    note.connection.set('offline')
    note.connection.set('connecting')
    await flush()
    expect(listVersions(history.doc)).toHaveLength(1)
  })

  it('saves pending edits when the note is closed before the pause', async () => {
    type(note.doc, 'closing soon')
    recorder.destroy()
    await flush()
    expect(listVersions(history.doc)).toHaveLength(1)
  })
})
