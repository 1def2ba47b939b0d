// The content extensions of a note (what its document may contain) and the schema they make.
// Kept apart from the editor so the schema guard (and tests) can know the schema without an editor.

import { getSchema } from '@tiptap/core'
import type { Extensions } from '@tiptap/core'
import type { Schema } from '@tiptap/pm/model'
import Code from '@tiptap/extension-code'
import StarterKit from '@tiptap/starter-kit'
import { SafeLink, isAllowedLinkUrl } from './link'
import { attachmentNodes } from './attachment-nodes'

/**
 * Inline code that can also be a link, bold or struck through, as Markdown allows
 * ([`#17`](…) is everywhere in changelogs). Stock Code excludes every other mark, which made
 * such links vanish on import. Listed after the link so it ranks innermost: Markdown writers keep
 * the backticks inside the brackets.
 */
const LinkableCode = Code.extend({ excludes: '' })

/** StarterKit without its own history (Collaboration brings a Yjs-aware undo) and with safe links. */
export function contentExtensions(): Extensions {
  return [
    StarterKit.configure({ undoRedo: false, link: false, code: false }),
    // Links are drawn only with a checked href, whatever a collaborator wrote (see link.ts).
    SafeLink.configure({
      openOnClick: false,
      autolink: false, // an autolink mark is inclusive: text typed after a link would join it
      defaultProtocol: 'https',
      isAllowedUri: (url) => isAllowedLinkUrl(url),
    }),
    LinkableCode,
    ...attachmentNodes(),
  ]
}

let schema: Schema | null = null

/** The schema every note editor uses (built once). */
export function noteSchema(): Schema {
  schema ??= getSchema(contentExtensions())
  return schema
}
