import { useEffect, useRef, useState } from 'react'
import type { ImportKind } from '../platform'
import { CloseActions, Modal } from '../ui/Dialog'
import type { Workspace } from '../workspace'
import { importMarkdown, skippedFileCount, type ImportFile, type ImportProgress, type ImportSummary, type Skipped } from './import'
import { browserImportFiles, importTargetOf, pickDesktopImport } from './workspace-transfer'

type Stage = { kind: 'choose' } | { kind: 'running'; progress: ImportProgress } | { kind: 'done'; summary: ImportSummary } | { kind: 'failed'; message: string }

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

/** Picks Markdown files or a folder, imports them with a progress bar and Cancel, then shows what was imported and skipped. */
export function ImportDialog({ workspace, onClose }: { workspace: Workspace; onClose(): void }) {
  const [stage, setStage] = useState<Stage>({ kind: 'choose' })
  const controller = useRef<AbortController | null>(null)
  const filesInput = useRef<HTMLInputElement>(null)
  const folderInput = useRef<HTMLInputElement>(null)
  useEffect(() => () => controller.current?.abort(), [])

  const run = (files: ImportFile[], skipped: Skipped[] = []): void => {
    const abort = new AbortController()
    controller.current = abort
    setStage({ kind: 'running', progress: { done: 0, total: files.length } })
    importMarkdown(files, importTargetOf(workspace), { signal: abort.signal, skipped, onProgress: (progress) => setStage({ kind: 'running', progress }) })
      .then((summary) => setStage({ kind: 'done', summary }))
      .catch((err: unknown) => setStage({ kind: 'failed', message: err instanceof Error ? err.message : String(err) }))
  }

  const choose = (kind: ImportKind): void => {
    pickDesktopImport(kind)
      .then((picked) => {
        if (picked === 'browser') (kind === 'folder' ? folderInput : filesInput).current?.click()
        else if (picked) run(picked.files, picked.skipped)
      })
      .catch((err: unknown) => setStage({ kind: 'failed', message: err instanceof Error ? err.message : String(err) }))
  }

  const close = (): void => {
    controller.current?.abort()
    onClose()
  }

  return (
    <Modal title="Import Markdown" onCancel={close}>
      {stage.kind === 'choose' && (
        <>
          <p className="dialog-message">
            Markdown files (.md, .markdown) become notes. A folder&apos;s subfolders become folders, and tags in a file&apos;s front matter become tags.
          </p>
          <input
            ref={filesInput}
            type="file"
            multiple
            accept=".md,.markdown,text/markdown"
            hidden
            aria-label="Markdown files to import"
            onChange={(event) => event.target.files && run(browserImportFiles(event.target.files))}
          />
          <input
            // webkitdirectory is not in React's input typings; every current browser supports it.
            ref={(input) => {
              folderInput.current = input
              input?.setAttribute('webkitdirectory', '')
            }}
            type="file"
            hidden
            aria-label="Folder to import"
            onChange={(event) => event.target.files && run(browserImportFiles(event.target.files))}
          />
          <div className="dialog-actions">
            <button type="button" className="button" onClick={close}>
              Cancel
            </button>
            <span className="spacer" />
            <button type="button" className="button" onClick={() => choose('files')}>
              Choose files…
            </button>
            <button type="button" className="button primary" onClick={() => choose('folder')} data-autofocus>
              Choose folder…
            </button>
          </div>
        </>
      )}
      {stage.kind === 'running' && (
        <>
          <div className="import-progress" role="progressbar" aria-label="Import progress" aria-valuemin={0} aria-valuemax={stage.progress.total} aria-valuenow={stage.progress.done}>
            <div className="import-progress-bar" style={{ width: `${stage.progress.total ? (100 * stage.progress.done) / stage.progress.total : 0}%` }} />
          </div>
          <p className="dialog-message" aria-live="polite">
            {stage.progress.done} of {stage.progress.total}
          </p>
          <div className="dialog-actions">
            <button type="button" className="button" onClick={() => controller.current?.abort()}>
              Cancel
            </button>
          </div>
        </>
      )}
      {stage.kind === 'done' && <ImportSummaryView summary={stage.summary} onClose={onClose} />}
      {stage.kind === 'failed' && (
        <>
          <p className="field-error" role="alert">
            Import failed: {stage.message}
          </p>
          <CloseActions onClose={onClose} />
        </>
      )}
    </Modal>
  )
}

function ImportSummaryView({ summary, onClose }: { summary: ImportSummary; onClose(): void }) {
  return (
    <>
      <div role="status" aria-label="Import summary">
        <p className="dialog-message">
          Imported {plural(summary.imported.length, 'note')}
          {summary.foldersCreated > 0 ? `, created ${plural(summary.foldersCreated, 'folder')}` : ''}.
          {summary.cancelled ? ` Cancelled: ${plural(summary.notReached, 'file')} not imported.` : ''}
          {summary.kept.imagesAsLinks > 0 ? ` ${plural(summary.kept.imagesAsLinks, 'image')} kept as links (exported back as images).` : ''}
          {summary.skipped.length > 0 ? ` Skipped ${plural(skippedFileCount(summary.skipped), 'file')}:` : ''}
        </p>
      </div>
      {summary.skipped.length > 0 && (
        <ul className="import-skipped" aria-label="Skipped files">
          {summary.skipped.map((s) => (
            <li key={s.relativePath}>
              <span className="import-skipped-path">{s.relativePath}</span> — {s.reason}
            </li>
          ))}
        </ul>
      )}
      <div className="dialog-actions">
        <button type="button" className="button primary" onClick={onClose} autoFocus>
          Done
        </button>
      </div>
    </>
  )
}
