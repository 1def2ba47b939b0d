import { useSyncExternalStore } from 'react'
import type * as Y from 'yjs'
import { attachmentsInDoc, type Attachments } from '../attachments/attachments'

/**
 * Says, above the note, which of its files the relay refused and why. They stay on this device
 * (Sync details has Retry); the note's text is not affected.
 */
export function AttachmentRefusals({ attachments, doc }: { attachments: Attachments; doc: Y.Doc }) {
  const rows = useSyncExternalStore(attachments.rows.subscribe, attachments.rows.get)
  const refused = rows.filter((row) => row.status === 'refused')
  if (refused.length === 0) return null
  // Read only when something is refused (rare): a walk over the note's nodes.
  const here = new Set(attachmentsInDoc(doc).map((info) => info.hash))
  const mine = refused.filter((row) => here.has(row.hash))
  if (mine.length === 0) return null
  return (
    <div className="banner attention" role="alert" aria-label="Attachment refused">
      <span>
        {mine.map((row) => `${row.name}: ${row.reason ?? 'refused by the relay'}.`).join(' ')} Kept on this device; see Sync details to retry.
      </span>
    </div>
  )
}
