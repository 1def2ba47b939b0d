// What the relay's answer to an attachment upload means, and the user-facing words for it. Pure:
// the queue (attachments.ts) persists and retries, this only decides.

import { isTransientStatus } from '../catalog/outbox'

export { retryDelay } from '../catalog/outbox'

/** The relay's default `--max-attachment-mb`, for messages before it has told us its own. */
export const DEFAULT_LIMIT_BYTES = 25 * 1024 * 1024

export type UploadVerdict =
  | { readonly kind: 'stored' }
  /** Try again later (relay down, storage failure, no answer). */
  | { readonly kind: 'retry'; readonly reason: string }
  /** The relay will never take these bytes as they are: kept on this device, retried only by hand. */
  | { readonly kind: 'refused'; readonly reason: string }

export function megabytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} kB`
  const mb = bytes / 1024 / 1024
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`
}

/**
 * `status` is null when there was no answer at all; `body` is the parsed JSON answer, if any.
 * Stored only when the answer names the hash sent: a 200 from something that is not the relay
 * (a proxy's or static server's page) proves nothing.
 */
export function uploadVerdict(status: number | null, body: unknown, hash: string): UploadVerdict {
  const fields = typeof body === 'object' && body !== null ? (body as { error?: unknown; limit?: unknown; hash?: unknown }) : {}
  if (status === 200 || status === 201) return fields.hash === hash ? { kind: 'stored' } : { kind: 'retry', reason: 'the relay sent an unreadable answer' }
  switch (status) {
    case 413: {
      const limit = typeof fields.limit === 'number' && fields.limit > 0 ? fields.limit : null
      return { kind: 'refused', reason: limit === null ? 'Too large for the relay' : `Too large for the relay (limit ${megabytes(limit)})` }
    }
    case 422:
      return { kind: 'refused', reason: 'The relay received different bytes than this device sent (hash mismatch)' }
    case 409:
      return { kind: 'refused', reason: 'The note was deleted forever; the relay takes no more files for it' }
    case 400:
      return { kind: 'refused', reason: 'The relay refused the upload as malformed (bad hash)' }
    case 401:
      return { kind: 'refused', reason: 'The relay refused the token (check it in Settings)' }
    case 403:
      return { kind: 'refused', reason: 'This token may only read from the relay' }
  }
  if (isTransientStatus(status)) {
    const error = typeof fields.error === 'string' ? fields.error : null
    return { kind: 'retry', reason: status === null ? 'relay unreachable' : `relay answered ${status}${error ? ` (${error})` : ''}` }
  }
  return { kind: 'refused', reason: `The relay refused the upload (${status}${typeof fields.error === 'string' ? `: ${fields.error}` : ''})` }
}
