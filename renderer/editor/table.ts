// Tables: four nodes on prosemirror-tables (shipped in @tiptap/pm), laid out the way TipTap's own
// table extension lays them out (table > tableRow > tableHeader | tableCell, cells holding blocks,
// colspan / rowspan / colwidth attributes), so notes stay readable by it. @tiptap/extension-table
// has no release matching the installed @tiptap/core, hence these few lines instead.
//
// Cells also keep a GFM column alignment (`align`), so a Markdown table's `:---:` survives.

import { Extension, Node, mergeAttributes } from '@tiptap/core'
import type { CommandProps } from '@tiptap/core'
import { isChangeOrigin } from '@tiptap/extension-collaboration'
import { Plugin, TextSelection } from '@tiptap/pm/state'
import type { Command, EditorState } from '@tiptap/pm/state'
import {
  CellSelection,
  addColumnAfter,
  addColumnBefore,
  addRowAfter,
  addRowBefore,
  deleteColumn,
  deleteRow,
  deleteTable,
  fixTables,
  goToNextCell,
  isInTable,
  tableEditing,
} from '@tiptap/pm/tables'

declare module '@tiptap/core' {
  interface Commands<ReturnType> {
    table: {
      /** A table of `rows` × `cols` (the first row holds headers), with the caret in its first cell. */
      insertTable: (size?: { rows?: number; cols?: number }) => ReturnType
      addRowBefore: () => ReturnType
      addRowAfter: () => ReturnType
      addColumnBefore: () => ReturnType
      addColumnAfter: () => ReturnType
      deleteRow: () => ReturnType
      deleteColumn: () => ReturnType
      deleteTable: () => ReturnType
    }
  }
}

type Align = 'left' | 'center' | 'right'
const ALIGNS = new Set<string>(['left', 'center', 'right'])

/** What prosemirror-tables needs to find its way round the nodes (NodeSpec.tableRole). */
const TABLE_ROLES: Record<string, string> = { table: 'table', tableRow: 'row', tableCell: 'cell', tableHeader: 'header_cell' }

const span = (name: 'colspan' | 'rowspan') => ({
  default: 1,
  parseHTML: (el: HTMLElement) => Number(el.getAttribute(name) ?? 1) || 1,
  renderHTML: (attrs: Record<string, unknown>) => (attrs[name] !== 1 ? { [name]: attrs[name] } : {}),
})

const cellAttributes = {
  colspan: span('colspan'),
  rowspan: span('rowspan'),
  colwidth: {
    default: null,
    parseHTML: (el: HTMLElement) => el.getAttribute('colwidth')?.split(',').map(Number) ?? null,
    renderHTML: (attrs: Record<string, unknown>) => (Array.isArray(attrs.colwidth) ? { colwidth: attrs.colwidth.join(',') } : {}),
  },
  align: {
    default: null,
    parseHTML: (el: HTMLElement): Align | null => {
      const align = el.style.textAlign || el.getAttribute('align') || ''
      return ALIGNS.has(align) ? (align as Align) : null
    },
    renderHTML: (attrs: Record<string, unknown>) => (typeof attrs.align === 'string' && ALIGNS.has(attrs.align) ? { style: `text-align: ${attrs.align}` } : {}),
  },
}

function cellNode(name: 'tableCell' | 'tableHeader', tag: 'td' | 'th') {
  return Node.create({
    name,
    content: 'block+',
    isolating: true,
    addAttributes: () => cellAttributes,
    parseHTML: () => [{ tag }],
    renderHTML: ({ HTMLAttributes }) => [tag, mergeAttributes(HTMLAttributes), 0],
  })
}

export const TableCell = cellNode('tableCell', 'td')
export const TableHeader = cellNode('tableHeader', 'th')

export const TableRow = Node.create({
  name: 'tableRow',
  content: '(tableCell | tableHeader)*',
  parseHTML: () => [{ tag: 'tr' }],
  renderHTML: ({ HTMLAttributes }) => ['tr', mergeAttributes(HTMLAttributes), 0],
})

/** Runs a prosemirror-tables command as a TipTap command. */
const run =
  (command: Command) =>
  () =>
  ({ state, dispatch }: CommandProps): boolean =>
    command(state, dispatch)

/**
 * tableEditing, but repairing a table (fixTables) only after this device's own edits. A table
 * made ragged by two devices' concurrent edits (a row added here, a column there) would otherwise
 * be repaired by both devices at once, each adding the missing cells, and both repairs would merge.
 */
function localTableEditing(): Plugin {
  const stock = tableEditing()
  return new Plugin({
    ...stock.spec,
    appendTransaction: (transactions, oldState, state: EditorState) =>
      transactions.some((tr) => isChangeOrigin(tr)) ? null : fixTables(state, oldState),
  })
}

export const Table = Node.create({
  name: 'table',
  group: 'block',
  content: 'tableRow+',
  isolating: true,
  parseHTML: () => [{ tag: 'table' }],
  renderHTML: ({ HTMLAttributes }) => ['table', mergeAttributes(HTMLAttributes), ['tbody', 0]],

  addCommands() {
    return {
      insertTable:
        ({ rows = 3, cols = 3 } = {}) =>
        ({ tr, dispatch, editor }) => {
          const { tableRow, tableCell, tableHeader, paragraph } = editor.schema.nodes
          const cell = (type: typeof tableCell) => type!.create(null, paragraph!.create())
          const rowOf = (type: typeof tableCell) => tableRow!.create(null, Array.from({ length: cols }, () => cell(type)))
          const table = this.type.create(null, [rowOf(tableHeader), ...Array.from({ length: rows - 1 }, () => rowOf(tableCell))])
          if (dispatch) {
            // As TipTap's own insertTable: the caret lands in the first cell.
            const offset = tr.selection.from + 1
            tr.replaceSelectionWith(table).scrollIntoView().setSelection(TextSelection.near(tr.doc.resolve(offset)))
          }
          return true
        },
      addRowBefore: run(addRowBefore),
      addRowAfter: run(addRowAfter),
      addColumnBefore: run(addColumnBefore),
      addColumnAfter: run(addColumnAfter),
      deleteRow: run(deleteRow),
      deleteColumn: run(deleteColumn),
      deleteTable: run(deleteTable),
    }
  },

  addKeyboardShortcuts() {
    const deleteWholeTable = (): boolean => {
      const { selection } = this.editor.state
      if (!(selection instanceof CellSelection)) return false
      // Every cell selected: the table goes; otherwise the cells are emptied (prosemirror-tables).
      let cells = 0
      selection.forEachCell(() => cells++)
      const table = selection.$anchorCell.node(-1)
      let total = 0
      table.descendants((node) => {
        if (node.type.spec.tableRole === 'cell' || node.type.spec.tableRole === 'header_cell') total++
        return node.type.name === 'table' || node.type.name === 'tableRow'
      })
      return cells === total && this.editor.commands.deleteTable()
    }
    return {
      // Tab moves to the next cell; from the last one it adds a row first.
      Tab: () => {
        const { state, view } = this.editor
        if (!isInTable(state)) return false
        if (goToNextCell(1)(state, view.dispatch)) return true
        return this.editor.chain().addRowAfter().command(({ state: s, dispatch }) => goToNextCell(1)(s, dispatch)).run()
      },
      'Shift-Tab': () => isInTable(this.editor.state) && goToNextCell(-1)(this.editor.state, this.editor.view.dispatch),
      Backspace: deleteWholeTable,
      'Mod-Backspace': deleteWholeTable,
      Delete: deleteWholeTable,
      'Mod-Delete': deleteWholeTable,
    }
  },

  addProseMirrorPlugins: () => [localTableEditing()],
})

/** Gives the table nodes their roles (prosemirror-tables reads NodeSpec.tableRole). */
export const TableRoles = Extension.create({
  name: 'tableRoles',
  extendNodeSchema: (extension) => (TABLE_ROLES[extension.name] ? { tableRole: TABLE_ROLES[extension.name] } : {}),
})

export const TableKit = [Table, TableRow, TableHeader, TableCell, TableRoles]
