// The one list of IPC channels between the main process and the preload, with the zod schemas
// for each channel's arguments and result. The main process validates every call against this
// table (see main/ipc.ts). The preload imports it with `import type` only: a sandboxed preload
// cannot `require` project files at runtime, so it names each channel through a type derived
// from IPC_CHANNELS below, and the compiler rejects any name that is not listed here.
import { z } from 'zod'

/** Channel names, keyed by the preload API method that uses them. */
export const IPC_CHANNELS = {
  getSettings: 'skein:settings:get',
  updateSettings: 'skein:settings:update',
} as const

export type IpcChannels = typeof IPC_CHANNELS
export type IpcChannel = IpcChannels[keyof IpcChannels]

const MAX_RELAY_URL_LENGTH = 2048

/** A relay is reached over WebSocket only; anything else is a configuration error. */
export const relayUrlSchema = z
  .string()
  .trim()
  .max(MAX_RELAY_URL_LENGTH)
  .pipe(z.url({ protocol: /^wss?$/ }))

export const settingsSchema = z.object({
  relayUrl: relayUrlSchema,
})
export type Settings = z.infer<typeof settingsSchema>

/** What the renderer may change; every field optional, nothing else accepted. */
export const settingsPatchSchema = settingsSchema.partial().strict()
export type SettingsPatch = z.infer<typeof settingsPatchSchema>

export const ipcContract = {
  [IPC_CHANNELS.getSettings]: {
    args: z.tuple([]),
    result: settingsSchema,
  },
  [IPC_CHANNELS.updateSettings]: {
    args: z.tuple([settingsPatchSchema]),
    result: settingsSchema,
  },
} as const satisfies Record<IpcChannel, { args: z.ZodTuple; result: z.ZodType }>

export type IpcContract = typeof ipcContract
export type IpcArgs<C extends IpcChannel> = z.infer<IpcContract[C]['args']>
export type IpcResult<C extends IpcChannel> = z.infer<IpcContract[C]['result']>
