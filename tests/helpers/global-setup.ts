import { execFileSync } from 'node:child_process'

/**
 * Tests run the relay CLI as a process and drive the built web client in Chromium, so both are
 * built from the current sources first; a stale build would test old code.
 */
export default function setup(): void {
  // vitest sets NODE_ENV=test, which would make Vite build a development client.
  const run = (script: string) =>
    execFileSync('npm', ['run', '--silent', script], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } })
  run('build:node')
  run('build:web')
}
