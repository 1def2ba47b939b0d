import { describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createServer } from 'node:net'
import * as Y from 'yjs'
import { connectClient, tempDir, waitFor, whenSynced, freePort } from '../helpers/relay'

const CLI = 'dist/node/server/cli.js'

function run(args: string[]): { child: ChildProcess; stdout: () => string; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SKEIN_LOG_LEVEL: 'info' } })
  let out = ''
  let err = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, stdout: () => out, stderr: () => err, exit }
}


describe('skein-relay command line', () => {
  it('prints help listing every flag and exits 0', async () => {
    const p = run(['--help'])
    expect(await p.exit).toBe(0)
    expect(p.stdout()).toMatch(/--host[\s\S]*--port[\s\S]*--data/)
  })

  it.each([
    [['--nope'], /Unknown option '--nope'/],
    [['--port', 'x'], /--port must be a whole number/],
    [['--host', '0.0.0.0'], /refusing to listen on non-loopback/],
  ])('rejects %j with one line on stderr and a non-zero exit', async (args, message) => {
    const p = run(args)
    expect(await p.exit).not.toBe(0)
    expect(p.stderr().trim().split('\n')).toHaveLength(1)
    expect(p.stderr()).toMatch(message)
  })

  it('refuses an unusable data folder with one clear line', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'file'), '')
    const p = run(['--port', '0', '--data', join(dir, 'file', 'sub')])
    expect(await p.exit).toBe(1)
    expect(p.stderr()).toMatch(/cannot use data folder .*: it \(or a parent\) is a file, not a folder/)
    expect(p.stderr().trim().split('\n')).toHaveLength(1)
  })

  it('refuses an unreadable or invalid auth file with one clear line', async () => {
    const dir = tempDir()
    const missing = run(['--port', '0', '--data', dir, '--auth', join(dir, 'nope.json')])
    expect(await missing.exit).toBe(1)
    expect(missing.stderr()).toMatch(/cannot read auth file .*nope\.json: ENOENT/)
    writeFileSync(join(dir, 'bad.json'), '{"tokens":[{"token":"short","workspace":"w","access":"read-write"}]}')
    const invalid = run(['--port', '0', '--data', dir, '--auth', join(dir, 'bad.json')])
    expect(await invalid.exit).toBe(1)
    expect(invalid.stderr().trim().split('\n')).toHaveLength(1)
    expect(invalid.stderr()).toMatch(/at least 16 characters/)
  })

  it('reloads the auth file on SIGHUP and closes connections of revoked tokens with 4401', async () => {
    const dir = tempDir()
    const authFile = join(dir, 'auth.json')
    const keep = 'keep-this-token-1234567'
    const revoke = 'revoke-this-token-123456'
    const write = (tokens: string[]) =>
      writeFileSync(authFile, JSON.stringify({ tokens: tokens.map((token) => ({ token, workspace: 'team', access: 'read-write' })) }))
    write([keep, revoke])
    const port = await freePort()
    const relay = run(['--port', String(port), '--data', dir, '--auth', authFile])
    await waitFor('relay listening', () => relay.stderr().includes('listening on'))
    try {
      const wsUrl = `ws://127.0.0.1:${port}`
      const kept = connectClient(wsUrl, 'note/hup', new Y.Doc(), { params: { token: keep } })
      const revoked = connectClient(wsUrl, 'note/hup', new Y.Doc(), { params: { token: revoke } })
      await Promise.all([whenSynced(kept.provider), whenSynced(revoked.provider)])
      const codes: number[] = []
      revoked.provider.on('connection-close', (e: CloseEvent | null) => e && codes.push(e.code))

      write([keep])
      relay.child.kill('SIGHUP')
      await waitFor('revoked connection closed', () => codes.length > 0)
      expect(codes[0]).toBe(4401)
      expect(kept.provider.wsconnected).toBe(true)
      expect(relay.stdout()).toMatch(/auth file reloaded/)
    } finally {
      relay.child.kill('SIGTERM')
      await relay.exit
    }
  })

  it('finishes one clean shutdown when Ctrl-C arrives twice (terminal group plus a launcher)', async () => {
    const p = run(['--port', '0', '--data', tempDir()])
    await waitFor('relay listening', () => p.stderr().includes('listening on'))
    p.child.kill('SIGINT')
    p.child.kill('SIGINT')
    expect(await p.exit).toBe(0)
    expect(p.stdout()).toMatch(/"msg":"relay stopped"/)
  })

  it('npm start without Electron says so in one line and serves the web client from a local relay', async () => {
    const port = await freePort()
    const child = spawn(process.execPath, ['scripts/start.mjs', '--port', String(port), '--data', tempDir()], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SKEIN_BROWSER: '1' },
    })
    let out = ''
    let err = ''
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    try {
      await waitFor('relay listening', () => err.includes('listening on'))
      expect(out.trim().split('\n')).toEqual([expect.stringMatching(/^Electron is not installed here, so Skein is served to your browser/)])
      expect(err).toContain(`open http://127.0.0.1:${port}/ in a browser`)
      const page = await fetch(`http://127.0.0.1:${port}/`)
      expect(page.status).toBe(200)
      expect(await page.text()).toMatch(/<div id="root">/)
    } finally {
      child.kill('SIGINT')
      expect(await exited).toBe(0)
    }
  })

  it('refuses a port that is in use with one clear line', async () => {
    const blocker = createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r))
    const port = (blocker.address() as { port: number }).port
    try {
      const p = run(['--port', String(port), '--data', tempDir()])
      expect(await p.exit).toBe(1)
      expect(p.stderr()).toMatch(new RegExp(`port ${port} on 127.0.0.1 is already in use`))
    } finally {
      blocker.close()
    }
  })

  it('stores everything and exits 0 on SIGTERM, with data kept for the next start', async () => {
    const dataDir = tempDir()
    const port = await freePort()
    const first = run(['--port', String(port), '--data', dataDir])
    await waitFor('relay listening', () => first.stderr().includes('listening on'))
    const wsUrl = `ws://127.0.0.1:${port}`
    const a = connectClient(wsUrl, 'note/sigterm')
    const observer = connectClient(wsUrl, 'note/sigterm')
    await Promise.all([whenSynced(a.provider), whenSynced(observer.provider)])
    a.text.insert(0, 'saved on shutdown')
    // Once another client has it, the relay has received it; SIGTERM must then store it.
    await waitFor('relay fanned the edit out', () => observer.text.toString() === 'saved on shutdown')
    a.provider.destroy()
    const closeCodes: number[] = []
    observer.provider.on('connection-close', (e: CloseEvent | null) => e && closeCodes.push(e.code))
    first.child.kill('SIGTERM')
    expect(await first.exit).toBe(0)
    await waitFor('observer told the relay is going away', () => closeCodes.length > 0)
    expect(closeCodes[0]).toBe(1001)
    observer.provider.destroy()
    expect(first.stdout()).toMatch(/"msg":"relay stopped"/)

    const second = run(['--port', String(port), '--data', dataDir])
    await waitFor('relay listening again', () => second.stderr().includes('listening on'))
    try {
      const b = connectClient(wsUrl, 'note/sigterm', new Y.Doc())
      await whenSynced(b.provider)
      await waitFor('text survived restart', () => b.text.toString() === 'saved on shutdown')
    } finally {
      second.child.kill('SIGTERM')
      await second.exit
    }
  })
})
