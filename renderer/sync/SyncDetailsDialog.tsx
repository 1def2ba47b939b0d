import { useEffect, useState, useSyncExternalStore } from 'react'
import type { AttachmentRow, Attachments } from '../attachments/attachments'
import { formatSize } from '../editor/attachment-runtime'
import type { Catalog, CatalogSnapshot } from '../catalog/catalog'
import type { OutboxEntry } from '../catalog/outbox'
import type { RelayReach } from '../catalog/sync-worker'
import { REFUSAL_REASONS, describeEntry, dirtyNotes, displayTitle, pendingEntries, type NoteItem } from '../catalog/selectors'
import type { Refusal } from './connection-status'
import { ConfirmDialog, Modal } from '../ui/Dialog'

interface Props {
  snapshot: CatalogSnapshot
  reach: RelayReach | null
  /** Notes whose connection the relay refuses, and why. */
  refused: ReadonlyMap<string, Refusal>
  catalog: Catalog
  /** Images and files, with where they are (absent: not shown). */
  attachments?: Attachments
  onRetry(): void
  act(work: () => Promise<unknown>): void
  onClose(): void
}

/** Refused notes that are not already listed as waiting (nothing of theirs is unsent, but nothing arrives either). */
function blockedOnly(snapshot: CatalogSnapshot, refused: ReadonlyMap<string, Refusal>, listed: readonly NoteItem[]): NoteItem[] {
  const seen = new Set(listed.map(({ note }) => note.id))
  const items: NoteItem[] = []
  for (const id of refused.keys()) {
    const entity = snapshot.entities.get(`note:${id}`)
    if (!seen.has(id) && entity?.view?.type === 'note') items.push({ entity, note: entity.view })
  }
  return items
}

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.round(s / 60)} min`
  return `${Math.round(s / 3600)} h`
}

/** Everything not yet on the relay, with why, and what can be done about it. */
const ATTACHMENT_STATES: Record<AttachmentRow['status'], string> = {
  local: 'On this device only',
  waiting: 'Waiting to upload',
  uploading: 'Uploading…',
  stored: 'On the relay',
  refused: 'Refused',
}

/** One line per attachment on this device: where it is, and why not on the relay. Not-yet-uploaded first. */
function AttachmentsSection({ attachments, act }: { attachments: Attachments; act: Props['act'] }) {
  const rows = useSyncExternalStore(attachments.rows.subscribe, attachments.rows.get)
  if (rows.length === 0) return null
  const order: AttachmentRow['status'][] = ['refused', 'uploading', 'waiting', 'local', 'stored']
  const sorted = [...rows].sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status) || a.name.localeCompare(b.name))
  return (
    <>
      <h3 className="dialog-subtitle">Attachments</h3>
      <table className="sync-table" aria-label="Attachments">
        <thead>
          <tr>
            <th>Name</th>
            <th>Size</th>
            <th>State</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => (
            <tr key={row.hash} aria-label={`Attachment ${row.name}`} data-state={row.status}>
              <td>{row.name}</td>
              <td>{formatSize(row.size)}</td>
              <td>
                {ATTACHMENT_STATES[row.status]}
                {row.reason ? `: ${row.reason}` : ''}
                {row.status === 'refused' ? ' (kept on this device)' : ''}
              </td>
              <td>
                {(row.status === 'refused' || row.status === 'waiting') && (
                  <button type="button" className="button small subtle" aria-label={`Retry ${row.name}`} onClick={() => act(() => attachments.retry(row.hash))}>
                    Retry
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}

export function SyncDetailsDialog({ snapshot, reach, refused, catalog, attachments, onRetry, act, onClose }: Props) {
  const [now, setNow] = useState(Date.now)
  const [discarding, setDiscarding] = useState<OutboxEntry | null>(null)
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [])
  const entries = pendingEntries(snapshot)
  const dirty = dirtyNotes(snapshot)
  // Every note that waits for the relay or that the relay refuses, once each.
  const content = [...dirty, ...blockedOnly(snapshot, refused, dirty)]
  const titleOf = (entry: OutboxEntry): string => {
    const view = snapshot.entities.get(`${entry.entityType}:${entry.op.entity}`)?.view
    if (!view) return ''
    return view.type === 'note' ? displayTitle(view) : view.name
  }
  return (
    <Modal title="Sync details" onCancel={onClose} size="medium">
      <p className="dialog-message" aria-label="Relay state">
        {reach === null
          ? 'No relay is set up: everything stays on this device.'
          : reach.state === 'online'
            ? refused.size > 0
              ? `The relay is reachable, but it refuses ${refused.size === 1 ? '1 note' : `${refused.size} notes`} (below).`
              : 'Connected to the relay.'
            : reach.state === 'connecting'
              ? 'Connecting to the relay…'
              : `The relay cannot be used right now: ${reach.error ?? 'unreachable'}.`}
      </p>
      {entries.length === 0 && content.length === 0 ? (
        <p className="dialog-message">
          {reach?.state === 'online' ? 'Everything on this device is on the relay.' : 'Everything is saved on this device, and nothing waits for the relay.'}
        </p>
      ) : (
        <div className="table-scroll">
        <table className="sync-table" aria-label="Waiting changes">
          <thead>
            <tr>
              <th>Change</th>
              <th>Age</th>
              <th>Attempts</th>
              <th>Last error</th>
              <th>Next try</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.seq} aria-label={describeEntry(entry)} data-state={entry.state}>
                <td>
                  {describeEntry(entry)} <span className="muted">{titleOf(entry)}</span>
                </td>
                <td>{age(now - entry.createdAt)}</td>
                <td>{entry.attempts}</td>
                <td>{entry.lastError ?? '—'}</td>
                <td>{entry.state === 'failed' ? 'refused; retry by hand' : entry.state === 'inflight' ? 'sending' : entry.nextAttemptAt <= now ? 'now' : `in ${age(entry.nextAttemptAt - now)}`}</td>
                <td>
                  {entry.state !== 'inflight' && (
                    <button type="button" className="button small subtle" aria-label={`Discard ${describeEntry(entry)}`} onClick={() => setDiscarding(entry)}>
                      Discard
                    </button>
                  )}
                </td>
              </tr>
            ))}
            {content.map(({ note, entity }) => {
              const refusal = refused.get(note.id)
              const what = entity.contentDirty || entity.historyDirty !== true ? 'Text' : 'Saved versions'
              return (
                <tr key={note.id} aria-label={`Content of ${displayTitle(note)}`} data-state={refusal ? 'refused' : 'waiting'}>
                  <td>
                    {what} of <span className="muted">{displayTitle(note)}</span>
                  </td>
                  <td colSpan={4}>
                    {refusal
                      ? `cannot sync: ${REFUSAL_REASONS[refusal]} (kept on this device; Retry now tries again)`
                      : 'waiting for the relay to store it (text is never discarded)'}
                  </td>
                  <td />
                </tr>
              )
            })}
          </tbody>
        </table>
        </div>
      )}
      {attachments && <AttachmentsSection attachments={attachments} act={act} />}
      <div className="dialog-actions">
        <button
          type="button"
          className="button"
          onClick={() =>
            act(async () => {
              await catalog.retry()
              onRetry()
            })
          }
        >
          Retry now
        </button>
        <span className="spacer" />
        <button type="button" className="button primary" onClick={onClose} data-autofocus>
          Close
        </button>
      </div>
      {discarding && (
        <ConfirmDialog
          title="Discard this change?"
          message={`“${describeEntry(discarding)}” will not be sent, and this device goes back to what the relay has. Text you typed is not affected.`}
          confirmLabel="Discard"
          onCancel={() => setDiscarding(null)}
          onConfirm={() => {
            const entry = discarding
            setDiscarding(null)
            act(() => catalog.discard(entry.seq))
          }}
        />
      )}
    </Modal>
  )
}
