// @doyensec/electronegativity over the app, offline (scripts/electronegativity.mjs). Every
// finding must be fixed or justified in docs/security.md, and every justification there must
// still match a finding, so the document and the code cannot drift apart.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(import.meta.dirname, '..', '..')
const SCRIPT = path.join(ROOT, 'scripts', 'electronegativity.mjs')

interface Finding {
  id: string
  file: string
  line: number
  manualReview: boolean
  description: string
}

interface Report {
  checks: number
  findings: Finding[]
  errors: { file: string; message: string; tolerable: boolean }[]
}

async function scan(folder?: string): Promise<Report> {
  const { stdout } = await promisify(execFile)(process.execPath, folder ? [SCRIPT, folder] : [SCRIPT], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
    timeout: 60_000,
  })
  return JSON.parse(stdout) as Report
}

/** Rows of the table under "## Electronegativity findings": | CHECK_ID | `file` | why |. */
async function justifications(): Promise<{ id: string; file: string }[]> {
  const doc = await readFile(path.join(ROOT, 'docs', 'security.md'), 'utf8')
  const section = doc.split(/^## /m).find((part) => part.startsWith('Electronegativity findings'))
  if (!section) throw new Error('docs/security.md has no "## Electronegativity findings" section')
  return [...section.matchAll(/^\|\s*([A-Z0-9_]+)\s*\|\s*`([^`]+)`\s*\|/gm)].map((m) => ({ id: m[1] ?? '', file: m[2] ?? '' }))
}

const key = (item: { id: string; file: string }) => `${item.id} ${item.file}`

describe('electronegativity', () => {
  it('finds nothing in the app that docs/security.md does not justify, and the doc lists nothing stale', { timeout: 90_000 }, async () => {
    const report = await scan()
    expect(report.checks).toBeGreaterThan(30)
    expect(report.errors.filter((error) => !error.tolerable)).toEqual([])
    const justified = new Set((await justifications()).map(key))
    const unexplained = report.findings.filter((finding) => !justified.has(key(finding)))
    expect(unexplained).toEqual([])
    const found = new Set(report.findings.map(key))
    expect([...justified].filter((entry) => !found.has(entry))).toEqual([])
  })

  it('does find the classic mistakes (so a clean run means something)', { timeout: 90_000 }, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'skein-electronegativity-'))
    try {
      await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'bad', devDependencies: { electron: '41.0.0' } }))
      await writeFile(
        path.join(dir, 'main.js'),
        [
          "const { BrowserWindow, shell } = require('electron')",
          "const win = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false, webSecurity: false } })",
          "win.loadURL('http://example.com')",
          'win.webContents.on("new-window", (e, url) => shell.openExternal(url))',
        ].join('\n'),
      )
      const ids = new Set((await scan(dir)).findings.map((finding) => finding.id))
      const expected = ['CONTEXT_ISOLATION_JS_CHECK', 'SANDBOX_JS_CHECK', 'WEB_SECURITY_JS_CHECK', 'OPEN_EXTERNAL_JS_CHECK', 'LIMIT_NAVIGATION_GLOBAL_CHECK', 'PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK']
      for (const id of expected) {
        expect(ids).toContain(id)
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
