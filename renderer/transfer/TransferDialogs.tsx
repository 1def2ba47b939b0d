import type { Workspace } from '../workspace'
import { ExportDialog } from './ExportDialog'
import { ImportDialog } from './ImportDialog'

/** Which transfer dialog is open: import, or export (of `noteId` when there is one open). */
export type TransferOpen = { kind: 'import' } | { kind: 'export'; noteId: string | null } | null

interface Props {
  workspace: Workspace
  open: TransferOpen
  /** The folder in view, offered as an export scope. */
  folderId: string | null
  onClose(): void
}

/** The Import… and Export… dialogs, opened from the sidebar, a note's menu or the command palette. */
export function TransferDialogs({ workspace, open, folderId, onClose }: Props) {
  if (open?.kind === 'import') return <ImportDialog workspace={workspace} onClose={onClose} />
  if (open?.kind === 'export') return <ExportDialog workspace={workspace} noteId={open.noteId} folderId={folderId} onClose={onClose} />
  return null
}
