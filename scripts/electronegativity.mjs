#!/usr/bin/env node
// Runs @doyensec/electronegativity over the desktop app's sources, offline, and prints its
// findings as JSON on stdout (tests/electron/electronegativity.test.ts compares them with the
// justifications in docs/security.md).
//
// Offline: the tool fetches translations from GitHub on every start and its
// AvailableSecurityFixesGlobalCheck downloads Electron's release list. `got` (its only HTTP
// client) is replaced by one that fails at once, and the online check is excluded, so a run
// never touches the network and never waits on a timeout.
//
// What is scanned: the code that runs in Electron (electron/**, the renderer sources, the shared
// protocol/ module), the built index.html when present, and package.json. The scanner knows
// .ts/.tsx/.js/.html but not .cts, so the tree is staged in a temporary folder with the preload
// renamed index.cts -> index.cts.ts; findings are reported with the real paths.
//
// Usage: node scripts/electronegativity.mjs [folder]   (a folder: scan it as is, for tests)
import fs from 'node:fs'
import Module, { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'

const require = createRequire(import.meta.url)

const originalLoad = Module._load
Module._load = function load(request, parent, isMain) {
  if (request === 'got') {
    const offline = () => Promise.reject(new Error('electronegativity runs offline'))
    return Object.assign(offline, { default: offline, get: offline })
  }
  return originalLoad.call(this, request, parent, isMain)
}

/** Checks that need the network (the Electron release list) or report on the Electron version. */
const ONLINE_CHECKS = ['AvailableSecurityFixesGlobalCheck', 'ElectronVersionJSONCheck']

const ROOT = path.resolve(import.meta.dirname, '..')
const SOURCE_DIRS = ['electron', 'renderer', 'protocol']
const SCANNED = /\.(?:ts|tsx|cts|mts|js|html)$/

function stage() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skein-electronegativity-'))
  const names = new Map()
  const copy = (relative, stagedRelative = relative) => {
    const target = path.join(dir, stagedRelative)
    fs.mkdirSync(path.dirname(target), { recursive: true })
    fs.copyFileSync(path.join(ROOT, relative), target)
    names.set(stagedRelative.split(path.sep).join('/'), relative.split(path.sep).join('/'))
  }
  const walk = (relative) => {
    for (const entry of fs.readdirSync(path.join(ROOT, relative), { withFileTypes: true })) {
      const child = path.join(relative, entry.name)
      if (entry.isDirectory()) walk(child)
      else if (entry.isFile() && SCANNED.test(entry.name)) {
        copy(child, /\.[cm]ts$/.test(entry.name) ? `${child}.ts` : child)
      }
    }
  }
  for (const source of SOURCE_DIRS) walk(source)
  copy('package.json')
  const builtHtml = path.join('dist', 'renderer', 'index.html')
  if (fs.existsSync(path.join(ROOT, builtHtml))) copy(builtHtml)
  return { dir, names }
}

async function main() {
  const run = require('@doyensec/electronegativity/dist/runner.js')
  const given = process.argv[2]
  const { dir, names } = given ? { dir: path.resolve(given), names: new Map() } : stage()
  // The tool logs progress and warnings through console.log; keep stdout for the JSON.
  const log = console.log
  console.log = (...args) => console.error(...args)
  try {
    const result = await run({
      input: dir,
      isRelative: true,
      customScan: [],
      excludeFromScan: ONLINE_CHECKS,
      parserPlugins: [],
    })
    const realName = (file) => names.get(String(file).split(path.sep).join('/').replace(/^\/+/, '')) ?? String(file)
    const findings = result.issues.map((issue) => ({
      id: issue.id,
      file: realName(issue.file),
      line: issue.location?.line ?? 0,
      column: issue.location?.column ?? 0,
      severity: issue.severity?.name ?? String(issue.severity),
      confidence: issue.confidence?.name ?? String(issue.confidence),
      manualReview: Boolean(issue.manualReview),
      description: issue.description,
    }))
    const errors = result.errors.map((error) => ({ ...error, file: realName(path.relative(dir, error.file)) }))
    log(JSON.stringify({ checks: result.globalChecks + result.atomicChecks, findings, errors }, null, 2))
  } finally {
    console.log = log
    if (!given) fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
