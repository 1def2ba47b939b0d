// The kinds of block a writer can insert or turn a block into: the slash menu lists them all, the
// toolbar's Text style menu the text blocks. A new kind of block is one entry here.

import type { ChainedCommands, Editor } from '@tiptap/core'

export interface BlockType {
  readonly id: string
  readonly label: string
  /** Other words the slash menu matches (it also matches the label). */
  readonly keywords: readonly string[]
  /** A short glyph shown next to the label. */
  readonly glyph: string
  /** A text block (offered in the Text style menu too). */
  readonly text?: boolean
  isActive(editor: Editor): boolean
  /** Turns the current block into this kind, or inserts it (tables, rules). */
  apply(chain: ChainedCommands): ChainedCommands
}

const heading = (level: 1 | 2 | 3 | 4 | 5 | 6): BlockType => ({
  id: `h${level}`,
  label: `Heading ${level}`,
  keywords: [`h${level}`, 'heading', 'title'],
  glyph: `H${level}`,
  text: true,
  isActive: (editor) => editor.isActive('heading', { level }),
  apply: (chain) => chain.setHeading({ level }),
})

export const BLOCK_TYPES: readonly BlockType[] = [
  { id: 'paragraph', label: 'Paragraph', keywords: ['text', 'plain', 'body'], glyph: '¶', text: true, isActive: (e) => e.isActive('paragraph'), apply: (c) => c.setParagraph() },
  heading(1),
  heading(2),
  heading(3),
  heading(4),
  heading(5),
  heading(6),
  { id: 'bullet', label: 'Bullet list', keywords: ['ul', 'unordered', 'list'], glyph: '•', isActive: (e) => e.isActive('bulletList'), apply: (c) => c.toggleBulletList() },
  { id: 'numbered', label: 'Numbered list', keywords: ['ol', 'ordered', 'list'], glyph: '1.', isActive: (e) => e.isActive('orderedList'), apply: (c) => c.toggleOrderedList() },
  { id: 'task', label: 'Task list', keywords: ['todo', 'checkbox', 'check', 'list'], glyph: '☑', isActive: (e) => e.isActive('taskList'), apply: (c) => c.toggleTaskList() },
  { id: 'quote', label: 'Quote', keywords: ['blockquote', 'citation'], glyph: '❝', isActive: (e) => e.isActive('blockquote'), apply: (c) => c.toggleBlockquote() },
  { id: 'code', label: 'Code block', keywords: ['pre', 'snippet', 'fence'], glyph: '{ }', isActive: (e) => e.isActive('codeBlock'), apply: (c) => c.toggleCodeBlock() },
  { id: 'table', label: 'Table', keywords: ['grid', 'columns', 'rows'], glyph: '▦', isActive: (e) => e.isActive('table'), apply: (c) => c.insertTable({ rows: 3, cols: 3 }) },
  { id: 'rule', label: 'Horizontal rule', keywords: ['hr', 'divider', 'separator', 'line'], glyph: '―', isActive: () => false, apply: (c) => c.setHorizontalRule() },
]

/** Block types whose label or keywords start with a word of `query` (case-insensitive), in list order. */
export function matchBlockTypes(query: string): BlockType[] {
  const q = query.trim().toLowerCase()
  if (q === '') return [...BLOCK_TYPES]
  return BLOCK_TYPES.filter((type) => [type.label, ...type.keywords].some((word) => word.toLowerCase().split(/\s+/).some((part) => part.startsWith(q)) || word.toLowerCase().startsWith(q)))
}
