import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react'
import type { DocHandle } from '../sync/doc-registry'
import { derivedStore, type ReadableStore } from '../sync/store'
import { HistoryRecorder } from './recorder'
import { VERSIONS_KEY, listVersions, type Version } from './versions'

function versionsStore(history: DocHandle): ReadableStore<Version[]> {
  const array = history.doc.getArray(VERSIONS_KEY)
  return derivedStore(
    () => listVersions(history.doc),
    (changed) => {
      array.observe(changed)
      return () => array.unobserve(changed)
    },
  )
}

/** The note's versions, newest first, live (local saves and ones synced from other devices). */
export function useVersions(history: DocHandle): Version[] {
  const store = useMemo(() => versionsStore(history), [history])
  return useSyncExternalStore(store.subscribe, store.get)
}

/** Takes automatic versions of the note while it is open (see recorder.ts). */
export function useHistoryRecorder(note: DocHandle, history: DocHandle, author: string): void {
  // A ref, so the profile arriving after mount does not restart (and flush) the recorder.
  const authorRef = useRef(author)
  useEffect(() => {
    authorRef.current = author
  }, [author])
  useEffect(() => {
    const recorder = new HistoryRecorder(note, history, { author: () => authorRef.current })
    return () => recorder.destroy()
  }, [note, history])
}
