import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

export type Access = 'read-write' | 'read-only'

/** What a token grants: one workspace, at one access level. */
export interface Grant {
  workspace: string
  access: Access
  /** A stable, non-secret id for the token (logs, reconnect identity). */
  tokenId: string
}

const WORKSPACE = /^[A-Za-z0-9_-]{1,64}$/

const ACCESS: readonly Access[] = ['read-write', 'read-only']

interface TokenEntry {
  token: string
  workspace: string
  access: Access
}

/**
 * Validates the auth file's shape. Written out rather than with a schema library: the file has
 * three fields, and a schema library would be the relay's largest import (~13 MiB resident).
 */
function parseTokens(data: unknown, source: string): TokenEntry[] {
  const fail = (path: string, message: string): never => {
    throw new AuthFileError(`${source}: ${path}: ${message}`)
  }
  if (typeof data !== 'object' || data === null || !Array.isArray((data as { tokens?: unknown }).tokens))
    fail('tokens', 'expected an object with a "tokens" array')
  return ((data as { tokens: unknown[] }).tokens).map((entry, i) => {
    if (typeof entry !== 'object' || entry === null) return fail(`tokens.${i}`, 'expected an object')
    const { token, workspace, access } = entry as Record<string, unknown>
    if (typeof token !== 'string' || token.length < 16) fail(`tokens.${i}.token`, 'tokens must be at least 16 characters')
    if (typeof workspace !== 'string' || !WORKSPACE.test(workspace)) fail(`tokens.${i}.workspace`, 'workspace names are 1-64 of A-Z a-z 0-9 _ -')
    if (!ACCESS.includes(access as Access)) fail(`tokens.${i}.access`, 'access must be "read-write" or "read-only"')
    return { token: token as string, workspace: workspace as string, access: access as Access }
  })
}

/** The workspace every connection shares when the relay runs without an auth file. */
export const OPEN_WORKSPACE = 'default'
export const OPEN_GRANT: Grant = { workspace: OPEN_WORKSPACE, access: 'read-write', tokenId: 'open' }

export class AuthFileError extends Error {}

/** Token → grant. Tokens are looked up by their SHA-256 so the table never compares secrets directly. */
export class AuthTable {
  private constructor(private readonly grants: ReadonlyMap<string, Grant>) {}

  static parse(json: string, source = 'auth file'): AuthTable {
    let data: unknown
    try {
      data = JSON.parse(json)
    } catch (err) {
      throw new AuthFileError(`${source} is not valid JSON: ${(err as Error).message}`)
    }
    const grants = new Map<string, Grant>()
    for (const { token, workspace, access } of parseTokens(data, source)) {
      const key = digest(token)
      if (grants.has(key)) throw new AuthFileError(`${source}: a token is listed twice`)
      grants.set(key, { workspace, access, tokenId: key.slice(0, 12) })
    }
    return new AuthTable(grants)
  }

  static load(path: string): AuthTable {
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch (err) {
      throw new AuthFileError(`cannot read auth file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    }
    return AuthTable.parse(text, path)
  }

  /** The ids of every token in the table. */
  tokenIds(): Set<string> {
    return new Set([...this.grants.values()].map((g) => g.tokenId))
  }

  grantFor(token: string | null): Grant | null {
    return token ? (this.grants.get(digest(token)) ?? null) : null
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** The token from `?token=` (the stock client's `params`) or an `Authorization: Bearer` header. */
export function tokenFromRequest(req: IncomingMessage): string | null {
  const header = req.headers.authorization
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim() || null
  try {
    return new URL(req.url ?? '/', 'http://relay').searchParams.get('token')
  } catch {
    return null
  }
}
