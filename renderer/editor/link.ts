// Links may only point at the web or at an e-mail address: no javascript:, data:, file: …
// A bare domain ("example.org", "example.org/path") is taken to mean https://example.org.
//
// The check runs twice: when a link is made here (the link dialog, paste), and when any link is
// drawn. The second matters because a collaborator can write any Yjs content, including a link
// mark whose href is `javascript:…` (or a number, or missing): such content reaches the editor
// straight from the Y.Doc, not through paste or HTML parsing, so only the rendering step sees it.

import { mergeAttributes } from '@tiptap/core'
import Link from '@tiptap/extension-link'

const ALLOWED_PROTOCOLS = new Set(['http:', 'https:', 'mailto:'])

/** A host name with at least one dot (or "localhost"), an optional port, then a path/query/fragment or nothing. */
const BARE_DOMAIN = /^(?:localhost|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z][a-z0-9-]*)(?::\d{1,5})?(?:[/?#]\S*)?$/i

/** The URL the link will get: trimmed, and with https:// in front of a bare domain. */
export function normalizeLinkUrl(raw: string): string {
  const url = raw.trim()
  return BARE_DOMAIN.test(url) ? `https://${url}` : url
}

/** Parsed with WHATWG rules, so `JAVASCRIPT:`, ` java\tscript:` and `\0javascript:` are all caught. */
function parseAllowed(raw: unknown): URL | null {
  if (typeof raw !== 'string') return null
  let url: URL
  try {
    url = new URL(normalizeLinkUrl(raw))
  } catch {
    return null
  }
  if (!ALLOWED_PROTOCOLS.has(url.protocol)) return null
  if (url.protocol === 'mailto:') return url.pathname.length > 0 ? url : null
  return url.hostname.length > 0 ? url : null
}

export function isAllowedLinkUrl(raw: unknown): boolean {
  return parseAllowed(raw) !== null
}

/** The href to draw for a link mark's stored href: the normalised URL, or null (no href at all). */
export function safeLinkHref(raw: unknown): string | null {
  return parseAllowed(raw)?.href ?? null
}

export function linkUrlProblem(raw: string): string | null {
  if (raw.trim() === '') return 'Enter a URL.'
  return isAllowedLinkUrl(raw) ? null : 'Only http://, https:// and mailto: links are allowed.'
}

/**
 * TipTap's Link, drawing every link through safeLinkHref. A refused href is left out entirely
 * (stock Link writes href="", which is still a link to the page itself), and target/rel/class
 * come from the app, never from the document.
 */
export const SafeLink = Link.extend({
  addAttributes() {
    return {
      ...this.parent?.(),
      /**
       * An image the editor cannot show yet, kept as this link: its source. The link's text is the
       * image's alt text; `href` is where a linked image (a badge) pointed, or the image itself.
       * Export writes it back as the Markdown image it was (transfer/markdown.ts).
       */
      image: {
        default: null,
        parseHTML: (element: HTMLElement) => element.getAttribute('data-image'),
        renderHTML: (attributes: Record<string, unknown>) => (typeof attributes.image === 'string' ? { 'data-image': attributes.image } : {}),
      },
      /** This linked image shares one link with the linked image before it ([![a](1)![b](2)](href)). */
      imageJoin: {
        default: null,
        parseHTML: (element: HTMLElement) => (element.getAttribute('data-image-join') === 'true' ? true : null),
        renderHTML: (attributes: Record<string, unknown>) => (attributes.imageJoin === true ? { 'data-image-join': 'true' } : {}),
      },
    }
  },
  renderHTML({ HTMLAttributes }) {
    const { href, target: _target, rel: _rel, class: _class, ...rest } = HTMLAttributes as Record<string, unknown>
    const safe = safeLinkHref(href)
    return [
      'a',
      mergeAttributes(this.options.HTMLAttributes, rest, {
        href: safe,
        rel: 'noopener noreferrer nofollow',
        target: safe === null ? null : '_blank',
      }),
      0,
    ]
  },
})
