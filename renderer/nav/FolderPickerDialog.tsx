// "Move to folder…": pick a folder by its path (nested folders show where they are), filtered by
// typing. Used for one note, a selection of notes, or a folder.

import { useMemo, useState } from 'react'
import type { CatalogSnapshot } from '../catalog/catalog'
import { PATH_SEPARATOR, folderItems } from '../catalog/selectors'
import { Modal } from '../ui/Dialog'
import { fuzzyMatch, prepareQuery } from '../palette/fuzzy'

interface Props {
  title: string
  snapshot: CatalogSnapshot
  /** The current folder, marked in the list. */
  current: string | null
  /** Folders that cannot be chosen (a folder and what is inside it, when moving a folder). */
  excluded?: ReadonlySet<string> | undefined
  onPick(folderId: string | null): void
  onCancel(): void
}

export function FolderPickerDialog({ title, snapshot, current, excluded, onPick, onCancel }: Props) {
  const [query, setQuery] = useState('')
  const choices = useMemo(
    () => [{ id: null, path: 'No folder (top level)' }, ...folderItems(snapshot).filter((f) => !excluded?.has(f.folder.id)).map((f) => ({ id: f.folder.id, path: f.path.join(PATH_SEPARATOR) }))],
    [snapshot, excluded],
  )
  const q = prepareQuery(query)
  const shown = choices.filter((choice) => fuzzyMatch(q, choice.path) !== null)
  return (
    <Modal title={title} onCancel={onCancel} size="medium">
      <input className="field-input" aria-label="Filter folders" placeholder="Filter folders" value={query} data-autofocus onChange={(event) => setQuery(event.target.value)} />
      <ul className="picker-list" aria-label="Folders to choose from">
        {shown.map((choice) => (
          <li key={choice.id ?? ''}>
            <button type="button" className="picker-item" aria-current={choice.id === current ? 'true' : undefined} onClick={() => onPick(choice.id)}>
              {choice.path}
              {choice.id === current && <span className="muted"> (current)</span>}
            </button>
          </li>
        ))}
        {shown.length === 0 && <li className="muted">No folder matches “{query}”.</li>}
      </ul>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </Modal>
  )
}
