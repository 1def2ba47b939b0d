// When the registry may close a note's document. Background sync opens and releases notes all the
// time; a window that opens the same note at that moment must get a live document, never one
// closed under it (an editor bound to a closed doc shows nothing the relay sends).

import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { noteRoom } from '../../protocol/rooms'
import { DocRegistry } from '../../renderer/sync/doc-registry'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
let n = 0
const room = () => noteRoom(`00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`)

describe('note document lifetime', () => {
  it('keeps a released handle alive when it is fetched again before being retained', async () => {
    const registry = new DocRegistry(Promise.resolve(null))
    const name = room()
    const handle = registry.get(name)
    registry.retain(handle)
    await handle.whenLoaded
    registry.release(handle) // e.g. background sync finished with it

    await sleep(200)
    // A component renders (gets the handle) now, and retains it in an effect a little later.
    expect(registry.get(name)).toBe(handle)
    await sleep(150)
    expect(handle.destroyed).toBe(false)
    registry.retain(handle)
    await sleep(400)
    expect(handle.destroyed).toBe(false)
    expect(registry.get(name)).toBe(handle)
    registry.release(handle)
  })

  it('still closes a handle that nobody retains, shortly after its last use', async () => {
    const registry = new DocRegistry(Promise.resolve(null))
    const name = room()
    const handle = registry.get(name)
    await handle.whenLoaded
    await sleep(200)
    registry.get(name)
    await sleep(400)
    expect(handle.destroyed).toBe(true)
    const fresh = registry.get(name)
    expect(fresh).not.toBe(handle)
    expect(fresh.destroyed).toBe(false)
  })
})

describe('unsaved edits', () => {
  it('counts a doc with an edit not yet committed to IndexedDB, and stops once it is', async () => {
    const registry = new DocRegistry(Promise.resolve(null))
    const handle = registry.get(room())
    registry.retain(handle)
    await handle.whenLoaded
    expect(registry.unsavedDocs.get()).toBe(0) // loading writes nothing the disk lacks

    const seen: number[] = []
    const stop = registry.unsavedDocs.subscribe(() => seen.push(registry.unsavedDocs.get()))
    handle.doc.getText('t').insert(0, 'typed')
    expect(registry.unsavedDocs.get()).toBe(1)
    await new Promise<void>((resolve) => {
      const off = registry.unsavedDocs.subscribe(() => {
        if (registry.unsavedDocs.get() === 0) resolve(off())
      })
    })
    expect(seen).toEqual([1, 0])
    stop()
    registry.release(handle)
  })
})
