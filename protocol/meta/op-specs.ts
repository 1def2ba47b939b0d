// The registry of op kinds: every kind's spec (op-spec.ts), and the types derived from them.
// An op kind exists by being here; the wire types (`MetaOp`, `OpPayloads`) and the union of
// conflict-checked fields are computed from the specs, never written out.

import { FOLDER_OPS } from './folder-ops.js'
import { NOTE_OPS } from './note-ops.js'
import type { OpOf, OpSpec, PayloadOf } from './op-spec.js'
import type { EntityRecord, EntityType } from './types.js'

export const OP_SPECS = { ...NOTE_OPS, ...FOLDER_OPS }

export type OpKind = keyof typeof OP_SPECS

export type OpPayloads = { [K in OpKind]: PayloadOf<(typeof OP_SPECS)[K]> }

export type MetaOp = { [K in OpKind]: OpOf<K, OpPayloads[K]> }[OpKind]

/** Every conflict-checked field name (the keys of a record's `conflicts`), from the specs that set one. */
export type ConflictField = NonNullable<(typeof OP_SPECS)[OpKind]['conflict']>['name']

export const OP_KINDS = Object.keys(OP_SPECS) as OpKind[]

/** Any op's spec, for code that handles every kind alike (it receives ops of the spec's own kind). */
// Method parameters are bivariant, so each specific spec is one of these.
export type AnyOpSpec = OpSpec<OpKind, unknown, EntityRecord, ConflictField>

const BY_KIND: ReadonlyMap<string, AnyOpSpec> = new Map(Object.entries(OP_SPECS as Record<OpKind, AnyOpSpec>))

for (const [kind, spec] of BY_KIND) {
  // entityTypeOf (types.ts) reads the kind's prefix; a spec must agree with it.
  if (kind !== spec.kind || !kind.startsWith(`${spec.entityType}.`)) throw new Error(`op spec ${kind} is registered under the wrong kind or entity type`)
  if ((spec.decide === undefined) === (spec.onLive === undefined)) throw new Error(`op spec ${kind} must have exactly one of decide and onLive`)
}

export function isOpKind(kind: unknown): kind is OpKind {
  return typeof kind === 'string' && BY_KIND.has(kind)
}

/** The spec of `kind`; throws for a kind that has none (a bug: ops are parsed before they are used). */
export function specOf(kind: string): AnyOpSpec {
  const spec = BY_KIND.get(kind)
  if (!spec) throw new TypeError(`no op spec for kind ${JSON.stringify(kind)}`)
  return spec
}

/** The spec of the op that sets the conflict-checked `field` of a `type`, or undefined when there is none. */
export function conflictSpecOf(type: EntityType, field: string): AnyOpSpec | undefined {
  for (const spec of BY_KIND.values()) if (spec.entityType === type && spec.conflict?.name === field) return spec
  return undefined
}

/** The field an op's base version refers to; ops on the same field of an entity chain. Null: the whole entity. */
export function fieldKeyOf(op: Pick<MetaOp, 'kind' | 'payload'>): string | null {
  const spec = specOf(op.kind)
  return spec.conflict?.name ?? spec.field?.key(op.payload) ?? null
}
