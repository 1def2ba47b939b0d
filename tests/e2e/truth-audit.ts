// The truth audit: every claim a device's UI makes about a writer's work, checked against ground
// truth, never against the app's own state.
// - A note row that says "On the relay": what the relay stored (its SQLite file, or in cluster
//   mode the PostgreSQL database its relays share) holds updates whose state vector covers what
//   the device's IndexedDB holds for that note.
// - The status line "All synced": the same for every note the device has, and the device's
//   outbox (its IndexedDB) holds nothing unconfirmed.
// - The open note saying "Saved on this device" (or "On the relay"): its IndexedDB copy has the
//   text the editor shows.
// A false claim comes back as one line naming the note; an empty list means every claim was true.

import Database from 'better-sqlite3'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import * as Y from 'yjs'
import type { Device } from '../helpers/browser'
import { coversStateVector } from '../../protocol/stored-acks'
import { PostgresDocStorage } from '../../server/postgres/doc-storage'
import { docToMarkdown } from '../../renderer/transfer/markdown'
import { readNoteContent } from '../../renderer/transfer/note-content'
import { connection, editorText, saveStatus, selectedNoteId } from './app'
import type { E2eRelay } from './relay-fixture'

const DOCS_FILE = 'skein.sqlite'
const ON_RELAY = new Set(['on-relay', 'on-relay-offline'])

/** Every stored update of one of the device's IndexedDB databases (y-indexeddb's `updates` store). */
export async function deviceUpdates(page: Page, room: string): Promise<Uint8Array[]> {
  const lists = await page.evaluate(async (name) => {
    const known = (await indexedDB.databases()).some((db) => db.name === name)
    if (!known) return []
    return new Promise<number[][]>((resolve, reject) => {
      const open = indexedDB.open(name)
      open.onerror = () => reject(open.error)
      open.onsuccess = () => {
        const db = open.result
        if (!db.objectStoreNames.contains('updates')) {
          db.close()
          return resolve([])
        }
        const req = db.transaction('updates', 'readonly').objectStore('updates').getAll()
        req.onsuccess = () => {
          db.close()
          resolve((req.result as Uint8Array[]).map((u) => Array.from(u)))
        }
        req.onerror = () => reject(req.error)
      }
    })
  }, `skein:${room}`)
  return lists.map((l) => new Uint8Array(l))
}

/** The device's catalog as stored: live notes and unconfirmed outbox entries. */
export async function deviceCatalog(page: Page): Promise<{ notes: string[]; unconfirmed: number }> {
  return page.evaluate(
    () =>
      new Promise<{ notes: string[]; unconfirmed: number }>((resolve, reject) => {
        const open = indexedDB.open('skein-catalog')
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const db = open.result
          const tx = db.transaction(['entities', 'outbox'], 'readonly')
          const entities = tx.objectStore('entities').getAll()
          const outbox = tx.objectStore('outbox').getAll()
          tx.oncomplete = () => {
            db.close()
            const notes = (entities.result as { type: string; id: string; view: { deleted?: boolean } | null }[]).filter((e) => e.type === 'note' && e.view && !e.view.deleted).map((e) => e.id)
            const unconfirmed = (outbox.result as { state: string }[]).filter((e) => e.state !== 'synced').length
            resolve({ notes, unconfirmed })
          }
        }
      }),
  )
}

/**
 * What the relay durably stored, read from where it stores it: one reader per storage, opened
 * for one read or a whole audit.
 */
export interface RelayStore {
  /** A room's stored updates, merged (null when nothing was stored for it). */
  stored(room: string, workspace?: string): Promise<Uint8Array | null>
  close(): Promise<void>
}

/** The relay's document file (SQLite, `skein.sqlite` in its data folder), read-only. */
function sqliteStore(dataDir: string): RelayStore {
  const db = new Database(join(dataDir, DOCS_FILE), { readonly: true, fileMustExist: true })
  const query = db.prepare('SELECT data FROM updates WHERE room = ? ORDER BY id')
  return {
    stored(room, workspace = 'default') {
      const rows = query.all(`${workspace}/${room}`) as { data: Buffer }[]
      return Promise.resolve(rows.length === 0 ? null : Y.mergeUpdates(rows.map((r) => new Uint8Array(r.data))))
    },
    close() {
      db.close()
      return Promise.resolve()
    },
  }
}

/** The PostgreSQL database a cluster's relays share: the room's snapshot and entries, as a relay would load them. */
async function postgresStore(url: string): Promise<RelayStore> {
  const storage = await PostgresDocStorage.open(url, { migrate: false })
  return {
    stored: (room, workspace = 'default') => storage.load({ workspace, room }),
    close: () => storage.close(),
  }
}

/** Opens the relay's store once for a whole audit, and closes it after `use`. */
export async function withRelayStore<T>(relay: E2eRelay, use: (store: RelayStore) => T | Promise<T>): Promise<T> {
  const store = relay.postgresUrl ? await postgresStore(relay.postgresUrl) : sqliteStore(relay.dataDir)
  try {
    return await use(store)
  } finally {
    await store.close()
  }
}

/** What the relay durably stored for a room, merged (null when it stored nothing). */
export function relayStored(relay: E2eRelay, room: string, workspace = 'default'): Promise<Uint8Array | null> {
  return withRelayStore(relay, (store) => store.stored(room, workspace))
}

/** A note's text from an encoded Yjs state: its blocks, one line each, as the editor shows them. */
export function noteText(update: Uint8Array | null): string {
  if (!update) return ''
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  const textOf = (node: Y.XmlElement | Y.XmlText | Y.XmlHook): string => {
    if (node instanceof Y.XmlText) return (node.toDelta() as { insert: unknown }[]).map((d) => (typeof d.insert === 'string' ? d.insert : '')).join('')
    if (node instanceof Y.XmlElement) return node.toArray().map((c) => textOf(c as Y.XmlElement)).join('')
    return ''
  }
  const text = doc.getXmlFragment('default').toArray().map((block) => textOf(block as Y.XmlElement)).join('\n')
  doc.destroy()
  return text
}

/** A note's content as Markdown (what export would write), from its encoded Yjs updates. */
export function markdownOf(updates: readonly (Uint8Array | null)[]): string {
  const doc = new Y.Doc()
  for (const update of updates) if (update) Y.applyUpdate(doc, update)
  const markdown = docToMarkdown(readNoteContent(doc).toJSON())
  doc.destroy()
  return markdown
}

function covers(stored: Uint8Array | null, local: Uint8Array): boolean {
  return coversStateVector(stored ? Y.encodeStateVectorFromUpdate(stored) : Y.encodeStateVector(new Y.Doc()), local)
}

async function localStateVector(page: Page, noteId: string): Promise<Uint8Array> {
  const updates = await deviceUpdates(page, `note/${noteId}`)
  return updates.length === 0 ? Y.encodeStateVector(new Y.Doc()) : Y.encodeStateVectorFromUpdate(Y.mergeUpdates(updates))
}

/**
 * Checks every claim the device's UI makes right now; returns the false ones (empty: all true).
 * Between a keystroke's IndexedDB write and the note's label changing lie a few milliseconds in
 * which "On the relay" is stale; so a false claim is only reported if it is still false, for the
 * same note, a second later.
 */
export async function auditTruth(device: Device, relay: E2eRelay, name = 'device'): Promise<string[]> {
  const first = await auditOnce(device, relay, name)
  if (first.length === 0) return first
  await new Promise((resolve) => setTimeout(resolve, 1_000))
  const again = await auditOnce(device, relay, name)
  return again.filter((claim) => first.includes(claim))
}

async function auditOnce(device: Device, relay: E2eRelay, name: string): Promise<string[]> {
  const { page } = device
  const falseClaims: string[] = []
  // Claims first (what the writer sees at this moment), then the ground truth they promise.
  const status = (await connection(page).textContent()) ?? ''
  const rows = await page.locator('li[data-note-id]').evaluateAll((items) => items.map((li) => ({ id: li.getAttribute('data-note-id') ?? '', sync: li.getAttribute('data-sync') ?? '', title: li.getAttribute('aria-label') ?? '' })))
  const open = await selectedNoteId(page)
  const saveClaim = open ? ((await saveStatus(page).textContent().catch(() => null)) ?? '') : ''
  const shown = open && /^(Saved on this device|On the relay)/.test(saveClaim) ? await editorText(page) : null

  // What the device holds of each note a claim is about, then the relay's store read once for all.
  // One IndexedDB read at a time: the audit must not load the page it watches.
  const claimedOnRelay: { id: string; title: string; local: Uint8Array }[] = []
  for (const row of rows) if (ON_RELAY.has(row.sync)) claimedOnRelay.push({ ...row, local: await localStateVector(page, row.id) })
  const catalog = status === 'All synced' ? await deviceCatalog(page) : null
  const allSynced: { id: string; local: Uint8Array }[] = []
  for (const id of catalog?.notes ?? []) allSynced.push({ id, local: await localStateVector(page, id) })
  await withRelayStore(relay, async (store) => {
    for (const row of claimedOnRelay) {
      if (!covers(await store.stored(`note/${row.id}`), row.local)) falseClaims.push(`${name}: “${row.title}” (${row.id}) says On the relay, but the relay has not stored all this device holds of it`)
    }
    for (const { id, local } of allSynced) {
      if (!covers(await store.stored(`note/${id}`), local)) falseClaims.push(`${name}: says All synced, but the relay has not stored all this device holds of note ${id}`)
    }
  })
  if (catalog && catalog.unconfirmed > 0) falseClaims.push(`${name}: says All synced with ${catalog.unconfirmed} unconfirmed outbox entries on disk`)
  if (open && shown !== null) {
    const onDisk = noteText((await deviceUpdates(page, `note/${open}`)).reduce<Uint8Array | null>((merged, u) => (merged ? Y.mergeUpdates([merged, u]) : u), null))
    if (onDisk !== shown) falseClaims.push(`${name}: open note ${open} says it is saved, but IndexedDB holds other text than the editor shows`)
  }
  return falseClaims
}
