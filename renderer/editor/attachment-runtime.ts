// What the editor does with images and files: draws them from the attachment store (an image
// holds its stored size while its bytes load, so a note with many images is editable at once and
// does not jump as they fill in), saves a file chip's bytes under its name, and adds files that
// are pasted, dropped or picked. Bound to one note's editor (its id is the upload's note).

import { Extension } from '@tiptap/core'
import type { Editor, JSONContent, NodeViewRendererProps } from '@tiptap/core'
import type { NodeView } from '@tiptap/pm/view'
import { Plugin, PluginKey } from '@tiptap/pm/state'
import type { Attachments } from '../attachments/attachments'
import { attachmentOf, type AttachmentInfo } from '../attachments/in-doc'
import { downloadBlob } from '../platform'

export interface AttachmentRuntimeOptions {
  attachments: Attachments | null
  noteId: string | null
  /** A file could not be added (no space, unreadable): said to the writer, the note untouched. */
  onError(message: string): void
}

type AttachmentView = (kind: 'image' | 'file', props: NodeViewRendererProps) => NodeView

const views = new WeakMap<Editor, AttachmentView>()

/** How `editor` draws attachment nodes, when it has the runtime. */
export function attachmentViewOf(editor: Editor): AttachmentView | undefined {
  return views.get(editor)
}

/** Raster images are shown inline; anything else (SVG included: it can carry scripts) is a file. */
export const INLINE_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp']

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} kB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/** Shows a placeholder until the bytes are here; if they cannot be had now, says so and tries again once online. `show` marks it loaded. */
function loadInto(options: AttachmentRuntimeOptions, info: AttachmentInfo, dom: HTMLElement, show: (url: string) => void): () => void {
  let live = true
  const attempt = (): void => {
    if (!options.attachments || !options.noteId) return
    dom.dataset.state = 'loading'
    options.attachments.url(info, options.noteId).then(
      (url) => {
        if (live) show(url)
      },
      (err: unknown) => {
        if (!live) return
        dom.dataset.state = 'missing'
        dom.title = `Not on this device yet: ${err instanceof Error ? err.message : String(err)}`
        window.addEventListener('online', attempt, { once: true })
      },
    )
  }
  attempt()
  return () => {
    live = false
    window.removeEventListener('online', attempt)
  }
}

function imageView(options: AttachmentRuntimeOptions, { node }: NodeViewRendererProps): NodeView {
  const info = attachmentOf(node.attrs)
  const dom = document.createElement('span')
  dom.className = 'attachment-image'
  dom.contentEditable = 'false'
  const width = Number(node.attrs.width) || 0
  const height = Number(node.attrs.height) || 0
  // The stored size is reserved before the bytes load: layout does not jump as images fill in.
  if (width > 0 && height > 0) {
    dom.style.width = `${width}px`
    dom.style.aspectRatio = `${width} / ${height}`
  }
  const img = document.createElement('img')
  img.alt = String(node.attrs.alt ?? '')
  img.decoding = 'async'
  img.draggable = false
  dom.append(img)
  dom.setAttribute('aria-label', `Image ${info?.name ?? ''}`.trim())
  img.onload = () => {
    dom.dataset.state = 'loaded'
    dom.removeAttribute('title')
  }
  img.onerror = () => {
    dom.dataset.state = 'missing'
    dom.title = 'This image cannot be shown'
  }
  const stop = info ? loadInto(options, info, dom, (url) => (img.src = url)) : () => {}
  return { dom, destroy: stop, ignoreMutation: () => true }
}


function fileView(options: AttachmentRuntimeOptions, { node }: NodeViewRendererProps): NodeView {
  const info = attachmentOf(node.attrs)
  const dom = document.createElement('span')
  dom.className = 'attachment-file'
  dom.contentEditable = 'false'
  const name = info?.name ?? 'file'
  // Drawn, not an emoji: emoji fonts are missing on many Linux desktops.
  dom.innerHTML =
    '<svg class="attachment-file-icon" width="14" height="14" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" aria-hidden="true"><path d="M14 3H6a1 1 0 0 0-1 1v16a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1V8z"/><path d="M14 3v5h5"/></svg><span class="attachment-file-name"></span><span class="attachment-file-size"></span>'
  dom.querySelector('.attachment-file-name')!.textContent = name
  dom.querySelector('.attachment-file-size')!.textContent = info ? formatSize(info.size) : ''
  dom.setAttribute('role', 'button')
  dom.setAttribute('aria-label', `Save ${name}`)
  dom.tabIndex = 0
  const save = (event: Event): void => {
    event.preventDefault()
    if (!info || !options.attachments || !options.noteId) return
    dom.dataset.state = 'loading'
    options.attachments.blob(info, options.noteId).then(
      (blob) => {
        dom.dataset.state = 'loaded'
        downloadBlob(name, blob)
      },
      (err: unknown) => {
        dom.dataset.state = 'missing'
        options.onError(`${name} cannot be opened: ${err instanceof Error ? err.message : String(err)}`)
      },
    )
  }
  dom.addEventListener('click', save)
  dom.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') save(event)
  })
  return { dom, ignoreMutation: () => true, stopEvent: (event) => event.type === 'click' }
}

/** Width and height of a raster image, or null when it cannot be decoded here. */
async function dimensions(blob: Blob): Promise<{ width: number; height: number } | null> {
  try {
    const bitmap = await createImageBitmap(blob)
    const size = { width: bitmap.width, height: bitmap.height }
    bitmap.close()
    return size
  } catch {
    return null
  }
}

/** The node for a file added to the note: an image (with its size) if it is one this editor shows, else a file chip. */
export async function nodeForFile(attachments: Attachments, noteId: string, file: File): Promise<JSONContent> {
  const data = await file.arrayBuffer()
  const name = file.name || (file.type.startsWith('image/') ? `pasted.${file.type.slice(6)}` : 'file')
  const info = await attachments.add(noteId, data, name, file.type)
  const size = INLINE_IMAGE_TYPES.includes(file.type) ? await dimensions(new Blob([data], { type: file.type })) : null
  if (size) return { type: 'image', attrs: { ...info, ...size, alt: '' } }
  return { type: 'file', attrs: { ...info } }
}

/** Adds files to the note at `at` (or the selection), one node each; a file that fails is said and skipped. */
export async function insertFiles(editor: Editor, options: AttachmentRuntimeOptions, files: readonly File[], at?: number): Promise<void> {
  const { attachments, noteId } = options
  if (!attachments || !noteId) return
  const nodes: JSONContent[] = []
  for (const file of files) {
    try {
      nodes.push(await nodeForFile(attachments, noteId, file))
    } catch (err) {
      options.onError(`${file.name || 'The file'} was not added: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  if (nodes.length === 0 || editor.isDestroyed) return
  const chain = editor.chain().focus()
  ;(at === undefined ? chain : chain.setTextSelection(at)).insertContent(nodes).run()
}

/** Gives one note's editor its attachments: node views, paste and drop. */
export const AttachmentRuntime = Extension.create<AttachmentRuntimeOptions>({
  name: 'attachmentRuntime',
  addOptions: () => ({ attachments: null, noteId: null, onError: () => {} }),
  onBeforeCreate() {
    const options = this.options
    views.set(this.editor, (kind, props) => (kind === 'image' ? imageView(options, props) : fileView(options, props)))
  },
  addProseMirrorPlugins() {
    const editor = this.editor
    const options = this.options
    const filesOf = (list: FileList | null | undefined): File[] => (list ? [...list] : [])
    return [
      new Plugin({
        key: new PluginKey('attachmentInput'),
        props: {
          handlePaste: (_view, event) => {
            const files = filesOf(event.clipboardData?.files)
            if (files.length === 0) return false
            void insertFiles(editor, options, files)
            return true
          },
          handleDrop: (view, event, _slice, moved) => {
            const files = filesOf(event.dataTransfer?.files)
            if (moved || files.length === 0) return false
            const at = view.posAtCoords({ left: event.clientX, top: event.clientY })?.pos
            void insertFiles(editor, options, files, at)
            return true
          },
        },
      }),
    ]
  },
})
