// What the browser build keeps in localStorage, because it has no desktop shell: the relay token
// and the presence profile. The token in localStorage is a known limitation of the browser build
// (any script on the origin can read it; the CSP allows only the app's own scripts). The desktop
// app never stores it in the renderer: it lives in the main process, encrypted with safeStorage.

const TOKEN_KEY = 'skein:relay-token'
const PROFILE_KEY = 'skein:profile'

function read(key: string): string | null {
  try {
    return localStorage.getItem(key)
  } catch {
    return null // storage disabled (privacy mode, sandboxed iframe)
  }
}

function write(key: string, value: string | null): void {
  if (value === null) localStorage.removeItem(key)
  else localStorage.setItem(key, value)
}

export function browserToken(): string | null {
  const token = read(TOKEN_KEY)
  return token === null || token === '' ? null : token
}

export function setBrowserToken(token: string | null): void {
  write(TOKEN_KEY, token)
}

export interface StoredProfile {
  displayName: string
  color: string
}

export function browserProfile(): Partial<StoredProfile> {
  try {
    const value: unknown = JSON.parse(read(PROFILE_KEY) ?? '{}')
    if (typeof value !== 'object' || value === null) return {}
    const { displayName, color } = value as Record<string, unknown>
    return {
      ...(typeof displayName === 'string' ? { displayName } : {}),
      ...(typeof color === 'string' ? { color } : {}),
    }
  } catch {
    return {}
  }
}

export function setBrowserProfile(profile: StoredProfile): void {
  write(PROFILE_KEY, JSON.stringify(profile))
}
