import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'

const FLAG = '--max-semi-space-size=8'

describe('relay launchers', () => {
  it.each([
    ['the bin shebang', 'server/cli.ts', (s: string) => s.split('\n')[0]!],
    ['npm run relay', 'package.json', (s: string) => (JSON.parse(s) as { scripts: Record<string, string> }).scripts.relay!],
    ['npm start (browser fallback)', 'scripts/start.mjs', (s: string) => s],
    ['the Docker image', 'Dockerfile', (s: string) => s.split('\n').find((l) => l.startsWith('CMD'))!],
    ['the benchmark', 'bench/relay.mjs', (s: string) => s],
  ])('%s runs the relay with the tuned young-generation size', (_name, file, pick) => {
    expect(pick(readFileSync(file, 'utf8'))).toContain(FLAG)
  })
})
