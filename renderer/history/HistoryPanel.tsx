// The note header's "History" button and its dialog: the timeline of versions (newest first),
// "Save version…", a read-only view of a selected version with a diff against now, and
// "Restore this version".

import { useMemo, useState, useSyncExternalStore } from 'react'
import { historyRoom } from '../../protocol/rooms'
import type { DocHandle, DocRegistry } from '../sync/doc-registry'
import { useDocHandle } from '../sync/hooks'
import { CloseActions, Modal, PromptDialog } from '../ui/Dialog'
import { useProfile } from '../presence/use-presence'
import { derivedStore } from '../sync/store'
import { diffCounts, diffText } from './diff'
import { noteText } from '../search/text'
import { useHistoryRecorder, useVersions } from './use-history'
import { addVersion, loadVersion, restoreVersion, type Version } from './versions'
import * as Y from 'yjs'

const TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

export function versionLabel(version: Version): string {
  return version.name || (version.auto ? 'Automatic version' : 'Version')
}

function useNoteText(note: DocHandle): string {
  const store = useMemo(
    () =>
      derivedStore(
        () => noteText(note.doc),
        (changed) => {
          note.doc.on('update', changed)
          return () => note.doc.off('update', changed)
        },
      ),
    [note],
  )
  return useSyncExternalStore(store.subscribe, store.get)
}

function VersionView({ version, note, onRestore }: { version: Version; note: DocHandle; onRestore(): void }) {
  const now = useNoteText(note)
  const then = useMemo(() => {
    const doc = loadVersion(version)
    const text = noteText(doc)
    doc.destroy()
    return text
  }, [version])
  const runs = useMemo(() => diffText(then, now), [then, now])
  const counts = diffCounts(runs)
  return (
    <section className="version-view" aria-label={`Version: ${versionLabel(version)}`}>
      <h3 className="version-view-title">{versionLabel(version)}</h3>
      <p className="version-meta">
        {TIME.format(version.at)} · {version.by}
      </p>
      <div className="version-scroll">
      <div className="version-text" role="document" aria-label="Version content">
        {then.split('\n').map((line, index) => (
          <p key={index}>{line || '\u00a0'}</p>
        ))}
      </div>
      <h4 className="version-diff-title">
        Changes since this version <span className="version-diff-counts">+{counts.added} −{counts.removed} words</span>
      </h4>
      <div className="version-diff" aria-label="Changes since this version">
        {runs.map((run, index) =>
          run.kind === 'added' ? (
            <ins key={index}>{run.text}</ins>
          ) : run.kind === 'removed' ? (
            <del key={index}>{run.text}</del>
          ) : (
            <span key={index}>{run.text}</span>
          ),
        )}
      </div>
      </div>
      <div className="version-actions">
        <button type="button" className="button primary" onClick={onRestore}>
          Restore this version
        </button>
      </div>
    </section>
  )
}

function HistoryDialog({ note, history, author, onClose }: { note: DocHandle; history: DocHandle; author: string; onClose(): void }) {
  const versions = useVersions(history)
  const [selectedId, setSelectedId] = useState<string | null>(null)
  const [naming, setNaming] = useState(false)
  // The newest version is shown until another is chosen.
  const selected = versions.find((v) => v.id === selectedId) ?? versions[0] ?? null
  const save = (name: string): void => {
    addVersion(history.doc, Y.encodeStateAsUpdate(note.doc), { name, at: Date.now(), auto: false, by: author })
    setNaming(false)
  }
  const restore = (version: Version): void => {
    // Keep what is about to be replaced, so a restore can itself be undone from the timeline.
    addVersion(history.doc, Y.encodeStateAsUpdate(note.doc), { name: `Before restoring “${versionLabel(version)}”`, at: Date.now(), auto: true, by: author })
    restoreVersion(note.doc, version)
    onClose()
  }
  return (
    <Modal title="Version history" onCancel={onClose} size="wide">
      <div className="history-layout">
        <div className="history-timeline">
          <button type="button" className="button" onClick={() => setNaming(true)}>
            Save version…
          </button>
          {versions.length === 0 && <p className="history-empty">No versions yet. They are saved automatically as you write, or save one now.</p>}
          <ul className="history-list" aria-label="Versions">
            {versions.map((version) => (
              <li key={version.id} aria-label={versionLabel(version)}>
                <button
                  type="button"
                  className={`history-item${version.auto ? ' auto' : ' named'}`}
                  aria-current={version.id === selected?.id}
                  onClick={() => setSelectedId(version.id)}
                >
                  <span className="history-item-name">{versionLabel(version)}</span>
                  <span className="history-item-meta">
                    {TIME.format(version.at)} · {version.by}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </div>
        {selected ? <VersionView version={selected} note={note} onRestore={() => restore(selected)} /> : <p className="history-hint">A saved version shows here, with what changed since.</p>}
      </div>
      <CloseActions onClose={onClose} />
      {naming && (
        <PromptDialog
          title="Save version"
          label="Version name"
          initialValue=""
          placeholder="e.g. First draft"
          submitLabel="Save"
          validate={(value) => (value.trim() === '' ? 'Give the version a name.' : value.trim().length > 100 ? 'Keep it under 100 characters.' : null)}
          onSubmit={save}
          onCancel={() => setNaming(false)}
        />
      )}
    </Modal>
  )
}

/** Mount once per open note: records automatic versions and offers the History dialog. */
export function HistoryButton({ registry, noteId, note }: { registry: DocRegistry; noteId: string; note: DocHandle }) {
  const history = useDocHandle(registry, historyRoom(noteId))
  const { name } = useProfile()
  useHistoryRecorder(note, history, name)
  const [open, setOpen] = useState(false)
  return (
    <>
      <button type="button" className="button subtle-plain" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        History
      </button>
      {open && <HistoryDialog note={note} history={history} author={name} onClose={() => setOpen(false)} />}
    </>
  )
}
