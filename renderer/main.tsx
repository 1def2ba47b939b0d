import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { openWorkspace } from './workspace'
import { getProfile, resolveRelayEndpoint } from './platform'
import { AppShell } from './shell/AppShell'
import './ui/tokens.css'
import './layout/layout.css'
import './styles.css'

const root = document.getElementById('root')
if (!root) throw new Error('Skein: #root element missing from index.html')

Promise.all([openWorkspace(resolveRelayEndpoint()), getProfile().catch(() => null)]).then(
  ([workspace, profile]) => {
    workspace.catalog.actorName = profile?.name ?? ''
    createRoot(root).render(
      <StrictMode>
        <AppShell>
          <App workspace={workspace} />
        </AppShell>
      </StrictMode>,
    )
  },
  (err: unknown) => {
    // Local storage could not be opened (disk full, profile corrupt, blocked by another version).
    root.textContent = `Skein cannot open its local storage: ${err instanceof Error ? err.message : String(err)}`
    root.setAttribute('role', 'alert')
  },
)
