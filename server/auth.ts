import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { z } from 'zod'

export type Access = 'read-write' | 'read-only'

/** What a token grants: one workspace, at one access level. */
export interface Grant {
  workspace: string
  access: Access
  /** A stable, non-secret id for the token (logs, reconnect identity). */
  tokenId: string
}

const WORKSPACE = /^[A-Za-z0-9_-]{1,64}$/

const AuthFileSchema = z.object({
  tokens: z.array(
    z.object({
      token: z.string().min(16, 'tokens must be at least 16 characters'),
      workspace: z.string().regex(WORKSPACE, 'workspace names are 1-64 of A-Z a-z 0-9 _ -'),
      access: z.enum(['read-write', 'read-only']),
    }),
  ),
})

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
    const parsed = AuthFileSchema.safeParse(data)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      throw new AuthFileError(`${source}: ${issue.path.join('.') || 'root'}: ${issue.message}`)
    }
    const grants = new Map<string, Grant>()
    for (const { token, workspace, access } of parsed.data.tokens) {
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

/** Where a workspace's room lives in storage: workspaces never share a key. */
export function storageKey(workspace: string, room: string): string {
  return `${workspace}/${room}`
}
