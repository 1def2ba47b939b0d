// The limits of the metadata contract and the readers that check one value of untrusted JSON
// against them. Op specs (`op-specs.ts`) read their payloads with these; a failed check throws
// OpParseError naming the field, and parseOp adds where in the request it was.

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

export type Json = Record<string, unknown>

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

export function fail(message: string): never {
  throw new OpParseError(message)
}

export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= LIMITS.idLength && ID.test(value)
}

/** Collapses whitespace and trims; titles, names and tags are compared in this form. */
export function cleanText(value: string): string {
  return value.replace(/\s+/g, ' ').trim()
}

export function id(value: unknown, what: string): string {
  if (!isValidId(value)) fail(`${what} must be 1–${LIMITS.idLength} characters of A–Z, a–z, 0–9, _ or -`)
  return value
}

export function optionalId(value: unknown, what: string): string | null {
  return value === null ? null : id(value, what)
}

export function text(value: unknown, what: string, max: number, allowEmpty: boolean): string {
  if (typeof value !== 'string') fail(`${what} must be a string`)
  const clean = cleanText(value)
  if (!allowEmpty && clean === '') fail(`${what} must not be empty`)
  if (clean.length > max) fail(`${what} must be at most ${max} characters`)
  return clean
}

export function snapshot(value: unknown): string {
  if (typeof value !== 'string' || value.length > LIMITS.snapshotLength || !BASE64.test(value)) fail('snapshot must be base64')
  return value
}

export function noExtraKeys(object: Json, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(object)) if (!allowed.includes(key)) fail(`${what} has an unknown field "${key}"`)
}

/**
 * Text as the app writes it from what the user typed: cleaned like `text`, cut to `max` rather
 * than refused (the relay would refuse it), and refused only when empty where that is not allowed.
 */
export function userText(value: string, what: string, max: number, allowEmpty: boolean): string {
  const clean = cleanText(value)
  if (!allowEmpty && clean === '') fail(`${what} must not be empty`)
  return clean.length > max ? clean.slice(0, max) : clean
}
