import { spawn } from 'node:child_process'
import { waitFor } from './relay'

/** The built relay CLI as a child process (so a test can SIGKILL it); stderr is kept for its messages. */
export function startRelayProcess(port: number, dataDir: string, extraArgs: readonly string[] = []) {
  const child = spawn(process.execPath, ['dist/node/server/cli.js', '--port', String(port), '--data', dataDir, '--log-level', 'warn', ...extraArgs], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return { child, exited, listening: () => waitFor('relay process listening', () => stderr.includes('listening on')) }
}
