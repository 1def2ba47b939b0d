import { useEditorState } from '@tiptap/react'
import type { Editor } from '@tiptap/react'
import { BubbleMenu } from '@tiptap/react/menus'
import { CellSelection } from '@tiptap/pm/tables'
import { Tool } from './Toolbar'

/** Formatting for selected text, floating above the selection (not in code blocks, not for empty selections). */
export function BubbleBar({ editor, openLink }: { editor: Editor; openLink(): void }) {
  const state = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      bold: e.isActive('bold'),
      italic: e.isActive('italic'),
      strike: e.isActive('strike'),
      highlight: e.isActive('highlight'),
      code: e.isActive('code'),
      link: e.isActive('link'),
    }),
  })
  const chain = () => editor.chain().focus()
  return (
    <BubbleMenu
      editor={editor}
      className="bubble-bar"
      shouldShow={({ editor: e, from, to }) => from !== to && e.isEditable && !e.isActive('codeBlock') && !(e.state.selection instanceof CellSelection)}
    >
      <div role="toolbar" aria-label="Selection formatting" className="bubble-tools">
        <Tool label="Bold" glyph="B" active={state.bold} onClick={() => chain().toggleBold().run()} />
        <Tool label="Italic" glyph="I" active={state.italic} onClick={() => chain().toggleItalic().run()} />
        <Tool label="Strikethrough" glyph="S" active={state.strike} onClick={() => chain().toggleStrike().run()} />
        <Tool label="Highlight" glyph="H" active={state.highlight} onClick={() => chain().toggleHighlight().run()} />
        <Tool label="Inline code" glyph="‹›" active={state.code} onClick={() => chain().toggleCode().run()} />
        <Tool label="Link" glyph="Link" active={state.link} onClick={openLink} />
      </div>
    </BubbleMenu>
  )
}
