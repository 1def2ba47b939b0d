import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate, openPool, SchemaTooNewError, transaction, withConnection, type Pool } from '../../server/postgres/database'
import { PostgresDocStorage } from '../../server/postgres/doc-storage'
import { MIGRATIONS, type Migration } from '../../server/postgres/migrations/index'
import { startPostgres, type PostgresServer } from '../helpers/servers'

let postgres: PostgresServer | undefined
beforeAll(async () => {
  postgres = await startPostgres()
})
afterAll(async () => {
  await postgres?.stop()
})

const latest = Math.max(...MIGRATIONS.map((m) => m.version))

async function withPools<T>(count: number, url: string, work: (pools: Pool[]) => Promise<T>): Promise<T> {
  const pools = Array.from({ length: count }, () => openPool(url))
  try {
    return await work(pools)
  } finally {
    await Promise.all(pools.map((pool) => pool.end()))
  }
}

async function applied(url: string): Promise<{ version: number; name: string; applied_at: Date }[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query('SELECT version, name, applied_at FROM skein_schema ORDER BY version')).rows
  } finally {
    await client.end()
  }
}

describe('PostgreSQL migrations', () => {
  it('are applied once when three relays migrate at once, and not again when re-run', async () => {
    const url = await postgres!.createDatabase()
    // A slow last step keeps the others waiting on the lock while the first applies them all;
    // CREATE TABLE fails if run twice.
    const slow: Migration = { version: latest + 1, name: 'slow', sql: 'SELECT pg_sleep(0.3); CREATE TABLE migrated_once (x int)' }
    const all = [...MIGRATIONS, slow]
    const results = await withPools(3, url, (pools) => Promise.all(pools.map((pool) => migrate(pool, all))))
    expect(results.filter((r) => r.from === 0)).toEqual([{ from: 0, to: latest + 1 }])
    expect(results.filter((r) => r.from !== 0)).toEqual([
      { from: latest + 1, to: latest + 1 },
      { from: latest + 1, to: latest + 1 },
    ])
    const first = await applied(url)
    expect(first.map(({ version, name }) => ({ version, name }))).toEqual(all.map(({ version, name }) => ({ version, name })))

    expect(await withPools(1, url, ([pool]) => migrate(pool!, all))).toEqual({ from: latest + 1, to: latest + 1 })
    expect(await applied(url)).toEqual(first)
  })
  it('refuse a database whose schema is newer than this relay, in one line that says what to do', async () => {
    const url = await postgres!.createDatabase()
    await withPools(1, url, async ([pool]) => {
      await migrate(pool!)
      await pool!.query(`INSERT INTO skein_schema (version, name) VALUES (999, 'from the future')`)
      const error = await migrate(pool!).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(SchemaTooNewError)
      expect(error).toMatchObject({ found: 999, known: latest })
      expect((error as Error).message).toMatch(/^the PostgreSQL schema is at version 999, newer than this relay knows \(\d+\): upgrade this relay/)
      expect((error as Error).message).not.toContain('\n')
    })
    // Opening the storage refuses it too, and closes the pool it opened (the leak check would see it).
    await expect(PostgresDocStorage.open(url)).rejects.toBeInstanceOf(SchemaTooNewError)
  })

  it('roll a failing migration back entirely and name it', async () => {
    const url = await postgres!.createDatabase()
    const broken: Migration = { version: latest + 1, name: 'broken', sql: 'CREATE TABLE half_done (x int); INSERT INTO half_done VALUES (1); SELECT no_such_column FROM half_done' }
    await withPools(1, url, async ([pool]) => {
      await expect(migrate(pool!, [...MIGRATIONS, broken])).rejects.toThrow(`PostgreSQL migration ${latest + 1} (broken) failed: column "no_such_column" does not exist`)
      expect((await applied(url)).map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version))
      expect((await pool!.query(`SELECT to_regclass('half_done') AS t`)).rows).toEqual([{ t: null }])
      const fixed: Migration = { ...broken, name: 'fixed', sql: 'CREATE TABLE half_done (x int)' }
      expect(await migrate(pool!, [...MIGRATIONS, fixed])).toEqual({ from: latest, to: latest + 1 })
    })
  })
})

describe('PostgreSQL connections', () => {
  it('survive a connection that dies while checked out between two queries (PostgreSQL restarting): no crash, the connection is not reused', async () => {
    const url = await postgres!.createDatabase()
    await withPools(2, url, async ([pool, other]) => {
      let killedPid = 0
      await withConnection(pool!, async (client) => {
        killedPid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid
        await other!.query('SELECT pg_terminate_backend($1)', [killedPid])
        // Idle and checked out: pg reports the dead connection as an 'error' event on the client.
        await new Promise((resolve) => setTimeout(resolve, 300))
      })
      // The next transaction gets a fresh connection and works.
      const pid = await transaction(pool!, async (client) => (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid)
      expect(pid).not.toBe(killedPid)
    })
  })
})
