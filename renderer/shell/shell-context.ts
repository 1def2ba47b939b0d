import { createContext, use } from 'react'

export interface Shell {
  /** Opens the Settings dialog. */
  openSettings(): void
}

export const ShellContext = createContext<Shell | null>(null)

/** The app shell's actions; only inside <AppShell>. */
export function useShell(): Shell {
  const shell = use(ShellContext)
  if (shell === null) throw new Error('useShell: render inside <AppShell>')
  return shell
}
