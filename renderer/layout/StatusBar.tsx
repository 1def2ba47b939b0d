// The strip along the bottom of the window, always in view whatever the layout: the sync status
// (a promise to the writer about their work), Sync details, who this device is to collaborators,
// and Settings.

import type { GlobalStatus } from '../catalog/selectors'
import type { Profile } from '../platform'

interface Props {
  status: GlobalStatus
  profile: Profile | null
  onOpenDetails(): void
  onOpenSettings(): void
  onOpenPalette(): void
}

export function StatusBar({ status, profile, onOpenDetails, onOpenSettings, onOpenPalette }: Props) {
  return (
    <footer className="statusbar" aria-label="Status bar">
      <div className={`sync-status sync-status-${status.kind}`} role="status" aria-label="Sync status" title={status.label}>
        <span className="connection-dot" aria-hidden="true" />
        <span className="sync-status-label">{status.label}</span>
      </div>
      <button type="button" className="button subtle-plain small" onClick={onOpenDetails}>
        Sync details
      </button>
      <span className="spacer" />
      <button type="button" className="button subtle-plain small palette-button" onClick={onOpenPalette} title="Command palette (Ctrl+P)">
        Commands
      </button>
      {profile && (
        <button type="button" className="button subtle-plain small identity" onClick={onOpenSettings} aria-label={`You appear to collaborators as ${profile.name}`} title="How collaborators see you">
          <span className="identity-dot" style={{ background: profile.color }} aria-hidden="true" />
          <span className="identity-name">{profile.name}</span>
        </button>
      )}
      <button type="button" className="button subtle-plain small settings-button" onClick={onOpenSettings}>
        Settings
      </button>
    </footer>
  )
}
