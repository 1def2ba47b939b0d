// The preload of the sandboxed renderer. It exposes one object, window.skein, of named
// methods; ipcRenderer and IPC event objects never cross into the page.
//
// This file is compiled to CommonJS (.cjs): a sandboxed preload cannot be an ES module, and its
// `require` only knows 'electron' and a few built-ins, not project files. So it imports the IPC
// contract with `import type` only, and each channel name below is typed from IPC_CHANNELS:
// the compiler rejects a name that is not in the contract. tests/electron/preload checks that
// the compiled file requires nothing but 'electron'.
import { contextBridge, ipcRenderer } from 'electron'
import type { ContextBridge, IpcRenderer, IpcRendererEvent } from 'electron'
import type { AppCommand } from '../app-commands.js'
import type {
  ExportFile,
  ExportResult,
  IPC_CHANNELS,
  ImportKind,
  ImportResult,
  PUSH_CHANNELS,
  RelayTokenState,
  RendererError,
  Settings,
  SettingsPatch,
  WindowSyncSummary,
} from '../ipc-contract.js'

type Channels = typeof IPC_CHANNELS
type Push = typeof PUSH_CHANNELS

const GET_SETTINGS: Channels['getSettings'] = 'skein:settings:get'
const UPDATE_SETTINGS: Channels['updateSettings'] = 'skein:settings:update'
const GET_RELAY_TOKEN: Channels['getRelayToken'] = 'skein:token:get'
const SET_RELAY_TOKEN: Channels['setRelayToken'] = 'skein:token:set'
const REPORT_SYNC_STATE: Channels['reportSyncState'] = 'skein:sync-state:report'
const REPORT_ERROR: Channels['reportError'] = 'skein:error:report'
const TAKE_OPEN_NOTE_REQUESTS: Channels['takeOpenNoteRequests'] = 'skein:open-note:take'
const PICK_IMPORT: Channels['pickImport'] = 'skein:markdown:pick-import'
const SAVE_EXPORT: Channels['saveExport'] = 'skein:markdown:save-export'
const PUSH_APP_COMMAND: Push['appCommand'] = 'skein:push:app-command'
const PUSH_OPEN_NOTE: Push['openNoteReady'] = 'skein:push:open-note'

// The runtime list of commands, checked against the AppCommand type in both directions (a
// missing or an extra key fails to compile), because the preload cannot import the real list.
const APP_COMMANDS: Readonly<Record<AppCommand, true>> = {
  'new-note': true,
  search: true,
  'sync-details': true,
  settings: true,
  'command-palette': true,
}

function isAppCommand(value: unknown): value is AppCommand {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(APP_COMMANDS, value)
}

/** The process facts the page may know (sandboxed preloads see a reduced `process`). */
interface ProcessInfo {
  readonly platform: string
  readonly versions: Readonly<Partial<Record<'electron' | 'chrome' | 'node', string>>>
}

type PreloadIpc = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>

/** Subscribes to a push channel; the page's handler gets only the payload, never the event. */
function subscribe(ipc: PreloadIpc, channel: string, onPayload: (payload: unknown) => void): () => void {
  const listener = (_event: IpcRendererEvent, payload: unknown): void => onPayload(payload)
  ipc.on(channel, listener)
  return () => {
    ipc.removeListener(channel, listener)
  }
}

export function createSkeinApi(ipc: PreloadIpc, proc: ProcessInfo) {
  const takeOpenNotes = async (handler: (id: string) => void): Promise<void> => {
    const ids = (await ipc.invoke(TAKE_OPEN_NOTE_REQUESTS)) as string[]
    for (const id of ids) handler(id)
  }
  return {
    getSettings: (): Promise<Settings> => ipc.invoke(GET_SETTINGS),
    updateSettings: (patch: SettingsPatch): Promise<Settings> => ipc.invoke(UPDATE_SETTINGS, patch),
    /** The token for WebSocket params / Authorization headers; keep it in memory only. */
    getRelayToken: (): Promise<RelayTokenState> => ipc.invoke(GET_RELAY_TOKEN),
    setRelayToken: (token: string | null): Promise<RelayTokenState> => ipc.invoke(SET_RELAY_TOKEN, token),
    reportSyncState: (state: WindowSyncSummary): Promise<void> => ipc.invoke(REPORT_SYNC_STATE, state),
    reportError: (error: RendererError): Promise<void> => ipc.invoke(REPORT_ERROR, error),
    pickImport: (kind: ImportKind): Promise<ImportResult> => ipc.invoke(PICK_IMPORT, kind),
    saveExport: (files: ExportFile[]): Promise<ExportResult> => ipc.invoke(SAVE_EXPORT, files),
    /** Menu commands (New Note, Search, …). Returns the unsubscribe function. */
    onAppCommand: (handler: (command: AppCommand) => void): (() => void) =>
      subscribe(ipc, PUSH_APP_COMMAND, (command) => {
        if (isAppCommand(command)) handler(command)
      }),
    /**
     * skein://note/<id> deep links, including one that started the app before the page was
     * listening: main queues them, and they are fetched on subscribe and on each nudge.
     */
    onOpenNote: (handler: (id: string) => void): (() => void) => {
      const fetch = (): void => {
        takeOpenNotes(handler).catch((error: unknown) => console.error('skein: could not read deep links', error))
      }
      const unsubscribe = subscribe(ipc, PUSH_OPEN_NOTE, fetch)
      fetch()
      return unsubscribe
    },
    platform: proc.platform,
    versions: {
      electron: proc.versions.electron ?? '',
      chrome: proc.versions.chrome ?? '',
      node: proc.versions.node ?? '',
    },
  }
}

/** What the renderer sees as window.skein; import it with `import type`. */
export type SkeinApi = ReturnType<typeof createSkeinApi>

export const SKEIN_API_KEY = 'skein'

export function exposeSkeinApi(
  bridge: Pick<ContextBridge, 'exposeInMainWorld'>,
  ipc: PreloadIpc,
  proc: ProcessInfo,
): void {
  bridge.exposeInMainWorld(SKEIN_API_KEY, createSkeinApi(ipc, proc))
}

exposeSkeinApi(contextBridge, ipcRenderer, process)
