#!/usr/bin/env -S node --max-semi-space-size=8
// The relay runs with V8's young generation capped at 8 MiB per semi-space (Node's default grows
// to 16 MiB). Measured with `npm run bench:relay`: 4 MiB promoted more short-lived garbage (higher
// steady RSS and longer pauses under load); 16 MiB left a burst of connections holding ~40 MiB of
// young-generation pages; 8 MiB matches the default's latency with half its idle footprint.
// Every launcher (package.json "relay", scripts/start.mjs, the Dockerfile, the benchmark) passes it.
import { fileURLToPath } from 'node:url'
import { dirname, resolve } from 'node:path'
import { ConfigError, helpText, parseConfig, redactUrl, type RelayConfig } from './config.js'
import { createLogger } from './log.js'
import { DAY_MS } from './meta/purger.js'
import { startRelay, type RelayStorage } from './relay.js'
import { AuthFileError, AuthTable } from './auth.js'
import { migrate, openPool, SchemaTooNewError, type Pool } from './postgres/database.js'
import { PostgresBlobStorage } from './postgres/blob-storage.js'
import { PostgresDocStorage } from './postgres/doc-storage.js'
import { PostgresMetaStorage } from './postgres/meta-storage.js'
import type { Logger } from 'pino'

// Compiled to dist/node/server/cli.js; the web client is built to dist/renderer.
const BUNDLED_CLIENT = resolve(dirname(fileURLToPath(import.meta.url)), '../../renderer')
const SHUTDOWN_TIMEOUT_MS = 30_000

function fail(message: string): never {
  process.stderr.write(`skein-relay: ${message}\n`)
  process.exit(1)
}

/**
 * With `--postgres`: one pool for both storages, the schema migrated first (under its lock, so
 * relays starting together are safe). Refuses a schema newer than this relay, in one line.
 */
async function openPostgres(url: string, log: Logger): Promise<{ pool: Pool; storage: Required<RelayStorage> }> {
  const pool = openPool(url, { onIdleError: (err) => log.warn({ err: err.message }, 'a PostgreSQL connection failed; the pool replaces it') })
  try {
    const { from, to } = await migrate(pool)
    if (from !== to) log.info({ from, to }, 'PostgreSQL schema migrated')
    const docs = await PostgresDocStorage.open(pool, { migrate: false })
    const meta = await PostgresMetaStorage.open(pool, { migrate: false })
    const blobs = await PostgresBlobStorage.open(pool, { migrate: false })
    return { pool, storage: { docs, meta, blobs } }
  } catch (err) {
    await pool.end().catch(() => undefined)
    if (err instanceof SchemaTooNewError) fail(err.message)
    fail(`cannot use PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}`)
  }
}

function whereData(config: RelayConfig): string {
  return config.postgresUrl ? `PostgreSQL ${redactUrl(config.postgresUrl)}${config.redisUrl ? `, fan-out through Redis ${redactUrl(config.redisUrl)}` : ''}` : resolve(config.dataDir)
}

async function main(): Promise<void> {
  let config
  try {
    config = parseConfig(process.argv.slice(2), process.env, BUNDLED_CLIENT)
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`skein-relay: ${err.message}\n`)
      process.exit(2)
    }
    throw err
  }
  if (!config) {
    process.stdout.write(helpText() + '\n')
    return
  }

  const log = createLogger(config.logLevel)
  const { authFile } = config
  let auth: AuthTable | null = null
  if (authFile) {
    try {
      auth = AuthTable.load(authFile)
    } catch (err) {
      if (err instanceof AuthFileError) fail(err.message)
      throw err
    }
  }
  const postgres = config.postgresUrl ? await openPostgres(config.postgresUrl, log) : null
  let relay
  try {
    relay = await startRelay({
      host: config.host,
      port: config.port,
      dataDir: config.dataDir,
      ...(postgres ? { storage: postgres.storage } : {}),
      ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}),
      staticDir: config.staticDir,
      limits: config.limits,
      purgeAfterMs: config.purgeAfterDays * DAY_MS,
      auth,
      logger: log,
    })
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    if (e.code === 'EADDRINUSE') fail(`port ${config.port} on ${config.host} is already in use`)
    if (e.code === 'EADDRNOTAVAIL') fail(`cannot listen on ${config.host}: address not available on this machine`)
    if (e.code === 'EACCES' && e.syscall === 'listen') fail(`not allowed to listen on port ${config.port}`)
    const dataDir = resolve(config.dataDir)
    if (e.code === 'EEXIST' || e.code === 'ENOTDIR') fail(`cannot use data folder ${dataDir}: it (or a parent) is a file, not a folder`)
    if (e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS') fail(`cannot use data folder ${dataDir}: not writable (${e.code})`)
    if (e.code === 'SQLITE_CANTOPEN') fail(`cannot use data folder ${dataDir}: cannot open ${dataDir}/skein.sqlite`)
    if (typeof e.code === 'string' && e.code.startsWith('SQLITE_')) fail(`cannot use data folder ${dataDir}: ${e.message} (${e.code})`)
    throw err
  }
  if (authFile) {
    process.on('SIGHUP', () => {
      try {
        relay.setAuth(AuthTable.load(authFile))
        log.info({ authFile }, 'auth file reloaded')
      } catch (err) {
        // Keep serving with the tokens we had: a typo in the file must not lock everyone out.
        log.error({ err: (err as Error).message, authFile }, 'auth file reload failed; keeping the previous tokens')
      }
    })
  }
  if (!auth && config.insecureNoAuth) log.warn('auth is off: anyone who can reach this relay can read and write every note')
  process.stderr.write(
    `skein-relay: listening on ${relay.url.replace('http:', 'ws:')}; open ${relay.url}/ in a browser; data in ${whereData(config)}\n`,
  )

  let shuttingDown = false
  const shutdown = (signal: string): void => {
    // A terminal's Ctrl-C reaches every process in the group, and launchers forward it too: a
    // second signal must not cut the first shutdown short.
    if (shuttingDown) return log.info({ signal }, 'already shutting down')
    shuttingDown = true
    log.info({ signal }, 'shutting down')
    setTimeout(() => {
      log.error('shutdown timed out; exiting with updates possibly unstored')
      process.exit(1)
    }, SHUTDOWN_TIMEOUT_MS).unref()
    relay
      .close()
      .then(() => postgres?.pool.end())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err }, 'shutdown failed')
          process.exit(1)
        },
      )
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
}

main().catch((err: unknown) => {
  fail((err as Error).stack ?? String(err))
})
