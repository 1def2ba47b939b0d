import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness'
import { peersOf, publishUser } from '../../renderer/presence/peers'
import { rejoinOnReconnect } from '../../renderer/presence/rejoin'
import { peersStore } from '../../renderer/presence/use-presence'

type Listener = (event: { status: string }) => void

/** Just the provider's `status` events. */
function fakeProvider() {
  const listeners = new Set<Listener>()
  return {
    on: (_: 'status', l: Listener) => void listeners.add(l),
    off: (_: 'status', l: Listener) => void listeners.delete(l),
    emit: (status: string) => listeners.forEach((l) => l({ status })),
  }
}

/** What y-websocket sends on (re)connecting: this client's current state. */
const announce = (from: Awareness, to: Awareness): void =>
  applyAwarenessUpdate(to, encodeAwarenessUpdate(from, [from.clientID]), 'relay')

describe('presence', () => {
  it("wakes the who's-here list when someone comes, goes or renames, not when a caret moves", () => {
    const mine = new Awareness(new Y.Doc())
    const theirs = new Awareness(new Y.Doc())
    publishUser(mine, { name: 'Ann', color: '#112233' })
    const store = peersStore(mine)
    let wakes = 0
    const stop = store.subscribe(() => wakes++)
    const before = store.get()

    mine.setLocalStateField('cursor', { anchor: 1, head: 1 })
    mine.setLocalStateField('cursor', { anchor: 2, head: 2 })
    expect(wakes).toBe(0)
    expect(store.get()).toBe(before)

    publishUser(theirs, { name: 'Bob', color: '#445566' })
    announce(theirs, mine)
    expect(wakes).toBe(1)
    theirs.setLocalStateField('cursor', { anchor: 5, head: 5 })
    announce(theirs, mine)
    expect(wakes).toBe(1)
    publishUser(theirs, { name: 'Bobby', color: '#445566' })
    announce(theirs, mine)
    expect(wakes).toBe(2)
    expect(store.get().map((p) => p.name)).toEqual(['Ann', 'Bobby'])
    removeAwarenessStates(mine, [theirs.clientID], 'test')
    expect(wakes).toBe(3)
    expect(store.get().map((p) => p.name)).toEqual(['Ann'])
    stop()
  })

  it('lists this window first, then peers by name, with sanitized names and colors', () => {
    const mine = new Awareness(new Y.Doc())
    const theirs = new Awareness(new Y.Doc())
    const other = new Awareness(new Y.Doc())
    publishUser(mine, { name: 'Zoe', color: '#112233' })
    publishUser(theirs, { name: 'Bob', color: '#445566' })
    other.setLocalStateField('user', { name: '  Al  ', color: 'red; background: url(x)' })
    announce(theirs, mine)
    announce(other, mine)
    expect(peersOf(mine).map(({ name, color, self }) => ({ name, color, self }))).toEqual([
      { name: 'Zoe', color: '#112233', self: true },
      { name: 'Al', color: '#6b7280', self: false },
      { name: 'Bob', color: '#445566', self: false },
    ])
  })

  it('leaves out clients that publish no user (e.g. a note closed in that window)', () => {
    const mine = new Awareness(new Y.Doc())
    const theirs = new Awareness(new Y.Doc())
    publishUser(mine, { name: 'Zoe', color: '#112233' })
    theirs.setLocalStateField('user', null)
    announce(theirs, mine)
    expect(peersOf(mine).map((p) => p.name)).toEqual(['Zoe'])
  })

  it('shows a peer again as soon as its connection comes back', () => {
    const alice = new Awareness(new Y.Doc())
    const bob = new Awareness(new Y.Doc())
    const provider = fakeProvider()
    rejoinOnReconnect(provider, alice)
    publishUser(alice, { name: 'Alice', color: '#e11d48' })
    announce(alice, bob)
    expect(peersOf(bob).map((p) => p.name)).toContain('Alice')

    // Alice's connection drops: Bob (like the relay) forgets her state but keeps its clock.
    removeAwarenessStates(bob, [alice.clientID], 'relay')
    expect(peersOf(bob).map((p) => p.name)).not.toContain('Alice')

    provider.emit('connected')
    announce(alice, bob)
    expect(peersOf(bob).map((p) => p.name)).toContain('Alice')
  })
})
