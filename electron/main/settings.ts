// Settings live in <userData>/settings.json. Reading never fails the app: a missing file gives
// the defaults; an unreadable or invalid one gives the defaults and is kept aside as
// settings.json.corrupt for inspection. Writing is atomic (atomic-file.ts). The relay token is
// not a setting: it is stored encrypted on its own (token-store.ts).
import { readFile, rename } from 'node:fs/promises'
import path from 'node:path'
import {
  DEFAULT_PRESENCE_COLOR,
  IPC_CHANNELS,
  settingsPatchSchema,
  settingsSchema,
  storedSettingsSchema,
} from '../ipc-contract.js'
import type { Settings, SettingsPatch } from '../ipc-contract.js'
import { errorCode, writeFileAtomic } from './atomic-file.js'

export const SETTINGS_FILE = 'settings.json'
export const CORRUPT_SUFFIX = '.corrupt'

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  relayUrl: 'ws://127.0.0.1:1234',
  displayName: '',
  color: DEFAULT_PRESENCE_COLOR,
})

export type LoadResult =
  | { status: 'ok'; settings: Settings }
  | { status: 'missing'; settings: Settings }
  | { status: 'recovered'; settings: Settings; backupPath: string; reason: string }
  | { status: 'unreadable'; settings: Settings; reason: string }

export async function loadSettings(dir: string): Promise<LoadResult> {
  const file = path.join(dir, SETTINGS_FILE)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { status: 'missing', settings: { ...DEFAULT_SETTINGS } }
    // Permissions, a directory in the way, I/O error: don't touch the file, run on defaults.
    return { status: 'unreadable', settings: { ...DEFAULT_SETTINGS }, reason: String(error) }
  }
  let reason: string
  try {
    const parsed = storedSettingsSchema.safeParse(JSON.parse(text))
    if (parsed.success) return { status: 'ok', settings: parsed.data }
    reason = `invalid settings: ${parsed.error.message}`
  } catch (error) {
    reason = `not JSON: ${String(error)}`
  }
  const backupPath = file + CORRUPT_SUFFIX
  await rename(file, backupPath)
  return { status: 'recovered', settings: { ...DEFAULT_SETTINGS }, backupPath, reason }
}

export async function saveSettings(dir: string, settings: Settings): Promise<void> {
  const valid = settingsSchema.parse(settings)
  await writeFileAtomic(dir, SETTINGS_FILE, `${JSON.stringify(valid, null, 2)}\n`)
}

export interface SettingsStore {
  get(): Promise<Settings>
  update(patch: SettingsPatch): Promise<Settings>
}

/** Loads once, then serves from memory; updates are validated and written one at a time. */
export function createSettingsStore(
  dir: string,
  onLoad: (result: LoadResult) => void = logLoadResult,
): SettingsStore {
  let current: Promise<Settings> | undefined
  let queue: Promise<unknown> = Promise.resolve()
  const get = (): Promise<Settings> => {
    current ??= loadSettings(dir).then((result) => {
      onLoad(result)
      return result.settings
    })
    return current
  }
  const update = (patch: SettingsPatch): Promise<Settings> => {
    const run = async (): Promise<Settings> => {
      const next = settingsSchema.parse({ ...(await get()), ...settingsPatchSchema.parse(patch) })
      await saveSettings(dir, next)
      current = Promise.resolve(next)
      return next
    }
    const result = queue.then(run, run)
    queue = result.catch(() => undefined)
    return result
  }
  return { get, update }
}

function logLoadResult(result: LoadResult): void {
  if (result.status === 'recovered') {
    console.warn(`skein: settings were invalid (${result.reason}); using defaults, old file kept at ${result.backupPath}`)
  } else if (result.status === 'unreadable') {
    console.warn(`skein: settings could not be read (${result.reason}); using defaults`)
  }
}

/** The IPC handlers for the settings channels (registered through main/ipc.ts). */
export function settingsIpcHandlers(store: SettingsStore): {
  [IPC_CHANNELS.getSettings]: () => Promise<Settings>
  [IPC_CHANNELS.updateSettings]: (patch: SettingsPatch) => Promise<Settings>
} {
  return {
    [IPC_CHANNELS.getSettings]: () => store.get(),
    [IPC_CHANNELS.updateSettings]: (patch) => store.update(patch),
  }
}
