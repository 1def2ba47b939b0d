import pino, { type Logger, type LevelWithSilent } from 'pino'

export type { Logger }
export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

/** Structured JSON logs on stdout, one object per line (pino's format). */
export function createLogger(level: LevelWithSilent = 'info'): Logger {
  if (level === 'silent') return silent
  // Synchronous writes: the lines that matter most (shutdown, a crash) come right before exit,
  // where an asynchronous buffer would lose them.
  return pino({ level, base: { service: 'skein-relay' } }, pino.destination({ dest: 1, sync: true }))
}

// One shared instance: each pino logger on stdout registers a process exit hook.
const silent = pino({ enabled: false })
