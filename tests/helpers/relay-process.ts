import { spawn, type ChildProcess } from 'node:child_process'
import { onTestFinished } from 'vitest'
import { waitFor } from './relay'

/** Relay processes still running: killed if this test worker exits before their owner stopped them. */
const running = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/**
 * The built relay CLI as a child process (so a test can SIGKILL it); stderr is kept for its
 * messages. The caller stops it: for one test, use `startRelayProcess`.
 */
export function spawnRelayProcess(port: number, dataDir: string, extraArgs: readonly string[] = []) {
  const child = spawn(process.execPath, ['dist/node/server/cli.js', '--port', String(port), '--data', dataDir, '--log-level', 'warn', ...extraArgs], { stdio: ['ignore', 'ignore', 'pipe'] })
  running.add(child)
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  void exited.then(() => running.delete(child))
  return { child, exited, listening: () => waitFor('relay process listening', () => stderr.includes('listening on')) }
}

/** `spawnRelayProcess`, SIGKILLed when the current test ends (passed or failed) unless it has exited. */
export function startRelayProcess(port: number, dataDir: string, extraArgs: readonly string[] = []): ReturnType<typeof spawnRelayProcess> {
  const relay = spawnRelayProcess(port, dataDir, extraArgs)
  onTestFinished(async () => {
    if (relay.child.exitCode === null && relay.child.signalCode === null) relay.child.kill('SIGKILL')
    await relay.exited
  })
  return relay
}
