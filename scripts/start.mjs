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
  // Ctrl-C in a terminal signals the child too; forwarding covers `kill <this pid>`. The relay
  // treats a repeated signal as the same shutdown.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}

// SKEIN_BROWSER=1 serves the browser build even where Electron is installed.
const electron = process.env.SKEIN_BROWSER === '1' ? null : electronBinary()
if (electron) {
  forward(spawn(electron, ['.'], { stdio: 'inherit' }))
} else {
  console.log('Electron is not installed here, so Skein is served to your browser instead; the relay prints the address to open.')
  // A local relay for one person: its per-connection log lines would only be noise here.
  const env = { SKEIN_LOG_LEVEL: 'warn', ...process.env }
  forward(spawn(process.execPath, ['--max-semi-space-size=8', 'dist/node/server/cli.js', ...process.argv.slice(2)], { stdio: 'inherit', env }))
}
