// `npm start`: opens the desktop app, or, where the Electron binary is absent (installed with
// ELECTRON_SKIP_BINARY_DOWNLOAD=1), serves the same app from a local relay for a browser.
// Extra arguments go to the relay in the browser case (e.g. `npm start -- --port 4000`).
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { existsSync } from 'node:fs'

const require = createRequire(import.meta.url)

function electronBinary() {
  try {
    // The electron package exports the binary's path, and throws when the download was skipped.
    const path = require('electron')
    return typeof path === 'string' && existsSync(path) ? path : null
  } catch {
    return null
  }
}

function forward(child) {
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}

const electron = electronBinary()
if (electron) {
  forward(spawn(electron, ['.'], { stdio: 'inherit' }))
} else {
  const args = process.argv.slice(2)
  const port = args.includes('--port') ? args[args.indexOf('--port') + 1] : process.env.SKEIN_PORT || '1234'
  console.log(`Electron is not installed here, so Skein runs in your browser instead: open http://127.0.0.1:${port}`)
  forward(spawn(process.execPath, ['--max-semi-space-size=4', 'dist/node/server/cli.js', ...args], { stdio: 'inherit' }))
}
