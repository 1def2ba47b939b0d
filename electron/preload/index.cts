// The preload of the sandboxed renderer. It exposes one object, window.skein, of named
// methods; ipcRenderer and IPC event objects never cross into the page.
//
// This file is compiled to CommonJS (.cjs): a sandboxed preload cannot be an ES module, and its
// `require` only knows 'electron' and a few built-ins, not project files. So it imports the IPC
// contract with `import type` only, and each channel name below is typed from IPC_CHANNELS:
// the compiler rejects a name that is not in the contract. tests/electron/preload checks that
// the compiled file requires nothing but 'electron'.
import { contextBridge, ipcRenderer } from 'electron'
import type { ContextBridge, IpcRenderer } from 'electron'
import type { IPC_CHANNELS, Settings, SettingsPatch } from '../ipc-contract.js'

type Channels = typeof IPC_CHANNELS

const GET_SETTINGS: Channels['getSettings'] = 'skein:settings:get'
const UPDATE_SETTINGS: Channels['updateSettings'] = 'skein:settings:update'

/** The process facts the page may know (sandboxed preloads see a reduced `process`). */
interface ProcessInfo {
  readonly platform: string
  readonly versions: Readonly<Partial<Record<'electron' | 'chrome' | 'node', string>>>
}

export function createSkeinApi(ipc: Pick<IpcRenderer, 'invoke'>, proc: ProcessInfo) {
  return {
    getSettings: (): Promise<Settings> => ipc.invoke(GET_SETTINGS),
    updateSettings: (patch: SettingsPatch): Promise<Settings> => ipc.invoke(UPDATE_SETTINGS, patch),
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
  ipc: Pick<IpcRenderer, 'invoke'>,
  proc: ProcessInfo,
): void {
  bridge.exposeInMainWorld(SKEIN_API_KEY, createSkeinApi(ipc, proc))
}

exposeSkeinApi(contextBridge, ipcRenderer, process)
