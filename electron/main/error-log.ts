// Crash and error reports stay on the device: main-process errors, renderer crashes and the
// renderer's uncaught errors are appended as JSON lines to <userData>/logs/skein.log, rotated by
// size (skein.log → skein.log.1 → skein.log.2, the oldest dropped), so the folder never holds
// more than about maxBytes × files. Writes are synchronous: the process may be about to die.
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs'
import path from 'node:path'
import type { App } from 'electron'
import { IPC_CHANNELS } from '../ipc-contract.js'
import type { RendererError } from '../ipc-contract.js'
import type { TokenBucket } from '../../shared/rate-limit.js'
import { errorCode } from './atomic-file.js'

export const LOG_DIR = 'logs'
export const LOG_FILE = 'skein.log'

export interface LogEntry {
  source: 'main' | 'renderer'
  kind: string
  message: string
  stack?: string | undefined
  details?: Record<string, unknown> | undefined
}

export interface RotatingLogOptions {
  /** Rotate before a write would take the current file past this size. */
  maxBytes: number
  /** Files kept in total, the current one included. */
  files: number
  now?: () => Date
}

const MAX_LINE_BYTES = 16 * 1024

export class RotatingLog {
  private readonly file: string
  private readonly now: () => Date

  constructor(
    private readonly dir: string,
    private readonly options: RotatingLogOptions,
  ) {
    if (options.files < 1 || options.maxBytes < 1) throw new Error('RotatingLog: files and maxBytes must be positive')
    this.file = path.join(dir, LOG_FILE)
    this.now = options.now ?? (() => new Date())
  }

  /** Never throws: a log that cannot be written must not take the app down with it. */
  write(entry: LogEntry): void {
    try {
      let line = `${JSON.stringify({ time: this.now().toISOString(), ...entry })}\n`
      if (Buffer.byteLength(line) > MAX_LINE_BYTES) {
        line = `${JSON.stringify({ time: this.now().toISOString(), ...entry, stack: undefined, message: entry.message.slice(0, 2000), truncated: true })}\n`
      }
      mkdirSync(this.dir, { recursive: true })
      if (this.currentSize() + Buffer.byteLength(line) > this.options.maxBytes) this.rotate()
      appendFileSync(this.file, line, { mode: 0o600 })
    } catch (error) {
      console.error('skein: could not write the error log', error)
    }
  }

  private currentSize(): number {
    try {
      return statSync(this.file).size
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return 0
      throw error
    }
  }

  private rotate(): void {
    const numbered = (n: number): string => (n === 0 ? this.file : `${this.file}.${n}`)
    rmSync(numbered(this.options.files - 1), { force: true })
    for (let n = this.options.files - 2; n >= 0; n -= 1) {
      try {
        renameSync(numbered(n), numbered(n + 1))
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error
      }
    }
  }
}

/**
 * Renderer reports, through a token bucket (the relay's, shared/rate-limit.ts): a renderer stuck
 * in an error loop must not fill the disk or the log with one message.
 */
export function errorLogIpcHandlers(
  log: Pick<RotatingLog, 'write'>,
  limiter: Pick<TokenBucket, 'take'>,
): { [IPC_CHANNELS.reportError]: (error: RendererError) => undefined } {
  return {
    [IPC_CHANNELS.reportError]: (error) => {
      if (limiter.take()) {
        log.write({ source: 'renderer', kind: error.kind, message: error.message, stack: error.stack, details: error.source === undefined ? undefined : { source: error.source } })
      }
      return undefined
    },
  }
}

function describe(error: unknown): { message: string; stack?: string | undefined } {
  if (error instanceof Error) return { message: `${error.name}: ${error.message}`, stack: error.stack }
  return { message: String(error) }
}

/**
 * Main-process errors and crashes of any process. With an 'uncaughtException' listener Node no
 * longer exits; main keeps little state (the notes live in the renderer's IndexedDB), so
 * logging and carrying on is better than losing the window over a failed background task.
 */
export function setupErrorLogging(
  proc: Pick<NodeJS.Process, 'on'>,
  app: Pick<App, 'on'>,
  log: Pick<RotatingLog, 'write'>,
): void {
  proc.on('uncaughtException', (error) => {
    console.error('skein: uncaught exception', error)
    log.write({ source: 'main', kind: 'uncaughtException', ...describe(error) })
  })
  proc.on('unhandledRejection', (reason) => {
    console.error('skein: unhandled rejection', reason)
    log.write({ source: 'main', kind: 'unhandledRejection', ...describe(reason) })
  })
  app.on('render-process-gone', (_event, _contents, details) => {
    log.write({ source: 'main', kind: 'render-process-gone', message: details.reason, details: { exitCode: details.exitCode } })
  })
  app.on('child-process-gone', (_event, details) => {
    log.write({
      source: 'main',
      kind: 'child-process-gone',
      message: details.reason,
      details: { type: details.type, exitCode: details.exitCode, name: details.name },
    })
  })
}
