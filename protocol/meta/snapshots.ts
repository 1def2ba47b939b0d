// Content snapshots carried by trash and delete-forever ops: what the acting device had seen of a
// note's content. "Edits the trashing device had not seen" is decided by comparing content with
// these, never by clocks (see docs/sync-rules.md).

import * as Y from 'yjs'
import { fromBase64, toBase64 } from 'lib0/buffer'

export function encodeContentSnapshot(doc: Y.Doc): string {
  return toBase64(Y.encodeSnapshot(Y.snapshot(doc)))
}

function decode(snapshot: string): Y.Snapshot | null {
  try {
    return Y.decodeSnapshot(fromBase64(snapshot))
  } catch {
    return null
  }
}

/** Everything either snapshot saw: two devices that both trashed a note saw the union. */
export function unionSnapshots(a: string | null, b: string): string {
  const left = a === null ? null : decode(a)
  const right = decode(b)
  if (!left) return b
  if (!right) return a!
  const sv = new Map(left.sv)
  for (const [client, clock] of right.sv) sv.set(client, Math.max(clock, sv.get(client) ?? 0))
  return toBase64(Y.encodeSnapshot(Y.createSnapshot(Y.mergeDeleteSets([left.ds, right.ds]), sv)))
}

/**
 * True when `contentUpdate` (a full encoded document state) holds an insert or a deletion that
 * `snapshot` does not. An unreadable snapshot counts as "yes": keeping content beats losing it.
 */
export function hasUnseenEdits(contentUpdate: Uint8Array, snapshot: string): boolean {
  const seen = decode(snapshot)
  if (!seen) return true
  return !Y.snapshotContainsUpdate(seen, contentUpdate)
}

type Struct = ReturnType<typeof Y.decodeUpdate>['structs'][number]

/**
 * For each client, the clock just past the last item of its that `structs` hold: what a purged
 * document had, remembered without its content. Skips (gaps in an update) count for nothing.
 */
export function reachedClocks(structs: readonly Struct[]): Map<number, number> {
  const reached = new Map<number, number>()
  for (const s of structs) {
    if (s instanceof Y.Skip) continue
    const end = s.id.clock + s.length
    if (end > (reached.get(s.id.client) ?? 0)) reached.set(s.id.client, end)
  }
  return reached
}

/** `reachedClocks` of an encoded update, as an encoded state vector. */
export function reachedStateVector(update: Uint8Array): Uint8Array {
  return Y.encodeStateVector(reachedClocks(Y.decodeUpdate(update).structs))
}

/**
 * True when `structs` insert anything past `reached` (a decoded `reachedStateVector`): content the
 * document summed up by `reached` never had. Deletions do not count: they add no text.
 */
export function insertsBeyond(structs: readonly Struct[], reached: ReadonlyMap<number, number>): boolean {
  return structs.some((s) => !(s instanceof Y.Skip) && s.id.clock + s.length > (reached.get(s.id.client) ?? 0))
}

/** `insertsBeyond` for an encoded update and an encoded state vector. */
export function updateInsertsBeyond(update: Uint8Array, stateVector: Uint8Array): boolean {
  return insertsBeyond(Y.decodeUpdate(update).structs, Y.decodeStateVector(stateVector))
}
