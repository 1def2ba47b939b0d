import { parseArgs } from 'node:util'
import { isIP } from 'node:net'
import { LOG_LEVELS } from './log.js'
import type { LevelWithSilent } from 'pino'
import { DEFAULT_LIMITS, type RelayLimits } from './relay.js'

export interface RelayConfig {
  host: string
  port: number
  dataDir: string
  staticDir: string | null
  logLevel: LevelWithSilent
  authFile: string | null
  insecureNoAuth: boolean
  /** Days after a delete forever until the relay purges the note; 0: at once. */
  purgeAfterDays: number
  /** PostgreSQL URL: documents, history and metadata live there instead of `dataDir`. */
  postgresUrl: string | null
  /** Redis URL: fan-out to the other relays sharing `postgresUrl`. */
  redisUrl: string | null
  limits: Pick<RelayLimits, 'maxMessageBytes' | 'maxDocBytes' | 'maxConnections' | 'maxConnectionsPerIp' | 'messagesPerSecond' | 'messageBurst' | 'maxAttachmentBytes'>
}

const MIB = 1024 * 1024
/** SQLite holds a value of at most 1e9 bytes, PostgreSQL's bytea 1 GiB; an upload is held in memory. */
const MAX_ATTACHMENT_MB = 512

/** A flag the operator got wrong; the CLI prints its message as one line and exits non-zero. */
export class ConfigError extends Error {}

interface FlagSpec {
  env: string
  type: 'string' | 'boolean'
  value?: string
  description: string
  default?: string
}

/** Every flag, its environment twin and default. `--help` is generated from this table. */
export const FLAGS = {
  host: { env: 'SKEIN_HOST', type: 'string', value: 'ADDR', default: '127.0.0.1', description: 'Address to listen on. A non-loopback address needs --auth (or --insecure-no-auth).' },
  port: { env: 'SKEIN_PORT', type: 'string', value: 'N', default: '1234', description: 'TCP port (0 picks a free one).' },
  data: { env: 'SKEIN_DATA', type: 'string', value: 'DIR', default: './relay-data', description: 'Folder for the SQLite databases (skein.sqlite, meta.sqlite, blobs.sqlite); created if missing.' },
  static: { env: 'SKEIN_STATIC', type: 'string', value: 'DIR', description: 'Folder with the built web client to serve at / (default: the bundled dist/renderer).' },
  'log-level': { env: 'SKEIN_LOG_LEVEL', type: 'string', value: 'LEVEL', default: 'info', description: `Log level: ${LOG_LEVELS.join(', ')}.` },
  auth: { env: 'SKEIN_AUTH', type: 'string', value: 'FILE', description: 'JSON token file {"tokens":[{"token","workspace","access":"read-write"|"read-only"}]}; reloaded on SIGHUP.' },
  'insecure-no-auth': { env: 'SKEIN_INSECURE_NO_AUTH', type: 'boolean', description: 'Allow a non-loopback address without --auth. Anyone who can reach it can read and write every note.' },
  postgres: {
    env: 'SKEIN_POSTGRES_URL',
    type: 'string',
    value: 'URL',
    description: 'Keep notes, history and metadata in this PostgreSQL database (postgres://…) instead of SQLite files in --data. Migrates the schema at start.',
  },
  redis: {
    env: 'SKEIN_REDIS_URL',
    type: 'string',
    value: 'URL',
    description: 'Connect to the other relays on the same --postgres through this Redis (redis://…), so they serve as one. Needs --postgres.',
  },
  'purge-after-days': {
    env: 'SKEIN_PURGE_AFTER_DAYS',
    type: 'string',
    value: 'N',
    default: '30',
    description: "Days after a note is deleted forever until its text, history and title are purged from the relay's files (0: at once).",
  },
  'max-message-bytes': { env: 'SKEIN_MAX_MESSAGE_BYTES', type: 'string', value: 'N', default: String(DEFAULT_LIMITS.maxMessageBytes), description: 'Largest WebSocket message; larger ones close the connection with 1009.' },
  'max-doc-bytes': { env: 'SKEIN_MAX_DOC_BYTES', type: 'string', value: 'N', default: String(DEFAULT_LIMITS.maxDocBytes), description: 'Largest stored size of one document; an update past it closes with 4413.' },
  'max-attachment-mb': {
    env: 'SKEIN_MAX_ATTACHMENT_MB',
    type: 'string',
    value: 'N',
    default: String(DEFAULT_LIMITS.maxAttachmentBytes / MIB),
    description: 'Largest attachment (image, file) one upload may hold, in MiB; larger ones get HTTP 413.',
  },
  'max-connections': { env: 'SKEIN_MAX_CONNECTIONS', type: 'string', value: 'N', default: String(DEFAULT_LIMITS.maxConnections), description: 'Open connections overall; more are refused with HTTP 503.' },
  'max-connections-per-ip': { env: 'SKEIN_MAX_CONNECTIONS_PER_IP', type: 'string', value: 'N', default: String(DEFAULT_LIMITS.maxConnectionsPerIp), description: 'Open connections per client address; more are refused with HTTP 429.' },
  'rate-limit': { env: 'SKEIN_RATE_LIMIT', type: 'string', value: 'N', default: String(DEFAULT_LIMITS.messagesPerSecond), description: 'Messages per second per connection, sustained; faster closes with 4529.' },
  'rate-burst': { env: 'SKEIN_RATE_BURST', type: 'string', value: 'N', default: String(DEFAULT_LIMITS.messageBurst), description: 'Messages a connection may send at once above the sustained rate.' },
  help: { env: '', type: 'boolean', description: 'Show this help and exit.' },
} as const satisfies Record<string, FlagSpec>

type FlagName = keyof typeof FLAGS

export function helpText(): string {
  const rows = (Object.entries(FLAGS) as [FlagName, FlagSpec][]).map(([name, spec]) => {
    const flag = `--${name}${spec.value ? ` ${spec.value}` : ''}`
    const extras = [spec.default !== undefined ? `default ${spec.default}` : '', spec.env ? `env ${spec.env}` : '']
      .filter(Boolean)
      .join('; ')
    return `  ${flag.padEnd(26)} ${spec.description}${extras ? ` (${extras})` : ''}`
  })
  return [
    'Usage: skein-relay [flags]',
    '',
    'Skein relay: syncs notes between devices over the y-websocket protocol, stores them in SQLite',
    '(or PostgreSQL, with --postgres; several relays with --postgres and --redis serve as one),',
    'and serves the web client. Every flag has an environment variable twin; flags win.',
    '',
    'Flags:',
    ...rows,
    '',
    'Endpoints: ws://HOST:PORT/<room>, GET /healthz, GET /readyz, GET /metrics, /v1/ops, /v1/changes,',
    'PUT|GET|HEAD /v1/blobs/<sha256> (attachments), GET / (web client).',
    'Signals: SIGTERM/SIGINT store everything and exit 0; SIGHUP reloads the --auth file (with --redis,',
    'tokens it no longer lists are closed on every relay).',
  ].join('\n')
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1'])

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || (isIP(host) === 4 && host.startsWith('127.'))
}

/** Parses flags and their environment twins. Returns null when --help was asked for. */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv, defaultStaticDir: string | null): RelayConfig | null {
  let values: Partial<Record<FlagName, string | boolean>>
  try {
    const options = Object.fromEntries(Object.entries(FLAGS).map(([name, spec]) => [name, { type: spec.type }]))
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as typeof values
  } catch (err) {
    throw new ConfigError(`${(err as Error).message.split('\n')[0]} (see --help)`)
  }
  if (values.help) return null

  const get = (name: FlagName): string | undefined => {
    const fromFlag = values[name]
    if (typeof fromFlag === 'string') return fromFlag
    const spec: FlagSpec = FLAGS[name]
    return (spec.env && env[spec.env]) || spec.default
  }
  const bool = (name: FlagName): boolean => {
    if (values[name] === true) return true
    const raw = FLAGS[name].env ? env[FLAGS[name].env] : undefined
    if (raw === undefined || raw === '') return false
    if (/^(1|true|yes)$/i.test(raw)) return true
    if (/^(0|false|no)$/i.test(raw)) return false
    throw new ConfigError(`${FLAGS[name].env} must be true or false, got "${raw}"`)
  }

  const host = get('host')!
  const port = integer('port', get('port')!, 0, 65535)
  const limits = {
    maxMessageBytes: integer('max-message-bytes', get('max-message-bytes')!, 1024, 1024 * 1024 * 1024),
    maxDocBytes: integer('max-doc-bytes', get('max-doc-bytes')!, 1024, 16 * 1024 * 1024 * 1024),
    maxConnections: integer('max-connections', get('max-connections')!, 1, 10_000_000),
    maxConnectionsPerIp: integer('max-connections-per-ip', get('max-connections-per-ip')!, 1, 10_000_000),
    messagesPerSecond: integer('rate-limit', get('rate-limit')!, 1, 10_000_000),
    messageBurst: integer('rate-burst', get('rate-burst')!, 1, 10_000_000),
    maxAttachmentBytes: integer('max-attachment-mb', get('max-attachment-mb')!, 1, MAX_ATTACHMENT_MB) * MIB,
  }
  const purgeAfterDays = integer('purge-after-days', get('purge-after-days')!, 0, 36_500)
  const logLevel = get('log-level')! as LevelWithSilent
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`)
  const dataDir = get('data')!
  if (!dataDir) throw new ConfigError('--data must not be empty')
  const insecureNoAuth = bool('insecure-no-auth')
  const authFile = get('auth') || null
  if (!isLoopback(host) && !authFile && !insecureNoAuth) {
    throw new ConfigError(
      `refusing to listen on non-loopback address ${host} without --auth; pass --insecure-no-auth to let anyone who can reach it read and write every note`,
    )
  }
  const postgresUrl = url('postgres', get('postgres'), ['postgres:', 'postgresql:'])
  const redisUrl = url('redis', get('redis'), ['redis:', 'rediss:'])
  if (redisUrl && !postgresUrl) {
    throw new ConfigError('--redis connects relays that share one PostgreSQL; pass --postgres too (relays on their own SQLite files cannot share notes)')
  }
  return { host, port, dataDir, staticDir: get('static') ?? defaultStaticDir, logLevel, authFile, insecureNoAuth, purgeAfterDays, postgresUrl, redisUrl, limits }
}

function url(name: 'postgres' | 'redis', raw: string | undefined, protocols: readonly string[]): string | null {
  if (!raw) return null
  let parsed: URL
  try {
    parsed = new URL(raw)
  } catch {
    throw new ConfigError(`--${name} must be a URL like ${protocols[0]}//host:port/…`)
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(`--${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}, got ${parsed.protocol}//`)
  return raw
}

/** A database URL without its password, for logs and the start-up line. */
export function redactUrl(raw: string): string {
  const parsed = new URL(raw)
  if (parsed.password) parsed.password = '***'
  return parsed.toString()
}

function integer(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw)) throw new ConfigError(`--${name} must be a whole number, got "${raw}"`)
  const n = Number(raw)
  if (n < min || n > max) throw new ConfigError(`--${name} must be between ${min} and ${max}, got ${n}`)
  return n
}
