import type { ReactNode } from 'react'
import { useEditorState } from '@tiptap/react'
import type { Editor } from '@tiptap/react'
import { TextSelection } from '@tiptap/pm/state'
import { PromptDialog } from '../ui/Dialog'
import { BLOCK_TYPES } from './block-types'
import { linkUrlProblem, normalizeLinkUrl } from './link'
import { MenuButton } from '../ui/Menu'

const TEXT_STYLES = BLOCK_TYPES.filter((type) => type.text)

interface ToolProps {
  label: string
  glyph: ReactNode
  shortcut?: string
  /** Pressed state of a toggle; omitted for actions (undo), which are not toggles. */
  active?: boolean
  disabled?: boolean
  onClick(): void
}

export function Tool({ label, glyph, shortcut, active, disabled = false, onClick }: ToolProps) {
  return (
    <button
      type="button"
      className="tool"
      data-tool={label}
      aria-pressed={active}
      disabled={disabled}
      title={shortcut ? `${label} (${shortcut})` : label}
      // Keep the editor's selection: don't move focus to the button on mouse down.
      onMouseDown={(event) => event.preventDefault()}
      onClick={onClick}
    >
      {/* The name is the label; the glyph is what shows (a name that differs from the visible text confuses voice control). */}
      <span aria-hidden="true">{glyph}</span>
      <span className="visually-hidden">{label}</span>
    </button>
  )
}

/** Drawn, not a font glyph: emoji fonts are missing on many Linux desktops. */
const PAPERCLIP = (
  <svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
    <path d="M21 11.5l-8.6 8.6a5.5 5.5 0 0 1-7.8-7.8l8.6-8.6a3.7 3.7 0 0 1 5.2 5.2l-8.6 8.6a1.8 1.8 0 0 1-2.6-2.6l7.9-7.9" />
  </svg>
)

interface ToolbarProps {
  editor: Editor
  /** The link dialog is open (also opened with Ctrl/Cmd+K from the editor). */
  linkOpen: boolean
  setLinkOpen(open: boolean): void
  /** Opens the picker for an image or file to insert (absent: attachments are not available). */
  onInsertFile?(): void
}

export function Toolbar({ editor, linkOpen, setLinkOpen, onInsertFile }: ToolbarProps) {
  const state = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      textStyle: TEXT_STYLES.find((type) => type.isActive(e))?.id ?? '',
      bulletList: e.isActive('bulletList'),
      orderedList: e.isActive('orderedList'),
      taskList: e.isActive('taskList'),
      bold: e.isActive('bold'),
      italic: e.isActive('italic'),
      strike: e.isActive('strike'),
      highlight: e.isActive('highlight'),
      link: e.isActive('link'),
      code: e.isActive('code'),
      codeBlock: e.isActive('codeBlock'),
      blockquote: e.isActive('blockquote'),
      table: e.isActive('table'),
      // Collaboration's undo: only this device's own changes (y-prosemirror tracks local origin).
      canUndo: e.can().undo(),
      canRedo: e.can().redo(),
    }),
  })
  const chain = () => editor.chain().focus()
  const mod = /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl+'

  const applyLink = (raw: string): void => {
    const href = normalizeLinkUrl(raw)
    setLinkOpen(false)
    if (editor.state.selection.empty && !editor.isActive('link')) {
      chain()
        .insertContent({ type: 'text', text: href, marks: [{ type: 'link', attrs: { href } }] })
        .run()
    } else {
      chain()
        .extendMarkRange('link')
        .setLink({ href })
        // Continue writing after the link, not inside it.
        .command(({ tr }) => {
          tr.setSelection(TextSelection.create(tr.doc, tr.selection.to))
          return true
        })
        .run()
    }
  }

  return (
    <div className="toolbar" role="toolbar" aria-label="Formatting">
      <div className="tool-group">
        <Tool label="Undo" glyph="↶" shortcut={`${mod}Z`} disabled={!state.canUndo} onClick={() => chain().undo().run()} />
        <Tool label="Redo" glyph="↷" shortcut={`${mod}Shift+Z`} disabled={!state.canRedo} onClick={() => chain().redo().run()} />
      </div>
      <div className="tool-group">
        <select
          className="button tool-select"
          aria-label="Text style"
          title="Text style"
          value={state.textStyle}
          onChange={(event) => {
            const type = TEXT_STYLES.find((t) => t.id === event.target.value)
            if (type) type.apply(chain()).run()
          }}
        >
          {state.textStyle === '' && <option value="">—</option>}
          {TEXT_STYLES.map((type) => (
            <option key={type.id} value={type.id}>
              {type.label}
            </option>
          ))}
        </select>
      </div>
      <div className="tool-group">
        <Tool label="Bold" glyph="B" shortcut={`${mod}B`} active={state.bold} onClick={() => chain().toggleBold().run()} />
        <Tool label="Italic" glyph="I" shortcut={`${mod}I`} active={state.italic} onClick={() => chain().toggleItalic().run()} />
        <Tool label="Strikethrough" glyph="S" shortcut={`${mod}Shift+S`} active={state.strike} onClick={() => chain().toggleStrike().run()} />
        <Tool label="Highlight" glyph="H" shortcut={`${mod}Shift+H`} active={state.highlight} onClick={() => chain().toggleHighlight().run()} />
        <Tool label="Inline code" glyph="‹›" shortcut={`${mod}E`} active={state.code} onClick={() => chain().toggleCode().run()} />
        <Tool label="Link" glyph="Link" shortcut={`${mod}K`} active={state.link} onClick={() => setLinkOpen(true)} />
      </div>
      <div className="tool-group">
        <Tool label="Bullet list" glyph="•" shortcut={`${mod}Shift+8`} active={state.bulletList} onClick={() => chain().toggleBulletList().run()} />
        <Tool label="Numbered list" glyph="1." shortcut={`${mod}Shift+7`} active={state.orderedList} onClick={() => chain().toggleOrderedList().run()} />
        <Tool label="Task list" glyph="☑" shortcut={`${mod}Shift+9`} active={state.taskList} onClick={() => chain().toggleTaskList().run()} />
      </div>
      <div className="tool-group">
        <Tool label="Quote" glyph="❝" shortcut={`${mod}Shift+B`} active={state.blockquote} onClick={() => chain().toggleBlockquote().run()} />
        <Tool label="Code block" glyph="{ }" shortcut={`${mod}Alt+C`} active={state.codeBlock} onClick={() => chain().toggleCodeBlock().run()} />
        <Tool label="Horizontal rule" glyph="―" onClick={() => chain().setHorizontalRule().run()} />
        {state.table ? (
          <MenuButton
            label="Table"
            className="tool"
            items={[
              { label: 'Add row above', onSelect: () => chain().addRowBefore().run() },
              { label: 'Add row below', onSelect: () => chain().addRowAfter().run() },
              { label: 'Add column left', onSelect: () => chain().addColumnBefore().run() },
              { label: 'Add column right', onSelect: () => chain().addColumnAfter().run() },
              'separator',
              { label: 'Delete row', danger: true, onSelect: () => chain().deleteRow().run() },
              { label: 'Delete column', danger: true, onSelect: () => chain().deleteColumn().run() },
              { label: 'Delete table', danger: true, onSelect: () => chain().deleteTable().run() },
            ]}
          >
            <span aria-hidden="true">▦ ▾</span>
          </MenuButton>
        ) : (
          <Tool label="Insert table" glyph="▦" onClick={() => chain().insertTable({ rows: 3, cols: 3 }).run()} />
        )}
      </div>
      {onInsertFile && (
        <div className="tool-group">
          <Tool label="Insert image or file" glyph={PAPERCLIP} onClick={onInsertFile} />
        </div>
      )}
      {linkOpen && (
        <PromptDialog
          title={state.link ? 'Edit link' : 'Add link'}
          label="URL"
          initialValue={(editor.getAttributes('link').href as string | undefined) ?? ''}
          placeholder="example.org or https://…"
          submitLabel="Apply"
          validate={linkUrlProblem}
          onSubmit={applyLink}
          onCancel={() => {
            setLinkOpen(false)
            editor.commands.focus()
          }}
          secondary={
            state.link
              ? {
                  label: 'Remove link',
                  onClick: () => {
                    setLinkOpen(false)
                    chain().extendMarkRange('link').unsetLink().run()
                  },
                }
              : undefined
          }
        />
      )}
    </div>
  )
}
