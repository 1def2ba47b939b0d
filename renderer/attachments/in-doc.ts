// The attachments a note refers to, read from its Y.Doc without an editor (for prefetch and the
// purge): the attributes of its `image` and `file` nodes.

import * as Y from 'yjs'
import { isBlobHash } from '../../protocol/http-api'
import { NOTE_FRAGMENT } from '../../protocol/notes'

export const ATTACHMENT_NODES = ['image', 'file'] as const

export interface AttachmentInfo {
  readonly hash: string
  readonly name: string
  readonly type: string
  readonly size: number
}

/** The attachment an element stands for, or null (not an attachment node, or a malformed one). */
export function attachmentOf(attrs: Record<string, unknown>): AttachmentInfo | null {
  if (!isBlobHash(attrs.hash)) return null
  return {
    hash: attrs.hash,
    name: typeof attrs.name === 'string' && attrs.name !== '' ? attrs.name : 'file',
    type: typeof attrs.type === 'string' ? attrs.type : '',
    size: typeof attrs.size === 'number' ? attrs.size : Number(attrs.size) || 0,
  }
}

/** Every attachment in the note's content, once per hash, in document order. */
export function attachmentsInDoc(doc: Y.Doc): AttachmentInfo[] {
  const found = new Map<string, AttachmentInfo>()
  const visit = (type: Y.XmlFragment | Y.XmlElement): void => {
    for (const child of type.toArray()) {
      if (!(child instanceof Y.XmlElement)) continue
      if ((ATTACHMENT_NODES as readonly string[]).includes(child.nodeName)) {
        const info = attachmentOf(child.getAttributes() as Record<string, unknown>)
        if (info && !found.has(info.hash)) found.set(info.hash, info)
      }
      visit(child)
    }
  }
  visit(doc.getXmlFragment(NOTE_FRAGMENT))
  return [...found.values()]
}
