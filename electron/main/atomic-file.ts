// Small files in userData (settings, the encrypted token, window bounds) are replaced atomically:
// a temporary file in the same folder is written, flushed to disk, and renamed over the old one,
// so a crash leaves either the old or the new content, never a half-written file.
import { randomUUID } from 'node:crypto'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import path from 'node:path'

export async function writeFileAtomic(dir: string, name: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dir, { recursive: true })
  const file = path.join(dir, name)
  const tmp = path.join(dir, `${name}.${process.pid}.${randomUUID()}.tmp`)
  try {
    // 0600: nothing in userData is meant for other users of the machine.
    const handle = await open(tmp, 'wx', 0o600)
    try {
      await handle.writeFile(data)
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

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined
}
