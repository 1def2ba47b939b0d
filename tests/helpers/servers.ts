// Real PostgreSQL and Redis servers for the scale-out tests: Debian's binaries on loopback, on free
// ports, in their own temporary folders, stopped (and the folders removed) by `stop()`.
//
// PostgreSQL refuses to run as root, so as root its commands run as the `postgres` user, in a
// folder that user owns. The run's temporary folder (leak-check) is private to root, so the data
// folder lives directly under /tmp; `stop()` removes it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { userInfo } from 'node:os'
import { join } from 'node:path'
import { freePort } from './relay'

const PG_ROOT = '/usr/lib/postgresql'

function pgBin(tool: string): string {
  const versions = existsSync(PG_ROOT)
    ? readdirSync(PG_ROOT)
        .filter((v) => existsSync(join(PG_ROOT, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : []
  if (versions.length === 0) throw new Error(`PostgreSQL is not installed (no ${PG_ROOT}/*/bin/initdb): apt-get install -y postgresql`)
  return join(PG_ROOT, versions[0]!, 'bin', tool)
}

const asRoot = userInfo().uid === 0

/** Runs a PostgreSQL tool as the user that may run it; throws with its output on failure. */
function runPg(tool: string, args: string[]): void {
  const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', pgBin(tool), ...args]] : [pgBin(tool), args]
  const result = spawnSync(command, argv, { encoding: 'utf8', timeout: 60_000 })
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}`)
}

export interface PostgresServer {
  readonly port: number
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string
  /** A URL of a fresh, empty database on this server. */
  createDatabase(): Promise<string>
  /** Stops the server (fast shutdown: clients are disconnected, committed data kept). */
  halt(): void
  /** Starts it again after `halt`, on the same port and data. */
  resume(): void
  stop(): Promise<void>
}

export async function startPostgres(): Promise<PostgresServer> {
  const dir = mkdtempSync('/tmp/skein-pg-')
  if (asRoot) {
    const { uid, gid } = pgUser()
    chownSync(dir, uid, gid)
  }
  chmodSync(dir, 0o700)
  const port = await freePort()
  const data = join(dir, 'data')
  const pgctl = (action: 'start' | 'stop', mode?: string): void =>
    runPg('pg_ctl', [
      '-D',
      data,
      ...(action === 'start' ? ['-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on`] : ['-m', mode ?? 'fast']),
      '-w',
      action,
    ])
  runPg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'])
  pgctl('start')
  let running = true
  let databases = 0
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  return {
    port,
    url,
    async createDatabase() {
      const { Client } = await import('pg')
      const client = new Client({ connectionString: url })
      await client.connect()
      const name = `t${process.pid}_${++databases}`
      try {
        await client.query(`CREATE DATABASE ${name}`)
      } finally {
        await client.end()
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`
    },
    halt() {
      if (!running) return
      pgctl('stop', 'fast')
      running = false
    },
    resume() {
      if (running) return
      pgctl('start')
      running = true
    },
    async stop() {
      try {
        if (running) pgctl('stop', 'immediate')
      } finally {
        running = false
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}

function pgUser(): { uid: number; gid: number } {
  const out = spawnSync('id', ['postgres'], { encoding: 'utf8' }).stdout
  const uid = /uid=(\d+)/.exec(out)?.[1]
  const gid = /gid=(\d+)/.exec(out)?.[1]
  if (!uid || !gid) throw new Error('no postgres user: apt-get install -y postgresql')
  return { uid: Number(uid), gid: Number(gid) }
}

export interface RedisServer {
  readonly port: number
  readonly url: string
  /** SIGKILLs the server (nothing is saved: Redis holds nothing that matters). */
  kill(): Promise<void>
  /** Starts it again on the same port after `kill`. */
  restart(): Promise<void>
  /** Whether the server is running. */
  ping(): Promise<boolean>
  stop(): Promise<void>
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort()
  let child: ChildProcess | null = null
  const launch = async (): Promise<void> => {
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] })
    child = proc
    await new Promise<void>((resolve, reject) => {
      let out = ''
      const onData = (chunk: Buffer): void => {
        out += chunk.toString()
        if (out.includes('Ready to accept connections')) {
          proc.stdout!.off('data', onData)
          proc.stdout!.resume()
          resolve()
        }
      }
      proc.stdout!.on('data', onData)
      proc.stderr!.resume()
      proc.once('error', (err) => reject(new Error(`redis-server did not start (apt-get install -y redis-server): ${err.message}`)))
      proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)))
    })
  }
  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child
    child = null
    if (!proc || proc.exitCode !== null) return
    const exited = new Promise((resolve) => proc.once('exit', resolve))
    proc.kill(signal)
    await exited
  }
  await launch()
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill: () => halt('SIGKILL'),
    restart: launch,
    ping: async () => child !== null && child.exitCode === null,
    stop: () => halt('SIGTERM'),
  }
}
