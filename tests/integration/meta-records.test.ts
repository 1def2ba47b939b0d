// The relay reading a meta.sqlite whose records were written before records had a schemaVersion
// (real rows: tests/fixtures/meta-records-v0): it serves them byte for byte as before, applies ops
// to them, and writes what it changes with the current schemaVersion.

import Database from 'better-sqlite3'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { META_FILE_NAME } from '../../server/meta/store'
import { allChanges, op, sendOps } from '../helpers/meta'
import { startTestRelay, tempDir } from '../helpers/relay'

interface Row {
  workspace: string
  type: string
  id: string
  record: string | null
  version: number
  content_seq: number
  seq: number
  parent: string | null
  deleted_at: number | null
}
const ROWS = JSON.parse(readFileSync(new URL('../fixtures/meta-records-v0/relay-rows.json', import.meta.url), 'utf8')) as Row[]

describe('relay metadata written by an older relay', () => {
  it('is served as it was stored, takes new ops, and is rewritten with its schemaVersion', async () => {
    const dataDir = tempDir()
    const first = await startTestRelay({ dataDir, staticDir: null })
    await first.close() // creates meta.sqlite with today's schema
    const db = new Database(join(dataDir, META_FILE_NAME))
    const insert = db.prepare('INSERT INTO meta_entities (workspace, type, id, record, version, content_seq, seq, parent, deleted_at) VALUES (@workspace, @type, @id, @record, @version, @content_seq, @seq, @parent, @deleted_at)')
    for (const row of ROWS) insert.run(row)
    db.prepare('INSERT INTO meta_workspace_seq (workspace, seq) VALUES (?, ?)').run('default', Math.max(...ROWS.map((r) => r.seq)))
    db.close()

    const relay = await startTestRelay({ dataDir, staticDir: null })
    const feed = await allChanges(relay.url)
    expect(feed.map((e) => JSON.stringify(e.record))).toEqual(ROWS.map((r) => r.record ?? 'null'))

    const note = ROWS.find((r) => r.type === 'note' && !(JSON.parse(r.record!) as { deleted: boolean }).deleted)!
    const [result] = await sendOps(relay.url, [op('note.pin', note.id, { pinned: true }, { baseVersion: note.version })])
    expect(result).toMatchObject({ status: 'applied', record: { id: note.id, pinned: true } })
    expect(result!.record).not.toHaveProperty('schemaVersion')
    await relay.close()

    const after = new Database(join(dataDir, META_FILE_NAME), { readonly: true })
    const stored = JSON.parse((after.prepare("SELECT record FROM meta_entities WHERE type = 'note' AND id = ?").get(note.id) as { record: string }).record) as Record<string, unknown>
    const other = ROWS.find((r) => r.id !== note.id)!
    const untouched = JSON.parse((after.prepare('SELECT record FROM meta_entities WHERE type = ? AND id = ?').get(other.type, other.id) as { record: string }).record) as Record<string, unknown>
    after.close()
    expect(stored).toMatchObject({ pinned: true, schemaVersion: 1 })
    expect(untouched).not.toHaveProperty('schemaVersion') // read, never rewritten
  })
})
