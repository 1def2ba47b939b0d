// A vitest globalSetup that makes a test run prove it left nothing behind. Every process a test
// starts (relays, Chromium and its helpers, whatever they start) inherits this run's marker in
// its environment, and every temporary folder lands in this run's own folder (TMPDIR, which
// os.tmpdir() and Chromium both read). At the end, a marked process still running or anything
// left in that folder fails the run with its name; both are then removed, so the machine is
// clean either way. The marker and the folder are this run's alone: runs from other worktrees
// on the same machine are neither counted nor touched.
import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const RUN_MARKER = 'SKEIN_TEST_RUN'
/** How long processes get to finish exiting after the last test (a relay flushes on SIGTERM). */
const GRACE_MS = 5_000
/** Tools' own caches, which they keep in the temporary folder on purpose (jiti: electron-builder's config loader). */
const CACHES = new Set(['jiti'])
/**
 * Chromium's per-launch scratch folders. A browser that exited normally sometimes leaves one
 * behind (its own cleanup races its exit); a browser left running is still caught, as a process.
 */
const BROWSER_SCRATCH = /^\.org\.chromium\.Chromium\./

interface Leftovers {
  processes: { pid: number; command: string }[]
  /** Paths relative to the run's temporary folder. */
  folders: string[]
}

export default function setup(): () => Promise<void> {
  const run = randomUUID()
  const saved = { marker: process.env[RUN_MARKER], tmp: process.env.TMPDIR }
  const runTmp = mkdtempSync(join(tmpdir(), 'skein-test-run-'))
  process.env[RUN_MARKER] = run
  process.env.TMPDIR = runTmp

  return async () => {
    let left = leftovers(run, runTmp)
    for (const deadline = Date.now() + GRACE_MS; left.processes.length > 0 && Date.now() < deadline; left = leftovers(run, runTmp)) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    for (const { pid } of left.processes) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
    rmSync(runTmp, { recursive: true, force: true })
    restore('TMPDIR', saved.tmp)
    restore(RUN_MARKER, saved.marker)
    if (left.processes.length === 0 && left.folders.length === 0) return
    const lines = [
      'The tests left things behind (now killed and removed, but some test does not clean up after itself):',
      ...left.processes.map((p) => `  process ${p.pid}: ${p.command}`),
      ...left.folders.map((f) => `  temporary ${join(runTmp, f)}`),
    ]
    // vitest reports an error thrown here but still exits 0: the exit code has to be set too.
    process.exitCode = 1
    throw new Error(lines.join('\n'))
  }
}

/** This run's processes still running (except vitest's own) and what is left in its temporary folder. */
export function leftovers(run: string, runTmp: string): Leftovers {
  const marker = `${RUN_MARKER}=${run}`
  const processes: Leftovers['processes'] = []
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry)
    if (!Number.isInteger(pid) || pid === process.pid) continue
    const environ = readProc(pid, 'environ')
    if (environ === null || !environ.split('\0').includes(marker)) continue
    const command = (readProc(pid, 'cmdline') ?? '').split('\0').join(' ').trim()
    // vitest's workers carry the marker too; they are gone or going once the run ends.
    if (/node_modules\/(vitest|tinypool)\//.test(command)) continue
    processes.push({ pid, command: command.length > 300 ? `${command.slice(0, 300)}…` : command })
  }
  return { processes, folders: readdirSync(runTmp).filter((name) => !CACHES.has(name) && !BROWSER_SCRATCH.test(name)) }
}

function readProc(pid: number, file: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8')
  } catch {
    return null // gone, or not ours to read
  }
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name]
  else process.env[name] = value
}
