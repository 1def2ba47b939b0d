// Links may only point at the web or at an e-mail address: no javascript:, data:, file: …
// A bare domain ("example.org", "example.org/path") is taken to mean https://example.org.

const ALLOWED_PROTOCOLS = new Set(['http:', 'https:', 'mailto:'])

/** A host name with at least one dot (or "localhost"), an optional port, then a path/query/fragment or nothing. */
const BARE_DOMAIN = /^(?:localhost|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z][a-z0-9-]*)(?::\d{1,5})?(?:[/?#]\S*)?$/i

/** The URL the link will get: trimmed, and with https:// in front of a bare domain. */
export function normalizeLinkUrl(raw: string): string {
  const url = raw.trim()
  return BARE_DOMAIN.test(url) ? `https://${url}` : url
}

export function isAllowedLinkUrl(raw: string): boolean {
  let url: URL
  try {
    url = new URL(normalizeLinkUrl(raw))
  } catch {
    return false
  }
  if (!ALLOWED_PROTOCOLS.has(url.protocol)) return false
  if (url.protocol === 'mailto:') return url.pathname.length > 0
  return url.hostname.length > 0
}

export function linkUrlProblem(raw: string): string | null {
  if (raw.trim() === '') return 'Enter a URL.'
  return isAllowedLinkUrl(raw) ? null : 'Only http://, https:// and mailto: links are allowed.'
}
