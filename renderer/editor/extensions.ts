// The one list of what a note can contain. Every node and mark of a note's document comes from an
// entry here; the editor, the schema guard (what this version can show), import and export
// (transfer/schema.ts) all build their schema from it, so adding a node is adding its extension
// to CONTENT below. What else a new node may want, each in one place:
// - a Markdown form: a token mapping and a writer in transfer/markdown.ts (without one it is
//   exported as HTML, which keeps it, and read back as text);
// - a way to insert it: an entry in block-types.ts (slash menu, and the Text style menu for
//   text blocks);
// - its look: a block in renderer/styles.css under "Editor content".

import type { Extensions } from '@tiptap/core'
import Code from '@tiptap/extension-code'
import Highlight from '@tiptap/extension-highlight'
import { TaskItem, TaskList } from '@tiptap/extension-list'
import StarterKit from '@tiptap/starter-kit'
import { SafeLink, isAllowedLinkUrl } from './link'
import { TableKit } from './table'
import { NoteLink } from './note-link'
import { attachmentNodes } from './attachment-nodes'

/**
 * Inline code that can also be a link, bold or struck through, as Markdown allows
 * ([`#17`](…) is everywhere in changelogs). Stock Code excludes every other mark, which made
 * such links vanish on import. Listed after the link so it ranks innermost: Markdown writers keep
 * the backticks inside the brackets.
 */
const LinkableCode = Code.extend({ excludes: '' })

/** The content extensions, in schema order (earlier marks wrap later ones). */
const CONTENT = (): Extensions => [
  // Without its own history (Collaboration brings a Yjs-aware undo), link and code (below).
  StarterKit.configure({ undoRedo: false, link: false, code: false }),
  // Links are drawn only with a checked href, whatever a collaborator wrote (see link.ts).
  SafeLink.configure({
    openOnClick: false,
    autolink: false, // an autolink mark is inclusive: text typed after a link would join it
    defaultProtocol: 'https',
    isAllowedUri: (url) => isAllowedLinkUrl(url),
  }),
  LinkableCode,
  Highlight, // ==text==; one colour (Markdown has no way to say which)
  TaskList,
  TaskItem.configure({ nested: true }),
  ...TableKit,
  NoteLink, // [[ links to other notes, by id (note-link.ts)
  ...attachmentNodes(), // images and files, by content hash (attachment-nodes.ts)
]

/** What a note's document may contain (a fresh list each time: TipTap configures extensions in place). */
export function contentExtensions(): Extensions {
  return CONTENT()
}
