// The folder op kinds, one spec each (see op-spec.ts). docs/sync-rules.md is the table their
// `decide` rules implement.

import { folderOp, textConflict } from './op-spec.js'
import { applied, folderNameKey, freeFolderName, newFolder, placeIn, rejected, setField, unchanged, unusedName, type RuleContext } from './rule-kit.js'
import type { EntityRecord, FolderRecord } from './types.js'
import { LIMITS, optionalId, text } from './validate.js'

const nameOf = (value: unknown): string => text(value, 'name', LIMITS.titleLength, false)
const quoted = (value: string): string => ` “${value}”`

export const FOLDER_INSIDE_ITSELF = 'a folder cannot go inside itself'

/** True when folder `id` is `ancestor` or lies somewhere inside it. */
function isWithin(id: string, ancestor: string, ctx: RuleContext): boolean {
  const seen = new Set<string>()
  let at: string | null = id
  while (at !== null && !seen.has(at)) {
    if (at === ancestor) return true
    seen.add(at)
    const folder = ctx.get('folder', at)
    at = folder?.type === 'folder' ? folder.parentId : null
  }
  return false
}

export const FOLDER_OPS = {
  'folder.create': folderOp('folder.create', {
    payloadKeys: ['name', 'parentId'],
    parse: (p): { name: string; parentId: string | null } => ({ name: nameOf(p.name), parentId: optionalId(p.parentId, 'parentId') }),
    decide(op, ctx, seq, at) {
      const existing = ctx.get('folder', op.entity)
      if (existing) return existing.deleted ? rejected(existing, 'the folder was deleted') : unchanged(existing)
      const parent = op.payload.parentId === null ? null : ctx.get('folder', op.payload.parentId)
      const parentId = parent && !parent.deleted ? parent.id : null
      return applied(newFolder(op.entity, { name: freeFolderName(op.payload.name, parentId, op.entity, ctx), parentId }, seq, op.actor, at))
    },
    initial: (op, at) => newFolder(op.entity, op.payload, 0, op.actor, at),
    label: 'Create folder',
    detail: (p) => quoted(p.name),
  }),

  'folder.rename': folderOp('folder.rename', {
    payloadKeys: ['name'],
    parse: (p): { name: string } => ({ name: nameOf(p.name) }),
    // A name a sibling has already gets a suffix here too: the relay never holds two alike.
    onLive: (folder, op, ctx, seq, at) => setField(folder, 'name', freeFolderName(op.payload.name, folder.parentId, folder.id, ctx), op, seq, at),
    preview: (folder, op) => ({ ...folder, name: op.payload.name }),
    conflict: textConflict('name', 'Folder name', 'folder name', false),
    label: 'Rename folder',
    detail: (p) => quoted(p.name),
  }),

  'folder.move': folderOp('folder.move', {
    payloadKeys: ['parentId'],
    parse: (p): { parentId: string | null } => ({ parentId: optionalId(p.parentId, 'parentId') }),
    onLive(folder, op, ctx, seq, at) {
      // Into a folder deleted meanwhile: Recovered, as for notes.
      const place = placeIn(op.payload.parentId, ctx, seq, at)
      // Checked on the records in server order, so of two offline moves that together would make
      // a cycle (A into B, B into A) the second is refused here, whatever the devices saw.
      if (place.folderId !== null && isWithin(place.folderId, folder.id, ctx)) return rejected(folder, FOLDER_INSIDE_ITSELF)
      const decision = setField(folder, 'parentId', place.folderId, op, seq, at)
      if (decision.status !== 'applied' || decision.writes.length === 0) return decision
      const moved = decision.record as FolderRecord
      // The relay's own renaming to keep names unique in the new parent: not the user's rename, so unstamped.
      const name = freeFolderName(moved.name, moved.parentId, moved.id, ctx)
      const record: FolderRecord = name === moved.name ? moved : { ...moved, name }
      return applied(record, [...place.extra, record], place.recovered ? 'the folder it was moved into was deleted meanwhile; it is in Recovered' : undefined)
    },
    preview: (folder, op) => ({ ...folder, parentId: op.payload.parentId }),
    conflict: {
      name: 'parentId',
      label: 'Parent folder',
      typed: false,
      show: (value, lookup) => (value === null ? 'Top level' : (lookup.folderName(value) ?? 'a deleted folder')),
      settle: (parentId) => ({ parentId }),
    },
    label: 'Move folder',
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
      // A subfolder whose name its new siblings have already gets a suffix, in id order.
      const taken = new Set(ctx.foldersIn(folder.parentId).filter((f) => f.id !== folder.id).map((f) => folderNameKey(f.name)))
      const moved = ctx.childrenOf(folder.id).map((child): EntityRecord => {
        if (child.type === 'note') return { ...child, folderId: folder.parentId, version: seq, updatedAt: at }
        const name = unusedName(child.name, taken)
        taken.add(folderNameKey(name))
        return { ...child, name, parentId: folder.parentId, version: seq, updatedAt: at }
      })
      const gone: FolderRecord = { ...folder, deleted: true, version: seq, updatedAt: at }
      return applied(gone, [gone, ...moved])
    },
    preview: (folder) => ({ ...folder, deleted: true }),
    label: 'Delete folder',
  }),
}
