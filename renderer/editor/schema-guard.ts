// Keeps content written by other versions of Skein from being deleted by this one.
//
// y-prosemirror (@tiptap/y-tiptap) turns every Y.XmlElement / Y.XmlText of a note into a
// ProseMirror node; when that fails (a node or mark name this editor's schema does not know) it
// *deletes the Yjs item*, and the deletion syncs to every device. So before an editor is bound to a
// note, and before y-prosemirror's observer sees each later change, we run the same conversion
// "dry" (building nodes, deleting nothing) and report what it could not map. A note with anything
// unmappable is shown read-only instead of being bound.

// Yjs types are invariant in their event type; `any` is how Yjs itself spells "some type".
/* eslint-disable @typescript-eslint/no-explicit-any */
import * as Y from 'yjs'
import { NOTE_FRAGMENT } from '../../protocol/notes'
import type { Mark, Node as PMNode, Schema } from '@tiptap/pm/model'
import { ValueStore } from '../sync/store'

/** Something in a note this editor cannot represent (so y-prosemirror would delete it). */
export interface Unmappable {
  readonly kind: 'node' | 'mark' | 'text'
  readonly name: string
}

/** y-prosemirror stores overlapping marks as `<name>--<hash>` attributes. */
function markName(attribute: string): string {
  return attribute.split('--')[0] ?? attribute
}

function checkText(text: Y.XmlText, schema: Schema, found: Unmappable[]): void {
  for (const delta of text.toDelta() as { insert: unknown; attributes?: Record<string, unknown> }[]) {
    const marks: Mark[] = []
    for (const [attribute, attrs] of Object.entries(delta.attributes ?? {})) {
      try {
        marks.push(schema.mark(markName(attribute), attrs as Record<string, unknown> | null))
      } catch {
        found.push({ kind: 'mark', name: markName(attribute) })
      }
    }
    try {
      schema.text(delta.insert as string, marks)
    } catch {
      found.push({ kind: 'text', name: typeof delta.insert })
    }
  }
}

/** Mirrors y-prosemirror's createNodeFromYElement, collecting failures instead of deleting. */
function checkElement(element: Y.XmlElement, schema: Schema, found: Unmappable[]): PMNode | null {
  const children: PMNode[] = []
  for (const child of element.toArray()) {
    if (child instanceof Y.XmlElement) {
      const node = checkElement(child, schema, found)
      if (node) children.push(node)
    } else if (child instanceof Y.XmlText) {
      checkText(child, schema, found)
    }
  }
  try {
    return schema.node(element.nodeName, element.getAttributes(), children)
  } catch {
    found.push({ kind: 'node', name: element.nodeName })
    return null
  }
}

function checkType(type: Y.AbstractType<any>, schema: Schema, found: Unmappable[]): void {
  if (type instanceof Y.XmlElement) checkElement(type, schema, found)
  else if (type instanceof Y.XmlText) checkText(type, schema, found)
  else if (type instanceof Y.XmlFragment) for (const child of type.toArray()) checkType(child as Y.AbstractType<any>, schema, found)
}

/** Everything in `fragment` that y-prosemirror could not map to `schema` (empty: safe to bind). */
export function findUnmappable(fragment: Y.XmlFragment, schema: Schema): Unmappable[] {
  const found: Unmappable[] = []
  checkType(fragment, schema, found)
  return found
}

function isInside(type: Y.AbstractType<any>, root: Y.AbstractType<any>): boolean {
  let current: Y.AbstractType<any> | null = type
  while (current) {
    if (current === root) return true
    const parent: unknown = current._item?.parent
    current = parent instanceof Y.AbstractType ? (parent as Y.AbstractType<any>) : null
  }
  return false
}

function insertedIn(type: Y.AbstractType<any>, transaction: Y.Transaction): boolean {
  const item = type._item
  return item !== null && item.id.clock >= (transaction.beforeState.get(item.id.client) ?? 0)
}

/**
 * What a transaction added to `fragment` that `schema` cannot map. Only looks at what changed:
 * new children (deeply) of changed containers, and changed texts (formatting), so a large note
 * costs a walk over the changed container's children, not a re-read of the whole note.
 */
export function findUnmappableChanges(fragment: Y.XmlFragment, schema: Schema, transaction: Y.Transaction): Unmappable[] {
  const found: Unmappable[] = []
  for (const type of transaction.changed.keys()) {
    if (!isInside(type, fragment)) continue
    if (type instanceof Y.XmlText) checkText(type, schema, found)
    else if (type instanceof Y.XmlFragment || type instanceof Y.XmlElement) {
      for (const child of type.toArray()) if (insertedIn(child as Y.AbstractType<any>, transaction)) checkType(child as Y.AbstractType<any>, schema, found)
      if (type instanceof Y.XmlElement) checkElement(type, schema, found)
    }
  }
  return found
}

/**
 * Watches one note's doc. `blocked` holds what could not be mapped (null while all is mappable).
 * Once blocked it stays blocked for the life of the doc; `onBlock` listeners run synchronously
 * inside the offending transaction, before any observer (y-prosemirror's included) sees it, so an
 * open editor can be unbound in time.
 */
export class SchemaGuard {
  readonly blocked: ValueStore<readonly Unmappable[] | null>
  private readonly blockListeners = new Set<() => void>()
  private readonly fragment: Y.XmlFragment

  constructor(
    private readonly doc: Y.Doc,
    private readonly schema: Schema,
    /** Transactions with this origin come from our own editor, so map by construction. */
    private readonly trustedOrigin: unknown = null,
  ) {
    this.fragment = doc.getXmlFragment(NOTE_FRAGMENT)
    const initial = findUnmappable(this.fragment, schema)
    this.blocked = new ValueStore<readonly Unmappable[] | null>(initial.length > 0 ? initial : null)
    if (initial.length === 0) doc.on('beforeObserverCalls', this.check)
  }

  /** Runs `listener` (synchronously) when the note becomes blocked. Returns an unsubscribe. */
  onBlock(listener: () => void): () => void {
    this.blockListeners.add(listener)
    return () => {
      this.blockListeners.delete(listener)
    }
  }

  private readonly check = (transaction: Y.Transaction): void => {
    if (this.trustedOrigin !== null && transaction.origin === this.trustedOrigin) return
    const found = findUnmappableChanges(this.fragment, this.schema, transaction)
    if (found.length === 0) return
    this.doc.off('beforeObserverCalls', this.check)
    this.blocked.set(found)
    for (const listener of [...this.blockListeners]) listener()
  }
}

const guards = new WeakMap<Y.Doc, SchemaGuard>()

/** The one guard of `doc` (created on first use, with the doc's current content). */
export function schemaGuardFor(doc: Y.Doc, schema: Schema, trustedOrigin: unknown = null): SchemaGuard {
  let guard = guards.get(doc)
  if (!guard) {
    guard = new SchemaGuard(doc, schema, trustedOrigin)
    guards.set(doc, guard)
  }
  return guard
}

/** The note's text, block by block, for showing it without an editor (nothing is converted). */
export function plainBlocks(fragment: Y.XmlFragment): { name: string; text: string }[] {
  const textOf = (type: unknown): string => {
    if (type instanceof Y.XmlText) return (type.toDelta() as { insert: unknown }[]).map((d) => (typeof d.insert === 'string' ? d.insert : '')).join('')
    if (type instanceof Y.XmlElement) return type.toArray().map(textOf).join(type.toArray().some((c) => c instanceof Y.XmlElement) ? '\n' : '')
    return ''
  }
  return fragment.toArray().map((child) => ({ name: child instanceof Y.XmlElement ? child.nodeName : 'text', text: textOf(child) }))
}
