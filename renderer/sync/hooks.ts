import { useEffect, useReducer, useSyncExternalStore } from 'react'
import type { DocHandle, DocRegistry } from './doc-registry'
import type { LocalSaveState } from './local-save'

/** The handle for `room`, kept open while the calling component is mounted. */
export function useDocHandle(registry: DocRegistry, room: string): DocHandle {
  const handle = registry.get(room)
  const [, rerender] = useReducer((n: number) => n + 1, 0)
  useEffect(() => {
    // Rendering and this effect can be far apart on a busy main thread; a handle collected in
    // between is dead (no provider, destroyed doc), so render again to get a live one.
    if (handle.destroyed) return rerender()
    registry.retain(handle)
    return () => registry.release(handle)
  }, [registry, handle])
  return handle
}

export function useLocalSave(handle: DocHandle): LocalSaveState {
  return useSyncExternalStore(handle.localSave.subscribe, handle.localSave.get)
}
