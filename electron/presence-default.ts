// The presence colour the desktop shell stores until the writer picks one in Settings.
// Dependency-free so the renderer bundle can import it (ipc-contract.ts pulls in zod).
export const DEFAULT_PRESENCE_COLOR = '#2563eb'
