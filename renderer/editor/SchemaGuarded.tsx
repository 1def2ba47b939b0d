import { useEffect, useReducer, useState, useSyncExternalStore } from 'react'
import type { ReactNode } from 'react'
import type * as Y from 'yjs'
import { NOTE_FRAGMENT } from '../../protocol/notes'
import type { DocHandle } from '../sync/doc-registry'
import { noteSchemaGuard } from './schema-guard-extension'
import { plainBlocks } from './schema-guard'

/** Re-renders on every change to `doc` (cheap enough: only blocked notes are shown this way). */
function useDocChanges(doc: Y.Doc): void {
  const [, bump] = useReducer((n: number) => n + 1, 0)
  useEffect(() => {
    doc.on('update', bump)
    return () => doc.off('update', bump)
  }, [doc])
}

function ReadOnlyNote({ doc }: { doc: Y.Doc }) {
  useDocChanges(doc)
  const blocks = plainBlocks(doc.getXmlFragment(NOTE_FRAGMENT))
  return (
    <>
      <div className="banner attention" role="alert" aria-label="Read-only notice">
        <span>This note uses features from a newer version of Skein; it is shown read-only so nothing is lost.</span>
      </div>
      <div className="editor-scroll">
        <div className="editor readonly-note" aria-label="Note content (read-only)" aria-readonly="true">
          {blocks.map((block, index) => (
            <p key={index} className="readonly-block" data-node={block.name}>
              {block.text || ' '}
            </p>
          ))}
        </div>
      </div>
    </>
  )
}

/**
 * Shows `children` (the note's editor) only while everything in the note maps to this editor's
 * schema; otherwise a read-only view, so y-prosemirror never deletes what it does not know.
 * Shows a placeholder until the note's local state is loaded (the guard's first check needs it).
 */
export function SchemaGuarded({ handle, children }: { handle: DocHandle; children: ReactNode }) {
  const loaded = useLoaded(handle.whenLoaded)
  return loaded ? <Guarded handle={handle}>{children}</Guarded> : <div className="editor-loading" aria-busy="true" aria-label="Loading note" />
}

function Guarded({ handle, children }: { handle: DocHandle; children: ReactNode }) {
  const guard = noteSchemaGuard(handle.doc)
  const blocked = useSyncExternalStore(guard.blocked.subscribe, guard.blocked.get)
  return blocked === null ? children : <ReadOnlyNote doc={handle.doc} />
}

/**
 * Waits for `promise` without suspending. A Suspense fallback, once shown, stays up for at least
 * React's fallback throttle (300 ms) however fast the note loads (IndexedDB takes ~10 ms even
 * for a long note), so this shows its own placeholder instead. Once settled, the promise is
 * marked the way React's `use` reads a settled thenable, so the editor's `use` does not suspend.
 */
function useLoaded(promise: Promise<void>): boolean {
  const settled = promise as Promise<void> & { status?: string; value?: unknown }
  const [loaded, setLoaded] = useState(settled.status === 'fulfilled')
  useEffect(() => {
    let live = true
    void promise.then(() => {
      Object.assign(settled, { status: 'fulfilled', value: undefined })
      if (live) setLoaded(true)
    })
    return () => {
      live = false
    }
  }, [promise, settled])
  return loaded
}
