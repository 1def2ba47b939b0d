import { documents } from './0001-documents.js'
import { METADATA } from './0002-metadata.js'
import { BLOBS } from './0003-blobs.js'

/**
 * The schema's versions, oldest first. A migration is never edited once released: a change is a
 * new file with the next version. Each runs in its own transaction (see `migrate`).
 */
export interface Migration {
  readonly version: number
  readonly name: string
  readonly sql: string
}

export const MIGRATIONS: readonly Migration[] = [
  documents,
  METADATA,
  BLOBS,
]
