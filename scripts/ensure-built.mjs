// Builds the web client and the relay only when their sources are newer than the build, so
// `npm run relay -- --help` answers at once instead of rebuilding the web client every time.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const CONFIG = ['package.json', 'package-lock.json', 'tsconfig.base.json']

function newest(paths) {
  let latest = 0
  const visit = (path) => {
    if (!existsSync(path)) return
    const stat = statSync(path)
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry))
    else latest = Math.max(latest, stat.mtimeMs)
  }
  for (const path of paths) visit(path)
  return latest
}

const targets = [
  { script: 'build:web', output: 'dist/renderer/index.html', sources: ['renderer', 'protocol', 'vite.config.ts', 'tsconfig.json', ...CONFIG] },
  { script: 'build:node', output: 'dist/node/server/cli.js', sources: ['server', 'protocol', 'shared', 'tsconfig.server.json', ...CONFIG] },
]

for (const { script, output, sources } of targets) {
  if (existsSync(output) && statSync(output).mtimeMs >= newest(sources)) continue
  execFileSync('npm', ['run', '--silent', script], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } })
}
