import { describe, expect, it } from 'vitest'
import { getSchema } from '@tiptap/core'
import StarterKit from '@tiptap/starter-kit'
import { SafeLink, safeLinkHref } from '../../renderer/editor/link'

// What a collaborator could store as a link mark's href (straight into the Y.Doc).
const HOSTILE: [string, unknown][] = [
  ['javascript:', 'javascript:alert(1)'],
  ['upper-case', 'JAVASCRIPT:alert(1)'],
  ['leading space and tab inside', ' jav\tascript:alert(1)'],
  ['leading NUL', '\u0000javascript:alert(1)'],
  ['newline inside', 'java\nscript:alert(1)'],
  ['data:', 'data:text/html,<script>alert(1)</script>'],
  ['vbscript:', 'vbscript:msgbox(1)'],
  ['file:', 'file:///etc/passwd'],
  ['a relative path', '/settings'],
  ['an empty string', ''],
  ['a number', 42],
  ['null', null],
  ['an object', { toString: () => 'https://example.com' }],
]

describe('safeLinkHref', () => {
  it.each(HOSTILE)('gives no href for %s', (_name, href) => {
    expect(safeLinkHref(href)).toBeNull()
  })

  it.each([
    ['https://example.com/a?b=c', 'https://example.com/a?b=c'],
    ['HTTP://Example.com', 'http://example.com/'],
    ['example.org/docs', 'https://example.org/docs'],
    ['mailto:ada@example.com', 'mailto:ada@example.com'],
  ])('keeps %s as %s', (href, expected) => {
    expect(safeLinkHref(href)).toBe(expected)
  })
})

describe('SafeLink rendering', () => {
  const schema = getSchema([StarterKit.configure({ link: false }), SafeLink.configure({ openOnClick: false })])
  const render = (attrs: Record<string, unknown>) => {
    const spec = schema.marks.link?.spec.toDOM?.(schema.marks.link.create(attrs), true) as [string, Record<string, unknown>, number]
    return spec[1]
  }

  it.each(HOSTILE)('draws %s without an href or target', (_name, href) => {
    const attrs = render({ href })
    expect(attrs.href ?? null).toBeNull()
    expect(attrs.target ?? null).toBeNull()
  })

  it('draws an allowed link with the normalised href', () => {
    expect(render({ href: 'example.org' })).toMatchObject({ href: 'https://example.org/', target: '_blank', rel: 'noopener noreferrer nofollow' })
  })

  it('ignores target, rel and class written by a collaborator', () => {
    const attrs = render({ href: 'https://example.com', target: '_self', rel: 'opener', class: 'sidebar' })
    expect(attrs.target).toBe('_blank')
    expect(attrs.rel).toBe('noopener noreferrer nofollow')
    expect(attrs.class ?? null).toBeNull()
  })
})
