// The schema a note's document has, built from the content extensions (extensions.ts). Kept apart
// from the editor so the schema guard (and import, export, tests) can know it without an editor.

import { getSchema } from '@tiptap/core'
import type { Schema } from '@tiptap/pm/model'
import { contentExtensions } from './extensions'

export { contentExtensions }

let schema: Schema | null = null

/** The schema every note editor uses (built once). */
export function noteSchema(): Schema {
  schema ??= getSchema(contentExtensions())
  return schema
}
