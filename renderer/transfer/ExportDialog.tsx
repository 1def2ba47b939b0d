import { useEffect, useRef, useState } from 'react'
import { Modal } from '../ui/Dialog'
import type { Workspace } from '../workspace'
import { buildExport, type ExportFormat, type ExportScope } from './export'
import { deliverExport, exportSourceOf } from './workspace-transfer'

interface Props {
  workspace: Workspace
  /** The open note and the folder being shown, when there are: the scopes offered besides everything. */
  noteId: string | null
  folderId: string | null
  onClose(): void
}

type ScopeKind = ExportScope['kind']

/** Exports this note, this folder or everything, as Markdown or HTML. */
export function ExportDialog({ workspace, noteId, folderId, onClose }: Props) {
  const [scopeKind, setScopeKind] = useState<ScopeKind>(noteId ? 'note' : folderId ? 'folder' : 'all')
  const [format, setFormat] = useState<ExportFormat>('md')
  const [state, setState] = useState<{ busy: boolean; message: string | null; error: boolean }>({ busy: false, message: null, error: false })
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null)
  const controller = useRef<AbortController | null>(null)
  useEffect(() => () => controller.current?.abort(), [])

  const scope = (): ExportScope => (scopeKind === 'note' && noteId ? { kind: 'note', id: noteId } : scopeKind === 'folder' && folderId ? { kind: 'folder', id: folderId } : { kind: 'all' })

  const run = (): void => {
    setState({ busy: true, message: null, error: false })
    const chosen = scope()
    const folderName = chosen.kind === 'folder' ? workspace.catalog.get('folder', chosen.id)?.view : undefined
    const archive = folderName?.type === 'folder' ? `${folderName.name} export` : 'Skein export'
    const abort = new AbortController()
    controller.current = abort
    buildExport(exportSourceOf(workspace), chosen, format, { signal: abort.signal, onProgress: setProgress })
      .then((files) => deliverExport(files, format, archive))
      .then((message) => setState({ busy: false, message, error: false }))
      .catch((err: unknown) =>
        setState(
          abort.signal.aborted
            ? { busy: false, message: 'Export cancelled.', error: false }
            : { busy: false, message: `Export failed: ${err instanceof Error ? err.message : String(err)}`, error: true },
        ),
      )
      .finally(() => setProgress(null))
  }

  const option = (kind: ScopeKind, label: string, enabled: boolean) => (
    <label className={`export-option${enabled ? '' : ' disabled'}`}>
      <input type="radio" name="export-scope" checked={scopeKind === kind} disabled={!enabled} onChange={() => setScopeKind(kind)} /> {label}
    </label>
  )

  return (
    <Modal
      title="Export notes"
      onCancel={() => {
        controller.current?.abort()
        onClose()
      }}
    >
      <fieldset className="export-fieldset">
        <legend>What</legend>
        {option('note', 'This note', noteId !== null)}
        {option('folder', 'This folder (with its subfolders)', folderId !== null)}
        {option('all', 'Everything', true)}
      </fieldset>
      <fieldset className="export-fieldset">
        <legend>Format</legend>
        <label className="export-option">
          <input type="radio" name="export-format" checked={format === 'md'} onChange={() => setFormat('md')} /> Markdown
        </label>
        <label className="export-option">
          <input type="radio" name="export-format" checked={format === 'html'} onChange={() => setFormat('html')} /> HTML
        </label>
      </fieldset>
      {state.busy && progress && (
        <p className="dialog-message" role="status" aria-label="Export progress">
          Exporting {progress.done} of {progress.total}…
        </p>
      )}
      {state.message && (
        <p className={state.error ? 'field-error' : 'dialog-message'} role={state.error ? 'alert' : 'status'}>
          {state.message}
        </p>
      )}
      <div className="dialog-actions">
        {state.busy ? (
          <button type="button" className="button" onClick={() => controller.current?.abort()}>
            Cancel
          </button>
        ) : (
          <button type="button" className="button" onClick={onClose}>
            Close
          </button>
        )}
        <button type="button" className="button primary" onClick={run} disabled={state.busy}>
          {state.busy ? 'Exporting…' : 'Export'}
        </button>
      </div>
    </Modal>
  )
}
