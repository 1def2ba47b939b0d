import pg from 'pg'
import { MIGRATIONS, type Migration } from './migrations/index.js'

/**
 * PostgreSQL connection and schema for a relay that runs with `--postgres`. Every relay of a
 * service opens its own pool on the same database; the schema is shared and versioned.
 */
export type Pool = pg.Pool
export type PoolClient = pg.PoolClient

/** The advisory lock key migrations run under ('skein' + 'mig' as ASCII), one for the whole database. */
const MIGRATION_LOCK_KEY = 0x736b65696e6d6967n

export class SchemaTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(`the PostgreSQL schema is at version ${found}, newer than this relay knows (${known}): upgrade this relay before starting it against that database`)
    this.name = 'SchemaTooNewError'
  }
}

export interface PoolOptions {
  /** Most connections this relay opens (default 10). */
  max?: number
  /** Errors of idle connections (the server restarted, the network dropped). The pool replaces them. */
  onIdleError?: (error: Error) => void
}

export function openPool(url: string, options: PoolOptions = {}): Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    // A relay must notice a dead server quickly; pg's default waits forever for a connection.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'skein-relay',
  })
  // Without a listener an idle client's error (PostgreSQL restarting) would crash the process.
  pool.on('error', (error) => options.onIdleError?.(error))
  return pool
}

/**
 * Brings the schema up to date: applies, in order and each in its own transaction, every
 * migration newer than the database's version. Runs under a session advisory lock, so relays
 * starting together apply each migration once and the others wait, then find nothing to do.
 * Refuses (SchemaTooNewError) a database whose schema is newer than the migrations given.
 */
export async function migrate(pool: Pool, migrations: readonly Migration[] = MIGRATIONS): Promise<{ from: number; to: number }> {
  const known = migrations.reduce((max, m) => Math.max(max, m.version), 0)
  return withConnection(pool, async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()])
    try {
      await client.query('CREATE TABLE IF NOT EXISTS skein_schema (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())')
      const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM skein_schema')
      const from = rows[0]?.version ?? 0
      if (from > known) throw new SchemaTooNewError(from, known)
      for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
        if (migration.version <= from) continue
        await client.query('BEGIN')
        try {
          await client.query(migration.sql)
          await client.query('INSERT INTO skein_schema (version, name) VALUES ($1, $2)', [migration.version, migration.name])
          await client.query('COMMIT')
        } catch (error) {
          await client.query('ROLLBACK')
          throw new Error(`PostgreSQL migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`, { cause: error })
        }
      }
      return { from, to: Math.max(from, known) }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()])
    }
  })
}

/**
 * Checks a connection out of the pool for `use`, and returns it. While a connection is checked out
 * the pool no longer listens for its errors, and pg emits a connection that dies between two
 * queries (PostgreSQL restarting) as an 'error' event: unheard, it would crash the relay. Heard
 * here, it marks the connection broken, so it is destroyed instead of handed out again; the query
 * in flight (or the next one) fails and its caller retries.
 */
export async function withConnection<T>(pool: Pool, use: (client: PoolClient, markBroken: () => void) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  let broken = false
  const onError = (): void => {
    broken = true
  }
  client.on('error', onError)
  try {
    return await use(client, onError)
  } finally {
    client.off('error', onError)
    client.release(broken)
  }
}

/**
 * Runs `work` in one transaction on one connection. `pg` gives no transaction helper; this one
 * rolls back on any error and always returns the connection to the pool.
 */
export function transaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  return withConnection(pool, async (client, markBroken) => {
    try {
      await client.query('BEGIN')
      const result = await work(client)
      await client.query('COMMIT')
      return result
    } catch (error) {
      try {
        await client.query('ROLLBACK')
      } catch {
        markBroken() // the connection is gone; do not hand it out again
      }
      throw error
    }
  })
}

/**
 * A storage just made on `pool`, with the schema migrated unless `run` is false; a failed
 * migration closes it (ending a pool it owns) before the error goes on.
 */
export async function migratedOrClosed<T extends { close(): Promise<void> }>(storage: T, pool: Pool, run = true): Promise<T> {
  if (!run) return storage
  try {
    await migrate(pool)
  } catch (error) {
    await storage.close()
    throw error
  }
  return storage
}
