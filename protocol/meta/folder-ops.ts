// The folder op kinds, one spec each (see op-spec.ts). docs/sync-rules.md is the table their
// `decide` rules implement.

import { folderOp, textConflict } from './op-spec.js'
import { applied, newFolder, rejected, setField, unchanged } from './rule-kit.js'
import type { EntityRecord, FolderRecord } from './types.js'
import { LIMITS, optionalId, text } from './validate.js'

const nameOf = (value: unknown): string => text(value, 'name', LIMITS.titleLength, false)
const quoted = (value: string): string => ` “${value}”`

export const FOLDER_OPS = {
  'folder.create': folderOp('folder.create', {
    payloadKeys: ['name', 'parentId'],
    parse: (p): { name: string; parentId: string | null } => ({ name: nameOf(p.name), parentId: optionalId(p.parentId, 'parentId') }),
    decide(op, ctx, seq, at) {
      const existing = ctx.get('folder', op.entity)
      if (existing) return existing.deleted ? rejected(existing, 'the folder was deleted') : unchanged(existing)
      const parent = op.payload.parentId === null ? null : ctx.get('folder', op.payload.parentId)
      return applied(newFolder(op.entity, { name: op.payload.name, parentId: parent && !parent.deleted ? parent.id : null }, seq, op.actor, at))
    },
    initial: (op, at) => newFolder(op.entity, op.payload, 0, op.actor, at),
    label: 'Create folder',
    detail: (p) => quoted(p.name),
  }),

  'folder.rename': folderOp('folder.rename', {
    payloadKeys: ['name'],
    parse: (p): { name: string } => ({ name: nameOf(p.name) }),
    onLive: (folder, op, ctx, seq, at) => setField(folder, 'name', op.payload.name, op, seq, at),
    preview: (folder, op) => ({ ...folder, name: op.payload.name }),
    conflict: textConflict('name', 'Folder name', 'folder name', false),
    label: 'Rename folder',
    detail: (p) => quoted(p.name),
  }),

  'folder.delete': folderOp('folder.delete', {
    payloadKeys: [],
    parse: (): Record<string, never> => ({}),
    decide(op, ctx, seq, at) {
      const folder = ctx.get('folder', op.entity)
      if (!folder || folder.type !== 'folder') return rejected(null, 'no such folder')
      if (folder.deleted) return unchanged(folder)
      // Deleting a folder never deletes what is in it: children move up to the folder's parent.
      // The move is not the children's own change, so it stamps no field and conflicts with nothing.
      const moved = ctx.childrenOf(folder.id).map((child): EntityRecord =>
        child.type === 'note' ? { ...child, folderId: folder.parentId, version: seq, updatedAt: at } : { ...child, parentId: folder.parentId, version: seq, updatedAt: at },
      )
      const gone: FolderRecord = { ...folder, deleted: true, version: seq, updatedAt: at }
      return applied(gone, [gone, ...moved])
    },
    preview: (folder) => ({ ...folder, deleted: true }),
    label: 'Delete folder',
  }),
}
