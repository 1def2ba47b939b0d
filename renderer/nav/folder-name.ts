// What the folder dialogs accept as a name: not empty, not too long, and not a name another live
// folder in the same parent already has (docs/sync-rules.md, "Folder names").

import { LIMITS } from '../../protocol/meta/parse'
import type { CatalogSnapshot } from '../catalog/catalog'
import { folderItems } from '../catalog/selectors'

/** Names compare as the rule says: trimmed, NFC, case-insensitive. */
export const folderNameKey = (name: string): string => name.trim().normalize('NFC').toLocaleLowerCase()

/** Why `name` cannot be the name of folder `self` (null: a new one) inside `parentId`; null if it can. */
export function folderNameProblem(snapshot: CatalogSnapshot, name: string, parentId: string | null, self: string | null): string | null {
  const trimmed = name.trim()
  if (trimmed === '') return 'Enter a name.'
  if (trimmed.length > LIMITS.titleLength) return `At most ${LIMITS.titleLength} characters.`
  const key = folderNameKey(trimmed)
  const taken = folderItems(snapshot).find(({ folder }) => folder.id !== self && folder.parentId === parentId && folderNameKey(folder.name) === key)
  return taken ? `A folder named “${taken.folder.name}” already exists here.` : null
}
