// electron-builder.yml, read and validated the way electron-builder itself does (its own config
// loader and JSON schema, from the installed app-builder-lib), then checked against the rules
// the desktop app depends on: fuses, the ASAR's contents, signing on macOS, icons, deep links.
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js'
import type { Configuration } from 'app-builder-lib'
import { DebugLogger } from 'builder-util'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(import.meta.dirname, '..', '..')

async function builderConfig(): Promise<Configuration> {
  return getConfig(ROOT, null, null)
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema", async () => {
    await expect(validateConfiguration(await builderConfig(), new DebugLogger(false))).resolves.toBeUndefined()
  })

  it('flips the security fuses in the packaged Electron binary', async () => {
    expect((await builderConfig()).electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    })
  })

  it('packs an ASAR of built output only (no sources, no source maps, no relay dependencies)', async () => {
    const config = await builderConfig()
    expect(config.asar).toBe(true)
    expect(config.files).toEqual([
      {
        filter: [
          'package.json',
          'dist/renderer/**/*',
          'dist-electron/electron/**/*',
          'dist-electron/protocol/**/*',
          'dist-electron/shared/**/*',
          '!**/*.map',
          '!node_modules/**/*',
          'node_modules/zod/**/*',
          '!node_modules/zod/src/**/*',
        ],
      },
    ])
  })

  it('keeps node_modules/zod: the only package the main process imports at runtime', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
    expect(pkg.dependencies.zod).toBeDefined()
  })

  it('builds AppImage + deb, a hardened and entitled dmg, and nsis', async () => {
    const config = await builderConfig()
    expect(config.linux?.target).toEqual(['AppImage', 'deb'])
    expect(config.mac?.target).toBe('dmg')
    expect(config.mac?.hardenedRuntime).toBe(true)
    expect(config.mac?.entitlements).toBe('build/entitlements.mac.plist')
    expect(config.win?.target).toBe('nsis')
  })

  it('asks macOS for nothing beyond what V8 needs', async () => {
    const plist = await readFile(path.join(ROOT, 'build', 'entitlements.mac.plist'), 'utf8')
    expect([...plist.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1])).toEqual(['com.apple.security.cs.allow-jit'])
  })

  it('has an icon of at least 512×512 for every platform', async () => {
    const config = await builderConfig()
    for (const icon of [config.linux?.icon, config.mac?.icon, config.win?.icon]) {
      expect(icon).toBe('build/icon.png')
    }
    const png = await readFile(path.join(ROOT, 'build', 'icon.png'))
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(512) // IHDR width
    expect(png.readUInt32BE(20)).toBeGreaterThanOrEqual(512) // IHDR height
  })

  // A real packaging run up to the ASAR: electron-builder with a stand-in for the Electron
  // binary (the real one cannot be downloaded here) and without fuses (they patch that binary).
  it('really produces an ASAR holding only package.json, the built client, main, preload, shared modules and zod', { timeout: 120_000 }, async () => {
    execFileSync('npm', ['run', '--silent', 'build:electron'], { cwd: ROOT, stdio: 'pipe' })
    const work = await mkdtemp(path.join(tmpdir(), 'skein-pack-'))
    try {
      const fakeElectron = path.join(work, 'electron-dist')
      await mkdir(path.join(fakeElectron, 'resources'), { recursive: true })
      await writeFile(path.join(fakeElectron, 'electron'), '#!/bin/sh\n', { mode: 0o755 })
      const { build, Platform } = await import('electron-builder')
      await build({
        projectDir: ROOT,
        targets: Platform.LINUX.createTarget('dir'),
        config: {
          electronDist: fakeElectron,
          electronVersion: '41.7.1',
          electronFuses: null,
          directories: { output: path.join(work, 'out'), buildResources: 'build' },
        },
      })
      const { listPackage } = await import('@electron/asar')
      const entries = listPackage(path.join(work, 'out', 'linux-unpacked', 'resources', 'app.asar'), { isPack: false })
        .map((entry) => entry.split(path.sep).join('/'))
      const files = entries.filter((entry) => /\.[a-z]+$/i.test(entry))
      const outside = files.filter(
        (file) =>
          file !== '/package.json' &&
          !file.startsWith('/dist/renderer/') &&
          !file.startsWith('/dist-electron/electron/') &&
          !file.startsWith('/dist-electron/protocol/') &&
          !file.startsWith('/dist-electron/shared/') &&
          !file.startsWith('/node_modules/zod/'),
      )
      expect(outside).toEqual([])
      expect(files.filter((file) => file.endsWith('.map') || file.endsWith('.ts') || file.endsWith('.tsx'))).toEqual([])
      expect(files).toEqual(
        expect.arrayContaining(['/dist/renderer/index.html', '/dist-electron/electron/main/index.js', '/dist-electron/electron/preload/index.cjs', '/dist-electron/shared/rate-limit.js']),
      )
    } finally {
      await rm(work, { recursive: true, force: true })
    }
  })

  it('registers the skein:// scheme for deep links', async () => {
    const config = await builderConfig()
    expect(config.protocols).toEqual([{ name: 'Skein note link', schemes: ['skein'] }])
  })
})
