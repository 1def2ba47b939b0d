import { useEffect, useState } from 'react'
import type { Catalog, CatalogSnapshot } from '../catalog/catalog'
import type { OutboxEntry } from '../catalog/outbox'
import type { RelayReach } from '../catalog/sync-worker'
import { describeEntry, dirtyNotes, displayTitle, pendingEntries } from '../catalog/selectors'
import { ConfirmDialog, Modal } from '../ui/Dialog'

interface Props {
  snapshot: CatalogSnapshot
  reach: RelayReach | null
  catalog: Catalog
  onRetry(): void
  act(work: () => Promise<unknown>): void
  onClose(): void
}

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.round(s / 60)} min`
  return `${Math.round(s / 3600)} h`
}

/** Everything not yet on the relay, with why, and what can be done about it. */
export function SyncDetailsDialog({ snapshot, reach, catalog, onRetry, act, onClose }: Props) {
  const [now, setNow] = useState(Date.now)
  const [discarding, setDiscarding] = useState<OutboxEntry | null>(null)
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [])
  const entries = pendingEntries(snapshot)
  const content = dirtyNotes(snapshot)
  const titleOf = (entry: OutboxEntry): string => {
    const view = snapshot.entities.get(`${entry.entityType}:${entry.op.entity}`)?.view
    if (!view) return ''
    return view.type === 'note' ? displayTitle(view) : view.name
  }
  return (
    <Modal title="Sync details" onCancel={onClose}>
      <p className="dialog-message" aria-label="Relay state">
        {reach === null ? 'No relay is set up: everything stays on this device.' : reach.state === 'online' ? 'Connected to the relay.' : reach.state === 'connecting' ? 'Connecting to the relay…' : `The relay cannot be used right now: ${reach.error ?? 'unreachable'}.`}
      </p>
      {entries.length === 0 && content.length === 0 ? (
        <p className="dialog-message">Everything on this device is on the relay.</p>
      ) : (
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
            {content.map(({ note }) => (
              <tr key={note.id} aria-label={`Content of ${displayTitle(note)}`}>
                <td>
                  Text of <span className="muted">{displayTitle(note)}</span>
                </td>
                <td colSpan={4}>waiting for the relay to store it (text is never discarded)</td>
                <td />
              </tr>
            ))}
          </tbody>
        </table>
      )}
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
        <button type="button" className="button primary" onClick={onClose}>
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
