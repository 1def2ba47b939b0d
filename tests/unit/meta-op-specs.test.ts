import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { conflictSpecOf, OP_KINDS, OP_SPECS, specOf } from '../../protocol/meta/op-specs'
import { OpParseError } from '../../protocol/meta/parse'
import { MALFORMED_OPS, RULES_SCRIPT, runRulesScript } from '../fixtures/meta-records-v0/rules-script'

const GOLDEN = new URL('../fixtures/meta-records-v0/rules-golden.json', import.meta.url)

describe('op specs', () => {
  it('answer every scripted op exactly as the rules did before the specs, byte for byte', () => {
    // The golden file was written by the code before op kinds became specs (capture-rules.ts):
    // parsing, decisions, previews, base versions, field keys, labels and rebases are unchanged.
    const now = JSON.stringify(runRulesScript(RULES_SCRIPT, MALFORMED_OPS), null, 1) + '\n'
    expect(now).toBe(readFileSync(GOLDEN, 'utf8'))
  })

  it('are registered under their own kind and entity type', () => {
    expect(OP_KINDS).toEqual(Object.keys(OP_SPECS))
    for (const kind of OP_KINDS) expect(kind.startsWith(`${specOf(kind).entityType}.`) && specOf(kind).kind === kind).toBe(true)
    expect(() => specOf('note.fly')).toThrow('no op spec for kind "note.fly"')
  })

  it('name the op that settles a conflict on each conflict-checked field', () => {
    expect(conflictSpecOf('note', 'title')?.kind).toBe('note.rename')
    expect(conflictSpecOf('note', 'folderId')?.kind).toBe('note.move')
    expect(conflictSpecOf('folder', 'name')?.kind).toBe('folder.rename')
    expect(conflictSpecOf('folder', 'title')).toBeUndefined()
  })

  it('settle a conflict with the value cleaned as typed, and refuse a value the field cannot hold', () => {
    expect(conflictSpecOf('note', 'title')!.conflict!.settle('  Plan   B ')).toEqual({ title: 'Plan B' })
    expect(conflictSpecOf('note', 'title')!.conflict!.settle(null)).toEqual({ title: '' })
    expect(conflictSpecOf('note', 'folderId')!.conflict!.settle(null)).toEqual({ folderId: null })
    expect(() => conflictSpecOf('folder', 'name')!.conflict!.settle(' ')).toThrow(OpParseError)
    expect(() => conflictSpecOf('folder', 'name')!.conflict!.settle(null)).toThrow('folder name must not be empty')
  })

  it('show conflicting values as the review dialog words them', () => {
    const lookup = { folderName: (id: string) => (id === 'f1' ? 'Work' : undefined) }
    const show = (type: 'note' | 'folder', field: string, value: string | null) => conflictSpecOf(type, field)!.conflict!.show(value, lookup)
    expect([show('note', 'title', ''), show('note', 'title', 'Plan'), show('folder', 'name', 'Work')]).toEqual(['Untitled', 'Plan', 'Work'])
    expect([show('note', 'folderId', null), show('note', 'folderId', 'f1'), show('note', 'folderId', 'gone')]).toEqual(['No folder', 'Work', 'a deleted folder'])
  })
})
