import { useState } from 'react'
import { conflictSpecOf, type ConflictField } from '../../protocol/meta/op-specs'
import type { ReviewLookup } from '../../protocol/meta/op-spec'
import type { Catalog, CatalogSnapshot } from '../catalog/catalog'
import type { LocalEntity } from '../catalog/outbox'
import { folderItems, openConflicts } from '../catalog/selectors'
import { CloseActions, Modal } from '../ui/Dialog'

interface Props {
  entity: LocalEntity
  snapshot: CatalogSnapshot
  catalog: Catalog
  act(work: () => Promise<unknown>): void
  onClose(): void
}

/**
 * Two writers set the same field from the same starting point. Both values are shown in the
 * relay's order, with who set them; the choice (mine, theirs, or a new value) is sent as a new
 * change, so every device converges on it.
 */
export function ReviewDialog({ entity, snapshot, catalog, act, onClose }: Props) {
  // Each field's heading, how its values read, whether a new one can be typed: from its op's spec.
  const conflicts = openConflicts(entity).flatMap(([field, conflict]) => {
    const spec = conflictSpecOf(entity.type, field)?.conflict
    return spec ? [{ field, conflict, spec }] : []
  })
  const folders = folderItems(snapshot)
  const lookup: ReviewLookup = { folderName: (id) => folders.find((f) => f.folder.id === id)?.folder.name }
  const [custom, setCustom] = useState<Record<string, string>>({})
  const choose = (field: ConflictField, value: string | null): void => {
    act(() => catalog.resolveConflict(entity.type, entity.id, field, value))
    onClose()
  }
  const failed = snapshot.outbox.filter((e) => e.state === 'failed' && e.op.entity === entity.id)
  return (
    <Modal title="Review changes" onCancel={onClose}>
      {conflicts.length === 0 && failed.length === 0 && <p className="dialog-message">Nothing to review any more: it was settled.</p>}
      {conflicts.map(({ field, conflict, spec }) => (
        <section key={field} className="review-field" aria-label={`Conflict on ${spec.label}`}>
          <h3 className="review-heading">{spec.label}</h3>
          <ol className="review-candidates">
            {conflict.candidates.map((candidate) => {
              const mine = candidate.actor.device === catalog.deviceId
              const who = mine ? 'you (this device)' : candidate.actor.name || 'another device'
              return (
                <li key={candidate.seq} className="review-candidate">
                  <span className="review-value">“{spec.show(candidate.value, lookup)}”</span>
                  <span className="review-meta">
                    by {who}, change #{candidate.seq} on the relay, {new Date(candidate.at).toLocaleString()}
                  </span>
                  <button type="button" className="button small" onClick={() => choose(field, candidate.value)}>
                    {mine ? 'Keep mine' : 'Keep theirs'}
                  </button>
                </li>
              )
            })}
          </ol>
          {spec.typed && (
            <form
              className="review-custom"
              onSubmit={(event) => {
                event.preventDefault()
                const value = (custom[field] ?? '').trim()
                if (value !== '') choose(field, value)
              }}
            >
              <input
                className="field-input"
                aria-label={`New ${spec.label.toLowerCase()}`}
                placeholder="Or type a new one"
                value={custom[field] ?? ''}
                onChange={(event) => setCustom({ ...custom, [field]: event.target.value })}
              />
              <button type="submit" className="button small">
                Use this
              </button>
            </form>
          )}
        </section>
      ))}
      {failed.map((entry) => (
        <p key={entry.seq} className="dialog-message">
          A change was refused: {entry.lastError}. Open Sync details to retry or discard it.
        </p>
      ))}
      <CloseActions onClose={onClose} />
    </Modal>
  )
}
