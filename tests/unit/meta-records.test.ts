// Stored metadata rows as today's readers see them. The fixtures are real rows written by Skein
// before records had a schemaVersion (tests/fixtures/meta-records-v0/capture.ts): the relay's
// meta.sqlite records and the app catalog's IndexedDB entities and outbox.

import { IDBFactory } from 'fake-indexeddb'
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import {
  migrateEntity,
  migrateLocalEntity,
  migrateOutboxEntry,
  RecordVersionError,
  SCHEMA_VERSIONS,
  storedEntity,
  storedLocalEntity,
  storedOutboxEntry,
} from '../../protocol/meta/records'
import { Catalog } from '../../renderer/catalog/catalog'
import { CatalogStorageError, openCatalogDb, request, STORES } from '../../renderer/catalog/idb'

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/meta-records-v0/${name}`, import.meta.url), 'utf8'))
const RELAY_ROWS = (fixture('relay-rows.json') as { record: string | null }[]).filter((r) => r.record !== null)
type Rows = { entities: Record<string, unknown>[]; outbox: Record<string, unknown>[] }
const IDB = fixture('idb-rows.json') as Record<'ada' | 'bob', Rows>
const IDB_ENTITIES = [...IDB.ada.entities, ...IDB.bob.entities]
const IDB_OUTBOX = IDB.bob.outbox

/** Every field of `original` intact in `current`, which may have fields added since (with defaults). */
function expectIntact(current: unknown, original: Record<string, unknown>): void {
  expect(current).toStrictEqual({ ...(current as object), ...original })
}

const open: Catalog[] = []
afterEach(() => {
  for (const catalog of open.splice(0)) catalog.close()
})

/** A device whose catalog database holds exactly `rows`, as an older Skein left them. */
async function deviceWith(rows: Rows): Promise<IDBFactory> {
  const factory = new IDBFactory()
  const db = await openCatalogDb(factory)
  const tx = db.transaction([STORES.entities, STORES.outbox], 'readwrite')
  for (const row of rows.entities) tx.objectStore(STORES.entities).put(row)
  for (const row of rows.outbox) tx.objectStore(STORES.outbox).put(row)
  await new Promise((resolve) => (tx.oncomplete = resolve))
  db.close()
  return factory
}

async function rawRows(factory: IDBFactory): Promise<{ entities: Record<string, unknown>[]; outbox: Record<string, unknown>[] }> {
  const db = await openCatalogDb(factory)
  const tx = db.transaction([STORES.entities, STORES.outbox], 'readonly')
  const rows = {
    entities: (await request(tx.objectStore(STORES.entities).getAll())) as Record<string, unknown>[],
    outbox: (await request(tx.objectStore(STORES.outbox).getAll())) as Record<string, unknown>[],
  }
  db.close()
  return rows
}

describe('relay records', () => {
  it('read a version-0 row into the current shape with every field, byte for byte as the wire carries it', () => {
    expect(RELAY_ROWS.length).toBeGreaterThan(3)
    for (const row of RELAY_ROWS) {
      const original = JSON.parse(row.record!) as Record<string, unknown>
      const record = migrateEntity(original)
      expectIntact(record, original)
      // Top-level fields in their order, nested ones compared above: what goes on the wire.
      expect(JSON.stringify(record).startsWith(row.record!.slice(0, -1))).toBe(true)
    }
  })

  it('are stored as today plus their schemaVersion, and read back unchanged', () => {
    for (const row of RELAY_ROWS) {
      const record = migrateEntity(JSON.parse(row.record!))
      const stored = JSON.stringify(storedEntity(record))
      expect(stored).toBe(`${JSON.stringify(record).slice(0, -1)},"schemaVersion":${SCHEMA_VERSIONS.entity}}`)
      expect(JSON.stringify(migrateEntity(JSON.parse(stored)))).toBe(JSON.stringify(record))
    }
  })

  it('refuse a row from a newer Skein, or one missing a field, saying which and why', () => {
    const row = JSON.parse(RELAY_ROWS[0]!.record!) as Record<string, unknown>
    const newer = SCHEMA_VERSIONS.entity + 1
    expect(() => migrateEntity({ ...row, schemaVersion: newer })).toThrow(RecordVersionError)
    expect(() => migrateEntity({ ...row, schemaVersion: newer })).toThrow(
      `${String(row.type)} record ${String(row.id)} has schemaVersion ${newer}, but this version of Skein reads at most ${SCHEMA_VERSIONS.entity}: it was written by a newer Skein`,
    )
    expect(() => migrateEntity({ ...row, schemaVersion: 'one' })).toThrow('has an invalid schemaVersion "one"')
    const { fields: _fields, ...partial } = row
    expect(() => migrateEntity(partial)).toThrow(`${String(row.type)} record ${String(row.id)} (schemaVersion 0) lacks "fields"`)
    expect(() => migrateEntity('x')).toThrow('a stored record is not an object')
  })
})

describe('catalog rows', () => {
  it('read version-0 entity and outbox rows into the current shape with every field intact', () => {
    expect(IDB_ENTITIES.length).toBe(10)
    expect(IDB_OUTBOX.length).toBe(6)
    for (const row of IDB_ENTITIES) {
      const entity = migrateLocalEntity(row)
      expectIntact({ ...entity, base: null, view: null }, { ...row, base: null, view: null })
      for (const side of ['base', 'view'] as const) if (row[side] !== null) expectIntact(entity[side], row[side] as Record<string, unknown>)
    }
    for (const row of IDB_OUTBOX) expectIntact(migrateOutboxEntry(row), row)
  })

  it('round-trip through the current writer unchanged, now with a schemaVersion', () => {
    for (const row of IDB_ENTITIES) {
      const entity = migrateLocalEntity(row)
      const stored = structuredClone(storedLocalEntity(entity))
      expect(stored).toStrictEqual({ ...entity, schemaVersion: SCHEMA_VERSIONS.localEntity })
      expect(migrateLocalEntity(stored)).toStrictEqual(entity)
    }
    for (const row of IDB_OUTBOX) {
      const entry = migrateOutboxEntry(row)
      expect(migrateOutboxEntry(structuredClone(storedOutboxEntry(entry)))).toStrictEqual(entry)
    }
  })

  it('open in a catalog as they were, and are written back with their schemaVersion', async () => {
    const factory = await deviceWith(IDB.bob)
    const catalog = await Catalog.open({ factory })
    open.push(catalog)
    for (const row of IDB.bob.entities) expect(catalog.get(row.type as 'note', row.id as string)).toStrictEqual(migrateLocalEntity(row))
    // Opening resends nothing here (no entry was inflight), so the outbox is as stored.
    expect(catalog.getSnapshot().outbox).toStrictEqual([...IDB.bob.outbox].sort((a, b) => Number(a.seq) - Number(b.seq)).map(migrateOutboxEntry))

    const noteRow = IDB.bob.entities.find((e) => e.type === 'note' && (e.view as { deleted: boolean } | null)?.deleted === false)!
    await catalog.pinNote(noteRow.id as string, true)
    const raw = await rawRows(factory)
    expect(raw.entities.find((e) => e.key === noteRow.key)!.schemaVersion).toBe(SCHEMA_VERSIONS.localEntity)
    expect(raw.outbox.filter((e) => e.schemaVersion === SCHEMA_VERSIONS.outboxEntry)).toHaveLength(1) // the new entry; old ones stay as they were
    catalog.close()
    open.pop()
    const again = await Catalog.open({ factory })
    open.push(again)
    expect(again.get('note', noteRow.id as string)?.view).toMatchObject({ pinned: true })
  })

  it('refuse to open a database holding a row from a newer Skein, saying which row', async () => {
    const [first, ...rest] = IDB.ada.entities
    const factory = await deviceWith({ entities: [{ ...first!, schemaVersion: 9 }, ...rest], outbox: [] })
    await expect(Catalog.open({ factory })).rejects.toThrow(CatalogStorageError)
    await expect(Catalog.open({ factory })).rejects.toThrow(`cannot read local storage: stored entity ${String(first!.key)} has schemaVersion 9, but this version of Skein reads at most ${SCHEMA_VERSIONS.localEntity}`)
    const [entry, ...others] = IDB.bob.outbox
    const unknownKind = await deviceWith({ entities: [], outbox: [{ ...entry!, op: { ...(entry!.op as object), kind: 'note.fly' } }, ...others] })
    await expect(Catalog.open({ factory: unknownKind })).rejects.toThrow(`outbox entry ${String(entry!.seq)} (schemaVersion 0) holds an op of unknown kind "note.fly"`)
  })
})
