// The note op kinds, one spec each (see op-spec.ts). docs/sync-rules.md is the table their
// `decide` rules implement; tests/unit/meta-rules.test.ts has one test per row.

import { noteOp, textConflict } from './op-spec.js'
import { applied, newNote, placeIn, RECOVERED_REASON, rejected, setField, touch, unchanged } from './rule-kit.js'
import { unionSnapshots } from './snapshots.js'
import { fail, LIMITS, optionalId, snapshot, text } from './validate.js'

const quoted = (value: string): string => ` “${value}”`

const tagOf = (value: unknown): string => text(value, 'tag', LIMITS.tagLength, false)

export const NOTE_OPS = {
  'note.create': noteOp('note.create', {
    payloadKeys: ['title', 'folderId', 'tags'],
    parse(p): { title: string; folderId: string | null; tags: string[] } {
      if (!Array.isArray(p.tags) || p.tags.length > LIMITS.tagsPerNote) fail(`tags must be an array of at most ${LIMITS.tagsPerNote}`)
      const tags = [...new Set(p.tags.map(tagOf))].sort()
      return { title: text(p.title, 'title', LIMITS.titleLength, true), folderId: optionalId(p.folderId, 'folderId'), tags }
    },
    decide(op, ctx, seq, at) {
      const existing = ctx.get('note', op.entity)
      // Idempotent by note id: a second create (another op id, e.g. from a migration) changes nothing.
      if (existing) return existing.deleted ? rejected(existing, 'the note was deleted forever') : unchanged(existing)
      const place = placeIn(op.payload.folderId, ctx, seq, at)
      const note = newNote(op.entity, { ...op.payload, folderId: place.folderId }, seq, op.actor, at)
      return applied(note, [...place.extra, note], place.recovered ? RECOVERED_REASON : undefined)
    },
    initial: (op, at) => ({ ...newNote(op.entity, op.payload, 0, op.actor, at) }),
    label: 'Create note',
  }),

  'note.rename': noteOp('note.rename', {
    payloadKeys: ['title'],
    parse: (p): { title: string } => ({ title: text(p.title, 'title', LIMITS.titleLength, true) }),
    onLive: (note, op, ctx, seq, at) => setField(note, 'title', op.payload.title, op, seq, at),
    preview: (note, op) => ({ ...note, title: op.payload.title }),
    conflict: textConflict('title', 'Title', 'title', true),
    label: 'Rename note',
    detail: (p) => ` to “${p.title}”`,
  }),

  'note.move': noteOp('note.move', {
    payloadKeys: ['folderId'],
    parse: (p): { folderId: string | null } => ({ folderId: optionalId(p.folderId, 'folderId') }),
    onLive(note, op, ctx, seq, at) {
      const place = placeIn(op.payload.folderId, ctx, seq, at)
      const decision = setField(note, 'folderId', place.folderId, op, seq, at)
      if (decision.status !== 'applied' || !place.recovered) return decision
      return applied(decision.record!, [...place.extra, ...decision.writes], RECOVERED_REASON)
    },
    preview: (note, op) => ({ ...note, folderId: op.payload.folderId }),
    conflict: {
      name: 'folderId',
      label: 'Folder',
      typed: false,
      show: (value, lookup) => (value === null ? 'No folder' : (lookup.folderName(value) ?? 'a deleted folder')),
      settle: (folderId) => ({ folderId }),
    },
    label: 'Move note',
  }),

  'note.tag': noteOp('note.tag', {
    payloadKeys: ['tag'],
    parse: (p): { tag: string } => ({ tag: tagOf(p.tag) }),
    onLive(note, op, ctx, seq, at) {
      const tag = op.payload.tag
      if (note.tags.includes(tag)) return unchanged(note)
      return applied(touch(note, { tags: [...note.tags, tag].sort(), tagAdded: { ...note.tagAdded, [tag]: seq } }, seq, at))
    },
    preview: (note, op) => (note.tags.includes(op.payload.tag) ? note : { ...note, tags: [...note.tags, op.payload.tag].sort() }),
    // Adding and removing one tag chain: a removal after our own addition builds on it.
    field: { key: (p) => `tag:${p.tag}` },
    label: 'Add tag',
    detail: (p) => quoted(p.tag),
  }),

  'note.untag': noteOp('note.untag', {
    payloadKeys: ['tag'],
    parse: (p): { tag: string } => ({ tag: tagOf(p.tag) }),
    onLive(note, op, ctx, seq, at) {
      const tag = op.payload.tag
      if (!note.tags.includes(tag)) return unchanged(note)
      // Add wins: a removal only takes away the addition its sender had seen.
      if ((note.tagAdded[tag] ?? 0) > op.baseVersion) return unchanged(note, 'the tag was added again elsewhere; adding wins')
      const tagAdded = { ...note.tagAdded }
      delete tagAdded[tag]
      return applied(touch(note, { tags: note.tags.filter((t) => t !== tag), tagAdded }, seq, at))
    },
    preview: (note, op) => ({ ...note, tags: note.tags.filter((t) => t !== op.payload.tag) }),
    field: { key: (p) => `tag:${p.tag}`, base: (note, p) => note.tagAdded[p.tag] ?? note.version },
    label: 'Remove tag',
    detail: (p) => quoted(p.tag),
  }),

  'note.pin': noteOp('note.pin', {
    payloadKeys: ['pinned'],
    parse(p): { pinned: boolean } {
      if (typeof p.pinned !== 'boolean') fail('pinned must be a boolean')
      return { pinned: p.pinned }
    },
    onLive: (note, op, ctx, seq, at) => (note.pinned === op.payload.pinned ? unchanged(note) : applied(touch(note, { pinned: op.payload.pinned }, seq, at))),
    preview: (note, op) => ({ ...note, pinned: op.payload.pinned }),
    label: 'Pin or unpin',
  }),

  'note.trash': noteOp('note.trash', {
    payloadKeys: ['snapshot'],
    parse: (p): { snapshot: string } => ({ snapshot: snapshot(p.snapshot) }),
    // Trashing twice keeps what both trashing devices saw, so neither one's view is forgotten.
    onLive: (note, op, ctx, seq, at) => applied(touch(note, { trashed: true, trashSnapshot: unionSnapshots(note.trashed ? note.trashSnapshot : null, op.payload.snapshot), notice: null }, seq, at)),
    preview: (note) => ({ ...note, trashed: true }),
    label: 'Move to trash',
  }),

  'note.restore': noteOp('note.restore', {
    payloadKeys: [],
    parse: (): Record<string, never> => ({}),
    onLive: (note, op, ctx, seq, at) => (note.trashed ? applied(touch(note, { trashed: false, trashSnapshot: null, notice: null }, seq, at)) : unchanged(note)),
    preview: (note) => ({ ...note, trashed: false, notice: null }),
    label: 'Restore from trash',
  }),

  'note.delete': noteOp('note.delete', {
    payloadKeys: ['snapshot'],
    parse: (p): { snapshot: string } => ({ snapshot: snapshot(p.snapshot) }),
    onLive(note, op, ctx, seq, at) {
      if (!note.trashed) return rejected(note, 'the note was restored elsewhere; it is not in the trash')
      const seen = unionSnapshots(note.trashSnapshot, op.payload.snapshot)
      if (ctx.hasUnseenContent(note.id, seen)) {
        const back = touch(note, { trashed: false, trashSnapshot: null, notice: 'Restored: it had edits the deleting device had not seen' }, seq, at)
        return rejected(back, 'the note has edits you had not seen; it is back in the notes list', [back])
      }
      return applied(touch(note, { deleted: true, trashSnapshot: seen }, seq, at))
    },
    preview: (note) => ({ ...note, deleted: true }),
    erasesContent: true,
    label: 'Delete forever',
  }),
}
