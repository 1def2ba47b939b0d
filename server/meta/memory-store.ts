import { liveFoldersIn } from '../../protocol/meta/rule-kit.js'
import type { ChangesResponse, EntityRecord, EntityType, FeedEntry, MetaOp, NoteRecord, OpResult } from '../../protocol/meta/types.js'
import type { NoteRef } from '../room-id.js'
import { answerOf, duplicateOf, firstAnswer, type ContentChange, type DecideOp, type MetaStorage, type NoteState, type PurgeDecision, type PurgedState, type RecordReader, type StoredAnswer } from './storage.js'

interface Entity {
  type: EntityType
  id: string
  record: EntityRecord | null
  contentSeq: number
  seq: number
}

interface Workspace {
  seq: number
  entities: Map<string, Entity>
  /** Op id → its first answer (without the record, which is read when repeated). */
  ops: Map<string, StoredAnswer>
  purges: Map<string, { state: PurgedState; roomsDone: boolean }>
}

const entityKey = (type: EntityType, id: string): string => `${type}:${id}`
/** Records are stored as JSON, as SQLite stores them: callers never share objects with the store. */
const copy = <T>(value: T): T => structuredClone(value)

/**
 * Metadata in memory, for embedders and tests: nothing survives the process. It behaves like a
 * storage whose transactions are async: calls on a workspace wait for the one before (a lock
 * per workspace), and each transaction yields to the event loop between deciding and committing,
 * as a networked database would. Its writes are applied together at commit, so readers see a
 * transaction whole or not at all.
 */
export class MemoryMetaStorage implements MetaStorage {
  private readonly workspaces = new Map<string, Workspace>()
  private readonly locks = new Map<string, Promise<void>>()
  private cursor: number | null = null
  private closed = false

  async applyOps(workspace: string, ops: readonly MetaOp[], decide: DecideOp): Promise<OpResult[]> {
    return this.transact([workspace], (tx) => {
      const ws = tx.workspace(workspace)
      return ops.map((op): OpResult => {
        const first = ws.ops.get(op.opId)
        if (first) return duplicateOf(op, first, tx.reader(workspace).get(first.type, first.entity) ?? null)
        const seq = tx.seq(workspace) + 1
        const decision = decide(op, tx.reader(workspace), seq)
        const wrote = decision.writes.length > 0
        if (wrote) {
          tx.setSeq(workspace, seq)
          for (const record of decision.writes) tx.writeRecord(workspace, record)
        }
        const result = firstAnswer(op, decision, wrote ? seq : null)
        tx.putOp(workspace, op.opId, result)
        return answerOf(op, result, copy(decision.record))
      })
    })
  }

  async recordContentChanges(changes: readonly ContentChange[]): Promise<(number | null)[]> {
    return this.transact(
      changes.map((c) => c.note.workspace),
      (tx) =>
        changes.map(({ note, decide }) => {
          const seq = tx.seq(note.workspace) + 1
          const decision = decide(tx.noteState(note), seq)
          if (decision === null) return null
          tx.setSeq(note.workspace, seq)
          if (decision.record) tx.writeRecord(note.workspace, decision.record)
          if (decision.endPurge) tx.endPurge(note)
          tx.bumpContent(note, seq)
          return seq
        }),
    )
  }

  async changes(workspace: string, since: number, limit: number): Promise<ChangesResponse> {
    this.assertOpen()
    const all = [...(this.workspaces.get(workspace)?.entities.values() ?? [])]
      .filter((e) => e.seq > since)
      .sort((a, b) => a.seq - b.seq || (a.type < b.type ? -1 : a.type > b.type ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    if (all.length === 0) return { entries: [], cursor: since, more: false }
    const cut = all.length > limit ? all[limit - 1]!.seq : all[all.length - 1]!.seq
    const entries = all.filter((e) => e.seq <= cut).map((e): FeedEntry => ({ type: e.type, id: e.id, record: copy(e.record), contentSeq: e.contentSeq, seq: e.seq }))
    return { entries, cursor: cut, more: all.some((e) => e.seq > cut) }
  }

  async latestSeq(workspace: string): Promise<number> {
    this.assertOpen()
    let latest = 0
    for (const e of this.workspaces.get(workspace)?.entities.values() ?? []) latest = Math.max(latest, e.seq)
    return latest
  }

  async notesToPurge(cutoff: number, limit: number): Promise<NoteRef[]> {
    this.assertOpen()
    const due: { note: NoteRef; at: number }[] = []
    for (const [workspace, ws] of this.workspaces) {
      for (const e of ws.entities.values()) {
        const at = dueAt(e.record, ws.purges.has(e.id))
        if (at !== null && at <= cutoff) due.push({ note: { workspace, noteId: e.id }, at })
      }
    }
    return due
      .sort((a, b) => a.at - b.at)
      .slice(0, limit)
      .map((d) => d.note)
  }

  async beginPurge(note: NoteRef, decide: (note: NoteState, seq: number) => PurgeDecision): Promise<PurgeDecision['kind']> {
    return this.transact([note.workspace], (tx) => {
      const seq = tx.seq(note.workspace) + 1
      const decision = decide(tx.noteState(note), seq)
      if (decision.kind === 'skip') return 'skip'
      tx.setSeq(note.workspace, seq)
      if (decision.kind === 'restored') {
        tx.writeRecord(note.workspace, decision.record)
        tx.bumpContent(note, seq)
      } else {
        tx.writeRecord(note.workspace, decision.tombstone)
        tx.startPurge(note, decision.purged)
      }
      return decision.kind
    })
  }

  async roomsPurged(notes: readonly NoteRef[]): Promise<void> {
    await this.transact(
      notes.map((n) => n.workspace),
      (tx) => notes.forEach((n) => tx.purgeDone(n)),
    )
  }

  async unfinishedPurges(): Promise<NoteRef[]> {
    this.assertOpen()
    const notes: NoteRef[] = []
    for (const [workspace, ws] of this.workspaces) for (const [noteId, p] of ws.purges) if (!p.roomsDone) notes.push({ workspace, noteId })
    return notes
  }

  async purgedState({ workspace, noteId }: NoteRef): Promise<PurgedState | null> {
    this.assertOpen()
    return copy(this.workspaces.get(workspace)?.purges.get(noteId)?.state ?? null)
  }

  async afterPurge(): Promise<void> {
    this.assertOpen()
  }

  async contentCursor(): Promise<number | null> {
    this.assertOpen()
    return this.cursor
  }

  async setContentCursor(entry: number, { exact = false } = {}): Promise<void> {
    this.assertOpen()
    this.cursor = exact || this.cursor === null ? entry : Math.max(this.cursor, entry)
  }

  async checkWritable(): Promise<void> {
    this.assertOpen()
  }

  async close(): Promise<void> {
    await Promise.all(this.locks.values())
    this.closed = true
  }

  /**
   * Runs `work` as one transaction on these workspaces: locks them (in name order, so two
   * transactions never wait for each other), runs `work` on a buffer of writes, yields (the
   * commit's round trip), then applies the buffer, unless `work` threw.
   */
  private async transact<T>(workspaces: readonly string[], work: (tx: Transaction) => T): Promise<T> {
    this.assertOpen()
    const names = [...new Set(workspaces)].sort()
    const release: (() => void)[] = []
    for (const name of names) {
      const before = this.locks.get(name) ?? Promise.resolve()
      const held = new Promise<void>((resolve) => release.push(resolve))
      const mine = before.then(() => held)
      this.locks.set(name, mine)
      await before
      void mine.then(() => {
        if (this.locks.get(name) === mine) this.locks.delete(name)
      })
    }
    try {
      const tx = new Transaction((name) => this.workspaceOf(name))
      const result = work(tx)
      // The commit's round trip: other calls run meanwhile, and only the locks keep them out.
      await new Promise<void>((resolve) => setImmediate(resolve))
      this.assertOpen()
      tx.commit()
      return result
    } finally {
      for (const done of release) done()
    }
  }

  private workspaceOf(name: string): Workspace {
    let ws = this.workspaces.get(name)
    if (!ws) this.workspaces.set(name, (ws = { seq: 0, entities: new Map(), ops: new Map(), purges: new Map() }))
    return ws
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('MemoryMetaStorage: used after close()')
  }
}

/** When a note deleted forever becomes due for purging; null when it is not deleted, or purged. */
function dueAt(record: EntityRecord | null, purged: boolean): number | null {
  return record?.type === 'note' && record.deleted && !purged ? record.updatedAt : null
}

/** Reads see the transaction's own writes; nothing reaches the workspaces before `commit`. */
class Transaction {
  private readonly seqs = new Map<string, number>()
  private readonly entities = new Map<string, Map<string, Entity>>()
  private readonly ops: (() => void)[] = []

  constructor(readonly workspace: (name: string) => Workspace) {}

  seq(workspace: string): number {
    return this.seqs.get(workspace) ?? this.workspace(workspace).seq
  }

  setSeq(workspace: string, seq: number): void {
    this.seqs.set(workspace, seq)
  }

  reader(workspace: string): RecordReader {
    return {
      get: (type, id) => copy(this.entity(workspace, type, id)?.record ?? undefined),
      childrenOf: (folderId) =>
        this.allEntities(workspace)
          .filter((e) => e.record && !e.record.deleted && (e.record.type === 'note' ? e.record.folderId : e.record.parentId) === folderId)
          .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
          .map((e) => copy(e.record!)),
      foldersIn: (parentId) => liveFoldersIn(this.allEntities(workspace).flatMap((e) => (e.record ? [e.record] : [])), parentId).map(copy),
    }
  }

  noteState(note: NoteRef): NoteState {
    const record = this.entity(note.workspace, 'note', note.noteId)?.record ?? null
    const purge = this.workspace(note.workspace).purges.get(note.noteId)
    return { record: copy(record as NoteRecord | null), purged: purge ? copy(purge.state) : null }
  }

  writeRecord(workspace: string, record: EntityRecord): void {
    const current = this.entity(workspace, record.type, record.id)
    // A record write keeps the content seq; the feed position is whichever is newer.
    this.put(workspace, { type: record.type, id: record.id, record: copy(record), contentSeq: current?.contentSeq ?? 0, seq: Math.max(record.version, current?.contentSeq ?? 0) })
  }

  bumpContent(note: NoteRef, seq: number): void {
    const current = this.entity(note.workspace, 'note', note.noteId)
    this.put(note.workspace, { type: 'note', id: note.noteId, record: current?.record ?? null, contentSeq: seq, seq })
  }

  putOp(workspace: string, opId: string, answer: Workspace['ops'] extends Map<string, infer A> ? A : never): void {
    this.ops.push(() => this.workspace(workspace).ops.set(opId, answer))
  }

  startPurge(note: NoteRef, state: PurgedState): void {
    this.ops.push(() => this.workspace(note.workspace).purges.set(note.noteId, { state: copy(state), roomsDone: false }))
  }

  endPurge(note: NoteRef): void {
    this.ops.push(() => this.workspace(note.workspace).purges.delete(note.noteId))
  }

  purgeDone(note: NoteRef): void {
    this.ops.push(() => {
      const purge = this.workspace(note.workspace).purges.get(note.noteId)
      if (purge) purge.roomsDone = true
    })
  }

  commit(): void {
    for (const [workspace, seq] of this.seqs) this.workspace(workspace).seq = seq
    for (const [workspace, entities] of this.entities) for (const [key, e] of entities) this.workspace(workspace).entities.set(key, e)
    for (const op of this.ops) op()
  }

  private entity(workspace: string, type: EntityType, id: string): Entity | undefined {
    const key = entityKey(type, id)
    return this.entities.get(workspace)?.get(key) ?? this.workspace(workspace).entities.get(key)
  }

  private allEntities(workspace: string): Entity[] {
    const merged = new Map(this.workspace(workspace).entities)
    for (const [key, e] of this.entities.get(workspace) ?? []) merged.set(key, e)
    return [...merged.values()]
  }

  private put(workspace: string, entity: Entity): void {
    let map = this.entities.get(workspace)
    if (!map) this.entities.set(workspace, (map = new Map()))
    map.set(entityKey(entity.type, entity.id), entity)
  }
}
