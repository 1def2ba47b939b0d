import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { IndexeddbPersistence } from 'y-indexeddb'
import { ObservableV2 } from 'lib0/observable'
import type { WebsocketProvider } from 'y-websocket'
import { ConnectionStatusStore, shouldReconnect } from '../../renderer/sync/connection-status'
import { LocalSaveTracker } from '../../renderer/sync/local-save'

type Events = {
  status: (event: { status: 'connected' | 'disconnected' | 'connecting' }) => void
  sync: (synced: boolean) => void
  'connection-close': (event: unknown) => void
  'connection-error': (event: unknown) => void
}

/** Emits the same events, in the same order, as y-websocket's provider does. */
class FakeProvider extends ObservableV2<Events> {
  wsconnected = false
  synced = false
  attempt(): void {
    this.emit('status', [{ status: 'connecting' }])
  }
  refused(): void {
    this.emit('connection-close', [null]) // never connected: no `disconnected` status
  }
  open(): void {
    this.wsconnected = true
    this.emit('status', [{ status: 'connected' }])
  }
  synchronised(): void {
    this.synced = true
    this.emit('sync', [true])
  }
  /** What the stock provider does when the relay closes with a code: opened, then closed. */
  closedByRelay(code: number): void {
    this.wsconnected = true
    this.emit('status', [{ status: 'connected' }])
    this.emit('connection-close', [{ code, reason: 'missing token' }])
    this.wsconnected = false
    this.emit('status', [{ status: 'disconnected' }])
  }
  drop(): void {
    this.emit('connection-close', [null])
    this.wsconnected = false
    this.synced = false
    this.emit('status', [{ status: 'disconnected' }])
  }
}

describe('ConnectionStatusStore', () => {
  it('goes connecting → connected only after the first sync', () => {
    const store = new ConnectionStatusStore(true)
    const provider = new FakeProvider()
    store.follow(provider as unknown as WebsocketProvider)
    expect(store.get()).toBe('connecting')
    provider.attempt()
    provider.open()
    expect(store.get()).toBe('connecting')
    provider.synchronised()
    expect(store.get()).toBe('connected')
  })

  it('says offline when the relay refuses, and stays offline through retries', () => {
    const store = new ConnectionStatusStore(true)
    const provider = new FakeProvider()
    store.follow(provider as unknown as WebsocketProvider)
    provider.attempt()
    provider.refused()
    expect(store.get()).toBe('offline')
    provider.attempt() // backoff retry
    expect(store.get()).toBe('offline')
    provider.open()
    provider.synchronised()
    expect(store.get()).toBe('connected')
  })

  it('says offline when an established connection drops', () => {
    const store = new ConnectionStatusStore(true)
    const provider = new FakeProvider()
    store.follow(provider as unknown as WebsocketProvider)
    provider.attempt()
    provider.open()
    provider.synchronised()
    provider.drop()
    expect(store.get()).toBe('offline')
    provider.attempt()
    expect(store.get()).toBe('offline')
  })

  it('says the relay refused this device when it closes with 4401, and stays so (no retries follow)', () => {
    const store = new ConnectionStatusStore(true)
    const provider = new FakeProvider()
    store.follow(provider as unknown as WebsocketProvider)
    provider.attempt()
    provider.closedByRelay(4401)
    expect(store.get()).toBe('unauthorized')
    provider.emit('connection-error', [null])
    provider.attempt()
    expect(store.get()).toBe('unauthorized')
    // A deliberate reconnect (e.g. with a new token) that succeeds clears it.
    provider.open()
    provider.synchronised()
    expect(store.get()).toBe('connected')
  })

  it('tells other permanent refusals (4400–4499) apart from being offline', () => {
    const store = new ConnectionStatusStore(true)
    const provider = new FakeProvider()
    store.follow(provider as unknown as WebsocketProvider)
    provider.attempt()
    provider.closedByRelay(4403)
    expect(store.get()).toBe('refused')
  })

  it('says a note is too large for the relay (4413, and 1009 for a frame over its limit), and stops retrying', () => {
    for (const code of [4413, 1009]) {
      const store = new ConnectionStatusStore(true)
      const provider = new FakeProvider()
      store.follow(provider as unknown as WebsocketProvider)
      provider.attempt()
      provider.closedByRelay(code)
      expect(store.get(), String(code)).toBe('too-large')
      expect(shouldReconnect({ code } as CloseEvent), String(code)).toBe(false)
    }
    expect(shouldReconnect({ code: 4529 } as CloseEvent)).toBe(true)
    expect(shouldReconnect({ code: 1006 } as CloseEvent)).toBe(true)
  })

  it('treats a transient close code (e.g. 4529 rate limited, 1001 going away) as offline', () => {
    for (const code of [4529, 1001]) {
      const store = new ConnectionStatusStore(true)
      const provider = new FakeProvider()
      store.follow(provider as unknown as WebsocketProvider)
      provider.attempt()
      provider.closedByRelay(code)
      expect(store.get(), String(code)).toBe('offline')
    }
  })

  it('is offline from the start when there is no relay to talk to', () => {
    expect(new ConnectionStatusStore(false).get()).toBe('offline')
  })
})

describe('LocalSaveTracker', () => {
  it('reports saved only once local updates are committed to IndexedDB', async () => {
    const name = `skein:test-${crypto.randomUUID()}`
    const doc = new Y.Doc()
    const persistence = new IndexeddbPersistence(name, doc)
    const tracker = new LocalSaveTracker(doc, persistence)
    const saved = (): Promise<void> =>
      new Promise((resolve) => {
        if (tracker.get() === 'saved') return resolve()
        const stop = tracker.subscribe(() => {
          if (tracker.get() === 'saved') {
            stop()
            resolve()
          }
        })
      })
    await persistence.whenSynced
    await saved()

    doc.getText('t').insert(0, 'hello')
    expect(tracker.get()).toBe('saving')
    await saved()

    // What "saved" claims is really there: a fresh load sees it.
    const again = new Y.Doc()
    const reader = new IndexeddbPersistence(name, again)
    await reader.whenSynced
    expect(again.getText('t').toString()).toBe('hello')

    tracker.destroy()
    await reader.destroy()
    await persistence.clearData()
  })
})
