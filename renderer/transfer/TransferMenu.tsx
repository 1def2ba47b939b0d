import { useState } from 'react'
import type { Workspace } from '../workspace'
import { ExportDialog } from './ExportDialog'
import { ImportDialog } from './ImportDialog'

interface Props {
  workspace: Workspace
  noteId: string | null
  folderId: string | null
}

/** The sidebar's Import… and Export… buttons and their dialogs. */
export function TransferMenu({ workspace, noteId, folderId }: Props) {
  const [open, setOpen] = useState<'import' | 'export' | null>(null)
  return (
    <div className="transfer-actions">
      <button type="button" className="button subtle-plain" onClick={() => setOpen('import')}>
        Import…
      </button>
      <button type="button" className="button subtle-plain" onClick={() => setOpen('export')}>
        Export…
      </button>
      {open === 'import' && <ImportDialog workspace={workspace} onClose={() => setOpen(null)} />}
      {open === 'export' && <ExportDialog workspace={workspace} noteId={noteId} folderId={folderId} onClose={() => setOpen(null)} />}
    </div>
  )
}
