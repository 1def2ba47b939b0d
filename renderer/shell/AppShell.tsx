// The frame around the app: the Settings dialog (from the menu, its shortcut, or a button via
// useShell), and the renderer's error reporting to the desktop shell's local log.
//
//   createRoot(root).render(<AppShell><App … /></AppShell>)
//   const { openSettings } = useShell()   // e.g. a Settings button in the sidebar

import { useCallback, useEffect, useMemo, useState } from 'react'
import type { ReactNode } from 'react'
import { onAppCommand } from '../platform/app-commands'
import { installErrorReporting } from '../platform/error-reporting'
import { SettingsDialog } from '../settings/SettingsDialog'
import { ShellContext } from './shell-context'

export function AppShell({ children, reload = () => location.reload() }: { children: ReactNode; reload?: () => void }) {
  const [settingsOpen, setSettingsOpen] = useState(false)
  const openSettings = useCallback(() => setSettingsOpen(true), [])
  useEffect(() => installErrorReporting(), [])
  useEffect(
    () =>
      onAppCommand((command) => {
        if (command === 'settings') setSettingsOpen(true)
      }),
    [],
  )
  const shell = useMemo(() => ({ openSettings }), [openSettings])
  return (
    <ShellContext value={shell}>
      {children}
      {settingsOpen && <SettingsDialog onClose={() => setSettingsOpen(false)} onSaved={reload} />}
    </ShellContext>
  )
}
