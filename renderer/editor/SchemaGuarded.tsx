import { use, useEffect, useReducer, useSyncExternalStore } from 'react'
import type { ReactNode } from 'react'
import type * as Y from 'yjs'
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
  const blocks = plainBlocks(doc.getXmlFragment('default'))
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
 * Suspends until the note's local state is loaded (the guard's first check needs the content).
 */
export function SchemaGuarded({ handle, children }: { handle: DocHandle; children: ReactNode }) {
  use(handle.whenLoaded)
  const guard = noteSchemaGuard(handle.doc)
  const blocked = useSyncExternalStore(guard.blocked.subscribe, guard.blocked.get)
  return blocked === null ? children : <ReadOnlyNote doc={handle.doc} />
}
