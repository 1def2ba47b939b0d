// Validation of metadata ops as they arrive from a peer. Pure: unknown JSON in, a typed op or
// the reason it is malformed out. Limits here are the contract; the app enforces the same ones
// before it writes an op, so a valid user action never produces an op the relay refuses. Each
// kind's payload is read by its spec (op-specs.ts).

import { isOpKind, specOf, type MetaOp } from './op-specs.js'
import type { Actor } from './types.js'
import { fail, id, isObject, LIMITS, noExtraKeys, OpParseError, text } from './validate.js'

export { cleanText, isValidId, LIMITS, OpParseError } from './validate.js'

function actorOf(raw: unknown): Actor {
  if (!isObject(raw)) fail('actor must be an object')
  noExtraKeys(raw, ['device', 'name'], 'actor')
  return { device: id(raw.device, 'actor.device'), name: text(raw.name, 'actor.name', LIMITS.actorNameLength, true) }
}

function payloadOf(kind: MetaOp['kind'], raw: unknown): MetaOp['payload'] {
  if (!isObject(raw)) fail('payload must be an object')
  const spec = specOf(kind)
  noExtraKeys(raw, spec.payloadKeys, 'payload')
  return spec.parse(raw) as MetaOp['payload']
}

/** A typed op from untrusted JSON; throws OpParseError with the first problem found. */
export function parseOp(raw: unknown): MetaOp {
  if (!isObject(raw)) fail('op must be an object')
  noExtraKeys(raw, ['opId', 'kind', 'entity', 'baseVersion', 'actor', 'payload'], 'op')
  const kind = raw.kind
  if (!isOpKind(kind)) fail(`unknown op kind ${JSON.stringify(kind)}`)
  const baseVersion = raw.baseVersion
  if (typeof baseVersion !== 'number' || !Number.isSafeInteger(baseVersion) || baseVersion < 0) fail('baseVersion must be a non-negative integer')
  return {
    opId: id(raw.opId, 'opId'),
    kind,
    entity: id(raw.entity, 'entity'),
    baseVersion,
    actor: actorOf(raw.actor),
    payload: payloadOf(kind, raw.payload),
  } as MetaOp
}

/** The ops of a POST /v1/ops body; throws OpParseError naming the op index at fault. */
export function parseOpsRequest(raw: unknown): MetaOp[] {
  if (!isObject(raw) || !Array.isArray(raw.ops)) throw new OpParseError('body must be {"ops":[...]}')
  if (raw.ops.length === 0) throw new OpParseError('ops must not be empty')
  if (raw.ops.length > LIMITS.opsPerRequest) throw new OpParseError(`at most ${LIMITS.opsPerRequest} ops per request`)
  return raw.ops.map((op, i) => {
    try {
      return parseOp(op)
    } catch (err) {
      throw new OpParseError(`ops[${i}]: ${(err as Error).message}`)
    }
  })
}
