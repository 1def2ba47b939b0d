import { useEffect, useMemo, useState, useSyncExternalStore } from 'react'
import type { Awareness } from 'y-protocols/awareness'
import { getProfile, type Profile } from '../platform'
import { profileFrom } from '../platform/profile'
import { derivedStore, type ReadableStore } from '../sync/store'
import { USER_FIELD, peersOf, publishUser, samePeers, type Peer } from './peers'

/** This device's presence profile (name, color); the defaults until settings are read. */
export function useProfile(): Profile {
  // This device's identity at once (from localStorage), then the stored settings.
  const [profile, setProfile] = useState<Profile>(() => profileFrom({}))
  useEffect(() => {
    let live = true
    void getProfile().then((p) => live && setProfile(p))
    return () => {
      live = false
    }
  }, [])
  return profile
}

/** Announces `profile` on `awareness` while mounted; leaving the note withdraws it. */
export function usePublishedUser(awareness: Awareness, profile: Profile): void {
  useEffect(() => {
    publishUser(awareness, profile)
    return () => awareness.setLocalStateField(USER_FIELD, null)
  }, [awareness, profile])
}

export function peersStore(awareness: Awareness): ReadableStore<Peer[]> {
  return derivedStore(
    () => peersOf(awareness),
    (changed) => {
      awareness.on('change', changed)
      return () => awareness.off('change', changed)
    },
    // Every caret move is an awareness change; the list only changes when someone comes or goes.
    samePeers,
  )
}

/** Everyone present in the note, live. */
export function usePeers(awareness: Awareness): Peer[] {
  const store = useMemo(() => peersStore(awareness), [awareness])
  return useSyncExternalStore(store.subscribe, store.get)
}
