import { CONNECTION_LABELS } from './connection-status'
import type { DocHandle } from './doc-registry'
import { useConnectionStatus } from './hooks'

/** Connection to the relay, as seen by the (always open) workspace index document. */
export function ConnectionIndicator({ handle }: { handle: DocHandle }) {
  const status = useConnectionStatus(handle)
  return (
    <div className={`connection connection-${status}`} role="status" aria-label="Connection status">
      <span className="connection-dot" aria-hidden="true" />
      <span>{CONNECTION_LABELS[status]}</span>
    </div>
  )
}
