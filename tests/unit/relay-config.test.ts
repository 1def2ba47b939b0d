import { describe, expect, it } from 'vitest'
import { ConfigError, FLAGS, helpText, parseConfig, redactUrl } from '../../server/config'

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseConfig(argv, env, '/bundled')

describe('relay flags', () => {
  it('defaults to loopback, port 1234, ./relay-data and the bundled web client', () => {
    expect(parse([])).toMatchObject({ host: '127.0.0.1', port: 1234, dataDir: './relay-data', staticDir: '/bundled', logLevel: 'info' })
  })

  it('reads every flag from its environment twin, and lets the flag win', () => {
    const env = { SKEIN_PORT: '4000', SKEIN_DATA: '/srv/skein', SKEIN_LOG_LEVEL: 'debug', SKEIN_MAX_MESSAGE_BYTES: '2048', SKEIN_STATIC: '/web' }
    expect(parse([], env)).toMatchObject({ port: 4000, dataDir: '/srv/skein', logLevel: 'debug', staticDir: '/web', limits: { maxMessageBytes: 2048 } })
    const limitsEnv = { SKEIN_MAX_DOC_BYTES: '5000', SKEIN_MAX_CONNECTIONS: '7', SKEIN_MAX_CONNECTIONS_PER_IP: '3', SKEIN_RATE_LIMIT: '9', SKEIN_RATE_BURST: '11', SKEIN_AUTH: '/etc/skein/auth.json' }
    expect(parse([], limitsEnv)).toMatchObject({
      authFile: '/etc/skein/auth.json',
      limits: { maxDocBytes: 5000, maxConnections: 7, maxConnectionsPerIp: 3, messagesPerSecond: 9, messageBurst: 11 },
    })
    expect(parse(['--port', '5000'], env)?.port).toBe(5000)
  })

  it('documents every flag and its environment variable in --help', () => {
    const help = helpText()
    for (const [name, spec] of Object.entries(FLAGS)) {
      expect(help).toContain(`--${name}`)
      if (spec.env) expect(help).toContain(spec.env)
    }
  })

  it('purges notes deleted forever after --purge-after-days (env SKEIN_PURGE_AFTER_DAYS), 30 by default, 0 at once', () => {
    expect(parse([])?.purgeAfterDays).toBe(30)
    expect(parse([], { SKEIN_PURGE_AFTER_DAYS: '7' })?.purgeAfterDays).toBe(7)
    expect(parse(['--purge-after-days', '0'], { SKEIN_PURGE_AFTER_DAYS: '7' })?.purgeAfterDays).toBe(0)
    expect(() => parse(['--purge-after-days=-1'])).toThrow(/--purge-after-days must be a whole number/)
    expect(() => parse(['--purge-after-days', '1.5'])).toThrow(ConfigError)
    expect(() => parse([], { SKEIN_PURGE_AFTER_DAYS: 'soon' })).toThrow(/--purge-after-days must be a whole number, got "soon"/)
    expect(helpText()).toMatch(/--purge-after-days N .*0: at once.*default 30; env SKEIN_PURGE_AFTER_DAYS/)
  })

  it('returns null for --help', () => {
    expect(parse(['--help'])).toBeNull()
  })

  it.each([
    [['--port', 'abc']],
    [['--port', '70000']],
    [['--unknown']],
    [['--log-level', 'loud']],
    [['--max-message-bytes', '-1']],
    [['stray-positional']],
  ])('rejects bad input %j with a ConfigError', (argv) => {
    expect(() => parse(argv)).toThrow(ConfigError)
  })

  it('refuses a non-loopback host without auth unless told so explicitly', () => {
    expect(() => parse(['--host', '0.0.0.0'])).toThrow(/refusing to listen on non-loopback/)
    expect(parse(['--host', '0.0.0.0', '--auth', 'tokens.json'])?.host).toBe('0.0.0.0')
    expect(parse(['--host', '0.0.0.0', '--insecure-no-auth'])?.host).toBe('0.0.0.0')
    expect(parse([], { SKEIN_HOST: '::', SKEIN_INSECURE_NO_AUTH: 'true' })?.insecureNoAuth).toBe(true)
    expect(parse(['--host', '127.0.0.2'])?.host).toBe('127.0.0.2')
    expect(parse(['--host', '::1'])?.host).toBe('::1')
  })

  it('stores in PostgreSQL with --postgres (env SKEIN_POSTGRES_URL) and joins other relays with --redis, which needs --postgres', () => {
    expect(parse([])).toMatchObject({ postgresUrl: null, redisUrl: null })
    const env = { SKEIN_POSTGRES_URL: 'postgres://skein:secret@db:5432/skein', SKEIN_REDIS_URL: 'redis://cache:6379' }
    expect(parse([], env)).toMatchObject({ postgresUrl: 'postgres://skein:secret@db:5432/skein', redisUrl: 'redis://cache:6379' })
    expect(parse(['--postgres', 'postgresql://other/db'], env)?.postgresUrl).toBe('postgresql://other/db')
    expect(parse(['--postgres', 'postgres://db/skein'])).toMatchObject({ postgresUrl: 'postgres://db/skein', redisUrl: null })
    expect(() => parse(['--redis', 'redis://cache:6379'])).toThrow(/--redis .* pass --postgres too/)
    expect(() => parse(['--postgres', 'mysql://db/x'])).toThrow(ConfigError)
    expect(() => parse(['--postgres', 'not a url'])).toThrow(/--postgres must be a URL/)
    expect(() => parse(['--postgres', 'postgres://db/x', '--redis', 'http://cache'])).toThrow(/--redis must start with redis:\/\/ or rediss:\/\//)
  })

  it('never shows a database password where it logs a URL', () => {
    expect(redactUrl('postgres://skein:hunter2@db:5432/skein')).toBe('postgres://skein:***@db:5432/skein')
    expect(redactUrl('redis://cache:6379')).toBe('redis://cache:6379')
  })
})
