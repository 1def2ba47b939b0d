// Validation of metadata ops as they arrive from a peer. Pure: unknown JSON in, a typed op or
// the reason it is malformed out. Limits here are the contract; the app enforces the same ones
// before it writes an op, so a valid user action never produces an op the relay refuses.

import { OP_KINDS, type Actor, type MetaOp, type OpKind } from './types.js'

export const LIMITS = {
  idLength: 64,
  titleLength: 200,
  tagLength: 64,
  tagsPerNote: 100,
  actorNameLength: 100,
  /** A base64 Yjs snapshot; large documents have large delete sets. */
  snapshotLength: 4 * 1024 * 1024,
  opsPerRequest: 200,
  /**
   * Largest POST /v1/ops body: one op with the largest snapshot (4 MiB of base64: trashing a note
   * with a long history) plus the rest of a batch. Clients size their batches to fit.
   */
  opsBodyBytes: 8 * 1024 * 1024,
} as const

const ID = /^[A-Za-z0-9_-]+$/
// Base64 as the app writes it (btoa): standard alphabet, padded.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

export class OpParseError extends Error {
  override readonly name = 'OpParseError'
}

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

function fail(message: string): never {
  throw new OpParseError(message)
}

export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= LIMITS.idLength && ID.test(value)
}

/** Collapses whitespace and trims; titles, names and tags are compared in this form. */
export function cleanText(value: string): string {
  return value.replace(/\s+/g, ' ').trim()
}

function id(value: unknown, what: string): string {
  if (!isValidId(value)) fail(`${what} must be 1–${LIMITS.idLength} characters of A–Z, a–z, 0–9, _ or -`)
  return value
}

function optionalId(value: unknown, what: string): string | null {
  return value === null ? null : id(value, what)
}

function text(value: unknown, what: string, max: number, allowEmpty: boolean): string {
  if (typeof value !== 'string') fail(`${what} must be a string`)
  const clean = cleanText(value)
  if (!allowEmpty && clean === '') fail(`${what} must not be empty`)
  if (clean.length > max) fail(`${what} must be at most ${max} characters`)
  return clean
}

function snapshot(value: unknown): string {
  if (typeof value !== 'string' || value.length > LIMITS.snapshotLength || !BASE64.test(value)) fail('snapshot must be base64')
  return value
}

function noExtraKeys(object: Json, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(object)) if (!allowed.includes(key)) fail(`${what} has an unknown field "${key}"`)
}

function payloadOf(kind: OpKind, raw: unknown): MetaOp['payload'] {
  if (!isObject(raw)) fail('payload must be an object')
  const p = raw
  switch (kind) {
    case 'note.create': {
      noExtraKeys(p, ['title', 'folderId', 'tags'], 'payload')
      if (!Array.isArray(p.tags) || p.tags.length > LIMITS.tagsPerNote) fail(`tags must be an array of at most ${LIMITS.tagsPerNote}`)
      const tags = [...new Set(p.tags.map((t) => text(t, 'tag', LIMITS.tagLength, false)))].sort()
      return { title: text(p.title, 'title', LIMITS.titleLength, true), folderId: optionalId(p.folderId, 'folderId'), tags }
    }
    case 'note.rename':
      noExtraKeys(p, ['title'], 'payload')
      return { title: text(p.title, 'title', LIMITS.titleLength, true) }
    case 'note.move':
      noExtraKeys(p, ['folderId'], 'payload')
      return { folderId: optionalId(p.folderId, 'folderId') }
    case 'note.tag':
    case 'note.untag':
      noExtraKeys(p, ['tag'], 'payload')
      return { tag: text(p.tag, 'tag', LIMITS.tagLength, false) }
    case 'note.pin':
      noExtraKeys(p, ['pinned'], 'payload')
      if (typeof p.pinned !== 'boolean') fail('pinned must be a boolean')
      return { pinned: p.pinned }
    case 'note.trash':
    case 'note.delete':
      noExtraKeys(p, ['snapshot'], 'payload')
      return { snapshot: snapshot(p.snapshot) }
    case 'note.restore':
    case 'folder.delete':
      noExtraKeys(p, [], 'payload')
      return {}
    case 'folder.create':
      noExtraKeys(p, ['name', 'parentId'], 'payload')
      return { name: text(p.name, 'name', LIMITS.titleLength, false), parentId: optionalId(p.parentId, 'parentId') }
    case 'folder.rename':
      noExtraKeys(p, ['name'], 'payload')
      return { name: text(p.name, 'name', LIMITS.titleLength, false) }
  }
}

function actorOf(raw: unknown): Actor {
  if (!isObject(raw)) fail('actor must be an object')
  noExtraKeys(raw, ['device', 'name'], 'actor')
  return { device: id(raw.device, 'actor.device'), name: text(raw.name, 'actor.name', LIMITS.actorNameLength, true) }
}

/** A typed op from untrusted JSON; throws OpParseError with the first problem found. */
export function parseOp(raw: unknown): MetaOp {
  if (!isObject(raw)) fail('op must be an object')
  noExtraKeys(raw, ['opId', 'kind', 'entity', 'baseVersion', 'actor', 'payload'], 'op')
  const kind = raw.kind
  if (typeof kind !== 'string' || !(OP_KINDS as readonly string[]).includes(kind)) fail(`unknown op kind ${JSON.stringify(kind)}`)
  const baseVersion = raw.baseVersion
  if (typeof baseVersion !== 'number' || !Number.isSafeInteger(baseVersion) || baseVersion < 0) fail('baseVersion must be a non-negative integer')
  return {
    opId: id(raw.opId, 'opId'),
    kind: kind as OpKind,
    entity: id(raw.entity, 'entity'),
    baseVersion,
    actor: actorOf(raw.actor),
    payload: payloadOf(kind as OpKind, raw.payload),
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
