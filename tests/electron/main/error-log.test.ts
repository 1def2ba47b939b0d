import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { IPC_CHANNELS } from '../../../electron/ipc-contract.js'
import { LOG_FILE, RotatingLog, errorLogIpcHandlers, setupErrorLogging } from '../../../electron/main/error-log.js'
import type { LogEntry } from '../../../electron/main/error-log.js'

/** The test's temporary folder, removed after it (a test may point `dir` inside it). */
let root: string
let dir: string
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'skein-log-'))
  dir = root
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

const FIXED = () => new Date('2026-01-02T03:04:05.000Z')
const lines = async (name: string) => (await readFile(path.join(dir, name), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)

describe('RotatingLog', () => {
  it('appends JSON lines with a timestamp, creating the folder', async () => {
    const logDir = path.join(dir, 'logs')
    const log = new RotatingLog(logDir, { maxBytes: 10_000, files: 3, now: FIXED })
    log.write({ source: 'main', kind: 'uncaughtException', message: 'boom' })
    log.write({ source: 'renderer', kind: 'error', message: 'bang' })
    dir = logDir
    expect(await lines(LOG_FILE)).toEqual([
      { time: '2026-01-02T03:04:05.000Z', source: 'main', kind: 'uncaughtException', message: 'boom' },
      { time: '2026-01-02T03:04:05.000Z', source: 'renderer', kind: 'error', message: 'bang' },
    ])
  })

  it('rotates by size and keeps at most the configured number of files, dropping the oldest', async () => {
    const log = new RotatingLog(dir, { maxBytes: 300, files: 3, now: FIXED })
    for (let i = 0; i < 40; i += 1) log.write({ source: 'main', kind: 'k', message: `message ${i}`.padEnd(60, '.') })
    expect((await readdir(dir)).sort()).toEqual([LOG_FILE, `${LOG_FILE}.1`, `${LOG_FILE}.2`])
    for (const name of await readdir(dir)) expect((await stat(path.join(dir, name))).size).toBeLessThanOrEqual(300)
    const newest = await lines(LOG_FILE)
    expect(newest.at(-1)?.message).toMatch(/^message 39/)
    const older = await lines(`${LOG_FILE}.1`)
    const oldest = await lines(`${LOG_FILE}.2`)
    const numberOf = (entry: Record<string, unknown> | undefined) => Number(/\d+/.exec(String(entry?.message))?.[0])
    // Contiguous and in order across files: nothing lost between the kept files, the oldest dropped.
    expect(numberOf(older.at(-1)) + 1).toBe(numberOf(newest[0]))
    expect(numberOf(oldest.at(-1)) + 1).toBe(numberOf(older[0]))
    expect(numberOf(oldest[0])).toBeGreaterThan(0)
  })

  it('truncates an oversized entry instead of writing it whole', async () => {
    const log = new RotatingLog(dir, { maxBytes: 1_000_000, files: 2, now: FIXED })
    log.write({ source: 'renderer', kind: 'error', message: 'm'.repeat(50_000), stack: 's'.repeat(50_000) })
    const [entry] = await lines(LOG_FILE)
    expect(entry?.truncated).toBe(true)
    expect(String(entry?.message)).toHaveLength(2000)
    expect(entry?.stack).toBeUndefined()
  })

  it('never throws when the folder cannot be written', () => {
    const log = new RotatingLog(path.join(dir, 'missing', '\0bad'), { maxBytes: 100, files: 2 })
    const original = console.error
    console.error = () => {}
    try {
      expect(() => log.write({ source: 'main', kind: 'k', message: 'x' })).not.toThrow()
    } finally {
      console.error = original
    }
  })
})

describe('renderer error reports', () => {
  it('are logged until the rate limit says stop', () => {
    const written: LogEntry[] = []
    let allowed = 2
    const handler = errorLogIpcHandlers({ write: (e) => void written.push(e) }, { take: () => allowed-- > 0 })[IPC_CHANNELS.reportError]
    for (let i = 0; i < 5; i += 1) handler({ kind: 'error', message: `e${i}`, source: 'app://skein/assets/index.js' })
    expect(written.map((e) => e.message)).toEqual(['e0', 'e1'])
    expect(written[0]).toMatchObject({ source: 'renderer', kind: 'error', details: { source: 'app://skein/assets/index.js' } })
  })
})

describe('setupErrorLogging', () => {
  it('logs uncaught errors, rejections and crashed processes', () => {
    const procListeners = new Map<string, (value: unknown) => void>()
    const appListeners = new Map<string, (...args: unknown[]) => void>()
    const written: LogEntry[] = []
    setupErrorLogging(
      { on: (event: string, listener: (value: unknown) => void) => procListeners.set(event, listener) } as never,
      { on: (event: string, listener: (...args: unknown[]) => void) => appListeners.set(event, listener) } as never,
      { write: (entry) => void written.push(entry) },
    )
    const original = console.error
    console.error = () => {}
    try {
      procListeners.get('uncaughtException')?.(new TypeError('bad'))
      procListeners.get('unhandledRejection')?.('just a string')
    } finally {
      console.error = original
    }
    appListeners.get('render-process-gone')?.({}, {}, { reason: 'crashed', exitCode: 11 })
    appListeners.get('child-process-gone')?.({}, { type: 'GPU', reason: 'oom', exitCode: 1, name: 'gpu' })
    expect(written.map((e) => [e.kind, e.message])).toEqual([
      ['uncaughtException', 'TypeError: bad'],
      ['unhandledRejection', 'just a string'],
      ['render-process-gone', 'crashed'],
      ['child-process-gone', 'oom'],
    ])
    expect(written[0]?.stack).toContain('TypeError: bad')
  })
})
