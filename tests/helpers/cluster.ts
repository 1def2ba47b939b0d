import { tempDir, freePort, waitFor } from './relay'
import { spawnRelayProcess } from './relay-process'
import { onTestFinished } from 'vitest'

/** One relay process of a cluster, on a fixed port so clients reconnect to it across restarts. */
export class ClusterRelay {
  private process: ReturnType<typeof spawnRelayProcess> | null = null
  /** What the relay wrote to stderr (warnings and errors), across restarts, for failure messages. */
  log = ''

  /** Flags added to the shared ones at the next start. */
  extraArgs: readonly string[] = []

  constructor(
    readonly port: number,
    private readonly dataDir: string,
    private readonly args: readonly string[],
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`
  }

  get running(): boolean {
    return this.process !== null
  }

  async start(): Promise<void> {
    if (this.process) throw new Error(`relay on ${this.port} is already running`)
    const proc = spawnRelayProcess(this.port, this.dataDir, [...this.args, ...this.extraArgs])
    this.process = proc
    let out = ''
    proc.child.stderr!.on('data', (d: Buffer) => {
      if (out.length < 10_000) out += d.toString()
      this.log = (this.log + d.toString()).slice(-20_000)
    })
    void proc.exited.then(() => {
      if (this.process === proc) this.process = null
    })
    // A start that fails (schema refused, database unreachable) ends the process: report why.
    const exited = proc.exited.then(() => {
      throw new Error(`relay on ${this.port} exited while starting`)
    })
    // Generous: a relay starting under a full test run migrates, recovers and connects first.
    const listening = waitFor(`relay on ${this.port} listening`, () => out.includes('listening on'), 30_000)
    await Promise.race([listening, exited])
  }

  /** Sends `signal` and waits for the process to end (SIGTERM: it stores everything first). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const proc = this.process
    this.process = null
    if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return
    proc.child.kill(signal)
    await proc.exited
  }

  /** Sends a signal without waiting (SIGHUP: reload the token file). */
  signal(signal: NodeJS.Signals): void {
    this.process?.child.kill(signal)
  }

  async ready(): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${this.url}/readyz`)
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }

  async metrics(): Promise<string> {
    return (await fetch(`${this.url}/metrics`)).text()
  }
}

/**
 * `n` relay processes on one PostgreSQL and (unless `redisUrl` is null) one Redis, each on its own
 * free port; stopped when the current test ends.
 */
export async function startCluster(n: number, { postgresUrl, redisUrl, args = [] }: { postgresUrl: string; redisUrl: string | null; args?: readonly string[] }): Promise<ClusterRelay[]> {
  const relays: ClusterRelay[] = []
  for (let i = 0; i < n; i++) {
    const shared = ['--postgres', postgresUrl, ...(redisUrl ? ['--redis', redisUrl] : []), ...args]
    relays.push(new ClusterRelay(await freePort(), tempDir(), shared))
  }
  onTestFinished(async () => {
    await Promise.all(relays.map((r) => r.stop('SIGKILL')))
  })
  // Together, as a rolling deploy's first start would: the migrations' lock is part of what is tested.
  await Promise.all(relays.map((r) => r.start()))
  return relays
}

/** Waits until every relay answers /readyz with `status`. */
export async function waitReady(relays: readonly ClusterRelay[], status: 200 | 503, timeoutMs = 20_000): Promise<void> {
  let last: unknown[] = []
  await waitFor(
    `every relay's /readyz to answer ${status}`,
    async () => {
      last = await Promise.all(relays.map((r) => r.ready().catch((err: Error) => err.message)))
      return last.every((a) => typeof a === 'object' && (a as { status: number }).status === status)
    },
    timeoutMs,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; last answers: ${JSON.stringify(last)}`)
  })
}
