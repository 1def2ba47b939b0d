// What the folder dialogs accept as a name: not empty, not too long, and not a name another live
// folder in the same parent already has (docs/sync-rules.md, "Folder names"; the catalog refuses
// it too, with FolderNameTaken; this says so while the dialog is still open).

import { LIMITS } from '../../protocol/meta/parse'
import { folderNameKey } from '../../protocol/meta/rule-kit'
import type { CatalogSnapshot } from '../catalog/catalog'
import { folderItems } from '../catalog/selectors'

/** Why `name` cannot be the name of folder `self` (null: a new one) inside `parentId`; null if it can. */
export function folderNameProblem(snapshot: CatalogSnapshot, name: string, parentId: string | null, self: string | null): string | null {
  const trimmed = name.trim()
  if (trimmed === '') return 'Enter a name.'
  if (trimmed.length > LIMITS.titleLength) return `At most ${LIMITS.titleLength} characters.`
  const key = folderNameKey(trimmed)
  const taken = folderItems(snapshot).find(({ folder }) => folder.id !== self && folder.parentId === parentId && folderNameKey(folder.name) === key)
  return taken ? `A folder named “${taken.folder.name}” already exists here.` : null
}

/** A folder and every folder inside it: where it cannot be moved. */
export function insideOf(snapshot: CatalogSnapshot, id: string): Set<string> {
  const inside = new Set([id])
  const items = folderItems(snapshot)
  for (let grew = true; grew; ) {
    grew = false
    for (const { folder } of items) {
      if (folder.parentId === null || !inside.has(folder.parentId) || inside.has(folder.id)) continue
      inside.add(folder.id)
      grew = true
    }
  }
  return inside
}
