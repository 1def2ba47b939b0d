// `npm run dev`: the relay on :1234 for sync, and Vite's dev server on :5173 with hot reload.
import { spawn } from 'node:child_process'
import { createServer } from 'vite'

const relay = spawn(process.execPath, ['--max-semi-space-size=8', 'dist/node/server/cli.js', '--port', '1234', '--log-level', 'warn'], { stdio: 'inherit' })
const vite = await createServer({ configFile: 'vite.config.ts' })
await vite.listen()
vite.printUrls()

const stop = async () => {
  relay.kill('SIGTERM')
  await vite.close()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
relay.on('exit', (code) => {
  if (code) console.error(`relay exited with code ${code}; the editor still works offline`)
})
