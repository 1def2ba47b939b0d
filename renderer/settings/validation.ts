// Checks for the settings form, each returning the cleaned value or a message a person can act on.

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string }

const MAX_URL_LENGTH = 2048
/** The relay's own rule (server/auth.ts): tokens of at least 16 characters. */
const MIN_TOKEN_LENGTH = 16

/**
 * '' (no relay) or a ws:// / wss:// URL with a host. http(s):// is accepted and turned into
 * ws(s)://, because that is what people copy from a browser's address bar.
 */
export function checkRelayUrl(input: string): Checked<string> {
  const raw = input.trim()
  if (raw === '') return { ok: true, value: '' }
  if (raw.length > MAX_URL_LENGTH) return { ok: false, message: 'That URL is too long.' }
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { ok: false, message: 'Enter the relay as a full URL, for example wss://relay.example.com.' }
  }
  if (url.protocol === 'http:') url.protocol = 'ws:'
  else if (url.protocol === 'https:') url.protocol = 'wss:'
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    return { ok: false, message: 'The relay URL must start with ws:// or wss:// (or http:// or https://).' }
  }
  if (url.hostname === '') return { ok: false, message: 'The relay URL needs a host name.' }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, message: 'Put the token in the token field, not in the URL.' }
  }
  if (url.search !== '' || url.hash !== '') return { ok: false, message: 'The relay URL cannot have ? or # parts.' }
  return { ok: true, value: url.href.replace(/\/+$/, '') }
}

/** '' (no token) or a relay token: printable, no spaces, at least 16 characters. */
export function checkToken(input: string): Checked<string> {
  const token = input.trim()
  if (token === '') return { ok: true, value: '' }
  if (!/^[\x21-\x7e]+$/.test(token)) return { ok: false, message: 'A token has no spaces or special characters.' }
  if (token.length < MIN_TOKEN_LENGTH) return { ok: false, message: `A relay token has at least ${MIN_TOKEN_LENGTH} characters.` }
  if (token.length > 1024) return { ok: false, message: 'That token is too long.' }
  return { ok: true, value: token }
}

export function checkDisplayName(input: string): Checked<string> {
  const name = input.trim()
  if (name.length > 64) return { ok: false, message: 'Keep the name to 64 characters.' }
  return { ok: true, value: name }
}

export function checkColor(input: string): Checked<string> {
  return /^#[0-9a-f]{6}$/i.test(input) ? { ok: true, value: input.toLowerCase() } : { ok: false, message: 'Pick a color.' }
}
