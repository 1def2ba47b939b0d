import { describe, expect, it } from 'vitest'
import { DERIVED_TITLE_LENGTH, UNTITLED, deriveTitle } from '../../renderer/notes/title'
import { isAllowedLinkUrl, linkUrlProblem, normalizeLinkUrl } from '../../renderer/editor/link'

describe('deriveTitle', () => {
  it('is the first non-blank line, trimmed, with whitespace collapsed', () => {
    expect(deriveTitle('  Groceries \nmilk\neggs')).toBe('Groceries')
    expect(deriveTitle('\n   \n  Second  line  here ')).toBe('Second line here')
  })

  it('is "Untitled" for a note without text', () => {
    expect(deriveTitle('')).toBe(UNTITLED)
    expect(deriveTitle(' \n\t\n')).toBe(UNTITLED)
  })

  it('is shortened to the maximum length with an ellipsis', () => {
    const title = deriveTitle('x'.repeat(200))
    expect(title).toHaveLength(DERIVED_TITLE_LENGTH)
    expect(title.endsWith('…')).toBe(true)
    expect(deriveTitle('y'.repeat(DERIVED_TITLE_LENGTH))).toBe('y'.repeat(DERIVED_TITLE_LENGTH))
  })
})

describe('link URLs', () => {
  it('allows http, https and mailto', () => {
    expect(isAllowedLinkUrl('https://example.com/a?b=c')).toBe(true)
    expect(isAllowedLinkUrl('http://localhost:8080')).toBe(true)
    expect(isAllowedLinkUrl('mailto:someone@example.com')).toBe(true)
  })

  it('rejects script, data and file URLs, relative paths and garbage', () => {
    for (const url of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<b>x</b>', 'file:///etc/passwd', '/relative', 'example', 'exa mple.com', 'mailto:', 'https://']) {
      expect(isAllowedLinkUrl(url), url).toBe(false)
    }
  })

  it('accepts a bare domain as https://', () => {
    for (const url of ['example.org', 'www.example.co.uk/path?q=1#top', 'example.org:8080']) {
      expect(isAllowedLinkUrl(url), url).toBe(true)
      expect(normalizeLinkUrl(url)).toBe(`https://${url}`)
    }
    expect(normalizeLinkUrl(' example.org ')).toBe('https://example.org')
    // Anything with a scheme is left alone, so forbidden schemes stay forbidden.
    expect(normalizeLinkUrl('javascript:alert(1)')).toBe('javascript:alert(1)')
    expect(normalizeLinkUrl('http://example.org')).toBe('http://example.org')
    expect(linkUrlProblem('example.org')).toBeNull()
  })

  it('explains what is wrong', () => {
    expect(linkUrlProblem('')).toBe('Enter a URL.')
    expect(linkUrlProblem('ftp://example.com')).toMatch(/Only http/)
    expect(linkUrlProblem(' https://example.com ')).toBeNull()
  })
})
