// Links may only point at the web or at an e-mail address: no javascript:, data:, file: …

const ALLOWED_PROTOCOLS = new Set(['http:', 'https:', 'mailto:'])

export function isAllowedLinkUrl(raw: string): boolean {
  let url: URL
  try {
    url = new URL(raw.trim())
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
