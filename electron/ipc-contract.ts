// The one list of IPC channels between the main process and the preload, with the zod schemas
// for each channel's arguments and result. The main process validates every call against this
// table (see main/ipc.ts). The preload imports it with `import type` only: a sandboxed preload
// cannot `require` project files at runtime, so it names each channel through a type derived
// from IPC_CHANNELS below, and the compiler rejects any name that is not listed here.
import { z } from 'zod'
import { DEFAULT_PRESENCE_COLOR } from './presence-default.js'
import { MAX_ERROR_MESSAGE_LENGTH, MAX_ERROR_SOURCE_LENGTH, MAX_ERROR_STACK_LENGTH } from './limits.js'

/** Renderer → main calls (ipcRenderer.invoke), keyed by the preload API method that uses them. */
export const IPC_CHANNELS = {
  getSettings: 'skein:settings:get',
  updateSettings: 'skein:settings:update',
  getRelayToken: 'skein:token:get',
  setRelayToken: 'skein:token:set',
  reportSyncState: 'skein:sync-state:report',
  reportError: 'skein:error:report',
  takeOpenNoteRequests: 'skein:open-note:take',
  pickImport: 'skein:markdown:pick-import',
  saveExport: 'skein:markdown:save-export',
} as const

/**
 * Main → renderer messages (webContents.send). The preload checks each payload before handing it
 * to the page; `openNoteReady` carries nothing, it only says "call takeOpenNoteRequests".
 */
export const PUSH_CHANNELS = {
  appCommand: 'skein:push:app-command',
  openNoteReady: 'skein:push:open-note',
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

/** Note ids are `crypto.randomUUID()` strings (renderer/notes); deep links must name one. */
export const NOTE_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
export const noteIdSchema = z.string().regex(NOTE_ID_PATTERN)

export { DEFAULT_PRESENCE_COLOR }

const settingsFields = {
  /** '' means "no relay": the app works on this device only. */
  relayUrl: relayUrlSchema.or(z.literal('')),
  /** Shown to collaborators next to this device's cursor; '' lets the app pick a default. */
  displayName: z.string().trim().max(64),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/),
}

export const settingsSchema = z.object(settingsFields)
export type Settings = z.infer<typeof settingsSchema>

/**
 * settings.json as stored. Fields added after the first release get defaults here, so a file
 * written by an older version still loads instead of being treated as corrupt.
 */
export const storedSettingsSchema = z.object({
  relayUrl: settingsFields.relayUrl,
  displayName: settingsFields.displayName.default(''),
  color: settingsFields.color.default(DEFAULT_PRESENCE_COLOR),
})

/** What the renderer may change; every field optional, nothing else accepted. */
export const settingsPatchSchema = settingsSchema.partial().strict()
export type SettingsPatch = z.infer<typeof settingsPatchSchema>

/** Relay tokens are opaque printable ASCII (the relay's own rule is at least 16 characters). */
export const relayTokenSchema = z.string().trim().min(1).max(1024).regex(/^[\x21-\x7e]+$/)

/**
 * Where the token lives. 'encrypted': on disk, encrypted with the OS keychain (safeStorage).
 * 'session-only': the OS offers no keychain, so the token is kept in memory until the app quits.
 */
export const tokenPersistenceSchema = z.enum(['encrypted', 'session-only'])
export const relayTokenStateSchema = z
  .object({ token: relayTokenSchema.nullable(), persistence: tokenPersistenceSchema })
  .strict()
export type RelayTokenState = z.infer<typeof relayTokenStateSchema>

const countSchema = z.number().int().min(0).max(1_000_000_000)
/** What a window holds that closing it would lose (unsaved) or leave unsynced (pending). */
export const windowSyncSummarySchema = z.object({ unsaved: countSchema, pending: countSchema }).strict()
export type WindowSyncSummary = z.infer<typeof windowSyncSummarySchema>

export const rendererErrorSchema = z
  .object({
    kind: z.enum(['error', 'unhandledrejection']),
    message: z.string().max(MAX_ERROR_MESSAGE_LENGTH),
    stack: z.string().max(MAX_ERROR_STACK_LENGTH).optional(),
    source: z.string().max(MAX_ERROR_SOURCE_LENGTH).optional(),
  })
  .strict()
export type RendererError = z.infer<typeof rendererErrorSchema>

export const importKindSchema = z.enum(['files', 'folder'])
export type ImportKind = z.infer<typeof importKindSchema>

/** Relative paths use '/', whatever the platform. */
const relativePathSchema = z.string().min(1).max(1024)
export const MAX_MARKDOWN_FILE_BYTES = 4 * 1024 * 1024
const markdownTextSchema = z.string().max(MAX_MARKDOWN_FILE_BYTES)
export const MAX_MARKDOWN_FILES = 5000

export const importResultSchema = z
  .object({
    files: z.array(z.object({ name: relativePathSchema, text: markdownTextSchema }).strict()).max(MAX_MARKDOWN_FILES),
    skipped: z.array(z.object({ name: relativePathSchema, reason: z.string() }).strict()),
  })
  .strict()
  .nullable()
export type ImportResult = z.infer<typeof importResultSchema>

export const exportFilesSchema = z
  .array(z.object({ relativePath: relativePathSchema, text: markdownTextSchema }).strict())
  .min(1)
  .max(MAX_MARKDOWN_FILES)
export type ExportFile = z.infer<typeof exportFilesSchema>[number]

export const exportResultSchema = z
  .object({ folder: z.string(), written: z.array(relativePathSchema) })
  .strict()
  .nullable()
export type ExportResult = z.infer<typeof exportResultSchema>

export const ipcContract = {
  [IPC_CHANNELS.getSettings]: { args: z.tuple([]), result: settingsSchema },
  [IPC_CHANNELS.updateSettings]: { args: z.tuple([settingsPatchSchema]), result: settingsSchema },
  [IPC_CHANNELS.getRelayToken]: { args: z.tuple([]), result: relayTokenStateSchema },
  [IPC_CHANNELS.setRelayToken]: { args: z.tuple([relayTokenSchema.nullable()]), result: relayTokenStateSchema },
  [IPC_CHANNELS.reportSyncState]: { args: z.tuple([windowSyncSummarySchema]), result: z.undefined() },
  [IPC_CHANNELS.reportError]: { args: z.tuple([rendererErrorSchema]), result: z.undefined() },
  [IPC_CHANNELS.takeOpenNoteRequests]: { args: z.tuple([]), result: z.array(noteIdSchema) },
  [IPC_CHANNELS.pickImport]: { args: z.tuple([importKindSchema]), result: importResultSchema },
  [IPC_CHANNELS.saveExport]: { args: z.tuple([exportFilesSchema]), result: exportResultSchema },
} as const satisfies Record<IpcChannel, { args: z.ZodTuple; result: z.ZodType }>

export type IpcContract = typeof ipcContract
export type IpcArgs<C extends IpcChannel> = z.infer<IpcContract[C]['args']>
export type IpcResult<C extends IpcChannel> = z.infer<IpcContract[C]['result']>
