// Settings live in <userData>/settings.json. Reading never fails the app: a missing file gives
// the defaults; an unreadable or invalid one gives the defaults and is kept aside as
// settings.json.corrupt for inspection. Writing is atomic: a temporary file in the same folder
// is written, flushed to disk, and renamed over the old one, so a crash leaves either the old or
// the new settings, never a half-written file.
import { randomUUID } from 'node:crypto'
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { IPC_CHANNELS, settingsPatchSchema, settingsSchema } from '../ipc-contract.js'
import type { Settings, SettingsPatch } from '../ipc-contract.js'

export const SETTINGS_FILE = 'settings.json'
export const CORRUPT_SUFFIX = '.corrupt'

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({ relayUrl: 'ws://127.0.0.1:1234' })

export type LoadResult =
  | { status: 'ok'; settings: Settings }
  | { status: 'missing'; settings: Settings }
  | { status: 'recovered'; settings: Settings; backupPath: string; reason: string }
  | { status: 'unreadable'; settings: Settings; reason: string }

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined
}

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
    const parsed = settingsSchema.safeParse(JSON.parse(text))
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
  await mkdir(dir, { recursive: true })
  const file = path.join(dir, SETTINGS_FILE)
  const tmp = path.join(dir, `${SETTINGS_FILE}.${process.pid}.${randomUUID()}.tmp`)
  try {
    const handle = await open(tmp, 'wx', 0o600)
    try {
      await handle.writeFile(`${JSON.stringify(valid, null, 2)}\n`, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(tmp, file)
  } catch (error) {
    await rm(tmp, { force: true })
    throw error
  }
  await syncDirectory(dir)
}

/** Makes the rename itself durable where the platform allows it (not on Windows). */
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return
  try {
    const handle = await open(dir, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // Best effort: some filesystems refuse fsync on a directory.
  }
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
