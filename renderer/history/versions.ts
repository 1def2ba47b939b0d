// A note's saved versions, kept in a Y.Doc of their own (room `history/<noteId>`, see
// protocol/rooms.ts) so they persist in IndexedDB and sync through the relay like any note.
//
// Each version is one entry in a Y.Array: the whole note as `Y.encodeStateAsUpdate` at that
// moment. Entries are plain values (Yjs encodes Uint8Array natively) and never edited: a version
// is added or, for automatic ones beyond the cap, deleted.
//
// Restoring never rewinds the note's history: the old content replaces the current content in
// one new transaction on the live doc, which syncs and merges like any other edit.

import * as Y from 'yjs'
import { NOTE_FRAGMENT } from '../../protocol/notes'

/** The Y.Array of versions inside a history doc. */
export const VERSIONS_KEY = 'versions'
/** Automatic versions kept per note; named ones are never pruned. */
export const MAX_AUTO_VERSIONS = 50

export interface Version {
  readonly id: string
  /** Empty for automatic versions. */
  readonly name: string
  /** Milliseconds since the epoch on the device that saved it: for display only, clocks differ. */
  readonly at: number
  readonly auto: boolean
  /** Display name of whoever saved it. */
  readonly by: string
  /** The whole note then: `Y.encodeStateAsUpdate(noteDoc)`. */
  readonly state: Uint8Array
}

export type VersionDraft = Omit<Version, 'state' | 'id'> & { id?: string }

function versionsOf(history: Y.Doc): Y.Array<Version> {
  return history.getArray<Version>(VERSIONS_KEY)
}

function isVersion(value: unknown): value is Version {
  const v = value as Partial<Version> | null
  return typeof v === 'object' && v !== null && typeof v.id === 'string' && typeof v.at === 'number' && v.state instanceof Uint8Array
}

/** Every version, newest first (by saved time, then id so all devices agree on ties). */
export function listVersions(history: Y.Doc): Version[] {
  return versionsOf(history)
    .toArray()
    .filter(isVersion)
    .sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
}

/** True when `note` holds exactly what `version` recorded (nothing added since). */
export function sameAsVersion(note: Y.Doc, version: Version): boolean {
  const now = Y.decodeStateVector(Y.encodeStateVector(note))
  const then = Y.decodeStateVector(Y.encodeStateVectorFromUpdate(version.state))
  if (now.size !== then.size) return false
  for (const [client, clock] of now) if (then.get(client) !== clock) return false
  return true
}

/**
 * Records `state` (the note at some moment) as a new version and prunes automatic versions beyond
 * `maxAuto`, oldest first, in the same transaction. Returns the new version.
 */
export function addVersion(history: Y.Doc, state: Uint8Array, draft: VersionDraft, maxAuto = MAX_AUTO_VERSIONS): Version {
  const version: Version = { ...draft, id: draft.id ?? crypto.randomUUID(), state }
  const versions = versionsOf(history)
  history.transact(() => {
    versions.push([version])
    const autos = versions
      .toArray()
      .map((entry, index) => ({ entry, index }))
      .filter(({ entry }) => isVersion(entry) && entry.auto)
      .sort((a, b) => a.entry.at - b.entry.at)
    const excess = autos.slice(0, Math.max(0, autos.length - maxAuto))
    // Delete from the end so earlier indexes stay valid.
    for (const { index } of excess.sort((a, b) => b.index - a.index)) versions.delete(index, 1)
  })
  return version
}

/** A throwaway doc holding a version's note, for reading it (text, rendering). */
export function loadVersion(version: Version): Y.Doc {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, version.state)
  return doc
}

/**
 * Makes `note` hold `version`'s content again, as one new local transaction (origin `origin`):
 * the current blocks are deleted and copies of the old ones inserted. Collaborators receive it as
 * an ordinary update; nothing of the note's history is rewritten.
 */
export function restoreVersion(note: Y.Doc, version: Version, origin: unknown = null): void {
  const old = loadVersion(version)
  try {
    const blocks = old
      .getXmlFragment(NOTE_FRAGMENT)
      .toArray()
      .filter((node): node is Y.XmlElement | Y.XmlText => !(node instanceof Y.XmlHook)) // y-prosemirror never writes hooks
      .map((node) => node.clone())
    const fragment = note.getXmlFragment(NOTE_FRAGMENT)
    note.transact(() => {
      fragment.delete(0, fragment.length)
      fragment.insert(0, blocks)
    }, origin)
  } finally {
    old.destroy()
  }
}
