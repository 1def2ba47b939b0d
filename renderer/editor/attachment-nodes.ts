// A note's images and files: two inline atom nodes naming their bytes by SHA-256 (the bytes live
// in renderer/attachments, never in the note). The schema is all that is here; how they are drawn
// and added is attachment-runtime.ts, given to the editor only (import, export and the schema
// guard need the schema alone).

import { Node, mergeAttributes } from '@tiptap/core'
import type { NodeViewRenderer } from '@tiptap/core'
import { attachmentViewOf } from './attachment-runtime'

/** An attribute kept in a `data-` attribute of the node's HTML (copy and paste between notes). */
function dataAttribute(name: string, numeric = false) {
  return {
    default: null,
    parseHTML: (element: HTMLElement) => {
      const value = element.getAttribute(`data-${name}`)
      return numeric ? (value === null ? null : Number(value) || null) : value
    },
    renderHTML: (attrs: Record<string, unknown>) => (attrs[name] === null || attrs[name] === undefined ? {} : { [`data-${name}`]: String(attrs[name]) }),
  }
}

const fileAttributes = () => ({ hash: dataAttribute('hash'), name: dataAttribute('name'), type: dataAttribute('type'), size: dataAttribute('size', true) })

/** Drawn by the runtime when the editor has one; a plain element otherwise (tests, read-only). */
const viewFor =
  (kind: 'image' | 'file'): NodeViewRenderer =>
  (props) => {
    const view = attachmentViewOf(props.editor)
    if (view) return view(kind, props)
    const dom = document.createElement('span')
    dom.textContent = String(props.node.attrs.name ?? kind)
    return { dom }
  }

export const ImageNode = Node.create({
  name: 'image',
  group: 'inline',
  inline: true,
  atom: true,
  draggable: true,
  addAttributes: () => ({
    ...fileAttributes(),
    width: dataAttribute('width', true),
    height: dataAttribute('height', true),
    alt: { default: '', parseHTML: (element: HTMLElement) => element.getAttribute('alt') ?? '', renderHTML: (attrs: Record<string, unknown>) => ({ alt: String(attrs.alt ?? '') }) },
  }),
  parseHTML: () => [{ tag: 'img[data-hash]' }],
  renderHTML: ({ HTMLAttributes }) => ['img', mergeAttributes(HTMLAttributes, { width: HTMLAttributes['data-width'], height: HTMLAttributes['data-height'] })],
  addNodeView: () => viewFor('image'),
})

export const FileNode = Node.create({
  name: 'file',
  group: 'inline',
  inline: true,
  atom: true,
  draggable: true,
  addAttributes: fileAttributes,
  parseHTML: () => [{ tag: 'span[data-hash].attachment-file' }],
  renderHTML: ({ node, HTMLAttributes }) => ['span', mergeAttributes(HTMLAttributes, { class: 'attachment-file' }), String(node.attrs.name ?? 'file')],
  addNodeView: () => viewFor('file'),
})

/** The attachment nodes of a note's schema. */
export const attachmentNodes = () => [ImageNode, FileNode]
