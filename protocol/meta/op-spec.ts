// What one op kind is, as one plain object (in the manner of ProseMirror's node specs): how its
// payload is read from untrusted JSON, the relay's rule for it, the device's preview of it, the
// field it touches, how people see it, and how a conflict on its field is shown and settled.
// The registry is `op-specs.ts`; everything else reads specs instead of switching on kinds.

import type { ConflictFieldOf, Decision, RuleContext } from './rule-kit.js'
import type { Actor, EntityRecord, FolderRecord, NoteRecord } from './types.js'
import { fail, LIMITS, userText, type Json } from './validate.js'
import { UNTITLED } from '../notes.js'

/** An op of kind `K` with payload `P`, as it travels (the wire format of POST /v1/ops). */
export type OpOf<K extends string, P> = {
  readonly opId: string
  readonly kind: K
  /** The note or folder id. */
  readonly entity: string
  /**
   * The seq of the field this op changes, as the sender last knew it (0 when it knew none). A
   * field changed since then by someone else makes the op a conflict, where the rules say so.
   */
  readonly baseVersion: number
  readonly actor: Actor
  readonly payload: P
}

/** What the review of a conflict can look up to show a value. */
export interface ReviewLookup {
  /** A live folder's name; undefined when there is no such folder (any more). */
  folderName(id: string): string | undefined
}

/**
 * A conflict-checked field (setField in rule-kit.ts) and how its conflicts are reviewed. The
 * field's name is the record property, its stamp in `fields` and its entry in `conflicts`.
 */
export interface ConflictSpec<F extends string, P> {
  readonly name: F
  /** The review's heading for the field, e.g. 'Title'. */
  readonly label: string
  /** The review offers to type a new value besides the candidates. */
  readonly typed: boolean
  /** A candidate value as the review shows it (inside quotes). */
  show(value: string | null, lookup: ReviewLookup): string
  /**
   * The payload of this spec's op that sets the field to `value` ("Keep mine", "Keep theirs" or a
   * typed value), cleaned as the app cleans what the user types. Throws OpParseError when the
   * field cannot hold it.
   */
  settle(value: string | null): P
}

/** Which field of its entity an op changes: ops of one entity on the same field chain (outbox.ts). */
export interface FieldSpec<P, R extends EntityRecord> {
  key(payload: P): string
  /** The base version the op carries; the record's version when absent. */
  base?(record: R, payload: P): number
}

export interface OpSpec<K extends string, P, R extends EntityRecord, F extends string = never> {
  readonly kind: K
  readonly entityType: R['type']
  /** The payload's fields; any other is refused. */
  readonly payloadKeys: readonly string[]
  /**
   * The payload from untrusted JSON (an object with no other keys); throws OpParseError with the
   * first problem. Its return type, written out, is the payload's wire type (`OpPayloads`).
   */
  parse(payload: Json): P
  /**
   * The relay's rule for an op on a live entity, given the records as they stand in server order
   * (the op's base is already checked). An op on an entity that is missing or deleted is rejected
   * without asking it. A spec has this or `decide`.
   */
  onLive?(record: R, op: OpOf<K, P>, ctx: RuleContext, seq: number, at: number): Decision
  /** The whole rule, for an op that itself decides what a missing or deleted entity means (creates, deletes). */
  decide?(op: OpOf<K, P>, ctx: RuleContext, seq: number, at: number): Decision
  /**
   * For an op that creates its entity: the entity as the device shows it before the relay has
   * it (versions 0). An entity that exists already is shown unchanged. Ops with `initial` are
   * creates: later ops on the entity are rebased on their landing.
   */
  initial?(op: OpOf<K, P>, at: number): R
  /** The device's preview of its own pending op: the change it asks for, without the relay's checks. Absent: none. */
  preview?(record: R, op: OpOf<K, P>, at: number): R
  /** The field the op changes, when it is not a conflict-checked one. */
  readonly field?: FieldSpec<P, R>
  /** The conflict-checked field the op sets. */
  readonly conflict?: ConflictSpec<F, P>
  /** The op deletes the note for good: this device erases its content at once. */
  readonly erasesContent?: boolean
  /** What Sync details calls the op, e.g. 'Rename note'. */
  readonly label: string
  /** What follows the label, e.g. ' to “Plan”'. */
  detail?(payload: P): string
}

/** A note op's spec; `F` must be a conflict-checked field of notes. */
export const noteOp = <K extends `note.${string}`, P, F extends ConflictFieldOf<NoteRecord> = never>(kind: K, spec: Omit<OpSpec<K, P, NoteRecord, F>, 'kind' | 'entityType'>): OpSpec<K, P, NoteRecord, F> => ({
  kind,
  entityType: 'note',
  ...spec,
})

/** A folder op's spec; `F` must be a conflict-checked field of folders. */
export const folderOp = <K extends `folder.${string}`, P, F extends ConflictFieldOf<FolderRecord> = never>(kind: K, spec: Omit<OpSpec<K, P, FolderRecord, F>, 'kind' | 'entityType'>): OpSpec<K, P, FolderRecord, F> => ({
  kind,
  entityType: 'folder',
  ...spec,
})

/** Payload `P` of a spec. */
export type PayloadOf<S> = S extends { parse(payload: Json): infer P } ? P : never

/**
 * The conflict review of a text field set by a payload of the same name (a title, a name): values
 * shown as written ('Untitled' when empty), a new one can be typed, and the chosen one is cleaned
 * as the app cleans typing.
 */
export function textConflict<F extends string>(name: F, label: string, what: string, allowEmpty: boolean): ConflictSpec<F, Record<F, string>> {
  return {
    name,
    label,
    typed: true,
    show: (value) => (value === '' || value === null ? UNTITLED : value),
    settle(value) {
      if (value === null && !allowEmpty) fail(`${what} must not be empty`)
      return { [name]: userText(value ?? '', what, LIMITS.titleLength, allowEmpty) } as Record<F, string>
    },
  }
}
