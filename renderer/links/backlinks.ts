// Which notes link to which (noteLink nodes, renderer/editor/note-link.ts), from the local
// content. Fed by the search indexer's reads of each note's document (search-indexer.ts), the one
// pass that already sees every note, including those synced in the background.

import * as Y from 'yjs'
import { NOTE_FRAGMENT } from '../../protocol/notes'
import { ValueStore, type ReadableStore } from '../sync/store'

export interface OutgoingLink {
  readonly target: string
  /** The text of the block holding the link, the link shown as "[[…]]", cut to CONTEXT_CHARS. */
  readonly context: string
}

export interface Backlink {
  readonly source: string
  readonly context: string
}

const CONTEXT_CHARS = 160
const LINK_NODE = 'noteLink'

/** The note links in `doc`, in document order, each with the text around it. Pure. */
export function linksIn(doc: Y.Doc): OutgoingLink[] {
  const links: OutgoingLink[] = []
  const visit = (node: Y.XmlFragment | Y.XmlElement): void => {
    for (const child of node.toArray()) {
      if (!(child instanceof Y.XmlElement)) continue
      const targets: string[] = []
      let text = ''
      let inline = false
      for (const part of child.toArray()) {
        if (part instanceof Y.XmlText) {
          inline = true
          for (const op of part.toDelta() as { insert: unknown }[]) if (typeof op.insert === 'string') text += op.insert
        } else if (part instanceof Y.XmlElement && part.nodeName === LINK_NODE) {
          inline = true
          const target = part.getAttribute('id')
          if (typeof target === 'string' && target !== '') targets.push(target)
          text += '[[…]]'
        }
      }
      if (inline) for (const target of targets) links.push({ target, context: text.trim().slice(0, CONTEXT_CHARS) })
      else visit(child)
    }
  }
  visit(doc.getXmlFragment(NOTE_FRAGMENT))
  return links
}

export class BacklinksIndex {
  private readonly outgoing = new Map<string, readonly OutgoingLink[]>()
  private readonly revision = new ValueStore(0)

  /** Bumped on every change, for components to re-read. */
  get changes(): ReadableStore<number> {
    return this.revision
  }

  /** Note `source`'s content as read now. */
  update(source: string, doc: Y.Doc): void {
    const links = linksIn(doc)
    const before = this.outgoing.get(source) ?? []
    if (JSON.stringify(before) === JSON.stringify(links)) return
    if (links.length === 0) this.outgoing.delete(source)
    else this.outgoing.set(source, links)
    this.revision.set(this.revision.get() + 1)
  }

  /** Note `source` is gone for good. */
  drop(source: string): void {
    if (this.outgoing.delete(source)) this.revision.set(this.revision.get() + 1)
  }

  /** The notes linking to `target` (one entry per link), by source id. */
  backlinksTo(target: string): Backlink[] {
    const found: Backlink[] = []
    for (const [source, links] of this.outgoing) for (const link of links) if (link.target === target && source !== target) found.push({ source, context: link.context })
    return found.sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0))
  }
}
