// A workspace as another device would leave it on the relay: nested folders, many tags, notes
// with titles (some long), pins, and text in some of them. Sent as ops through the relay's /v1
// API and as content through stock y-websocket clients, so the app under test meets it the way
// it meets any other device's work.

import * as Y from 'yjs'
import { op, sendOps } from '../helpers/meta'
import type { MetaOp } from '../../protocol/meta/types'
import { asStockClient, type E2eRelay } from './relay-fixture'

export interface SeededWorkspace {
  readonly folders: readonly { id: string; name: string; parentId: string | null }[]
  readonly tags: readonly string[]
  readonly notes: readonly { id: string; title: string; folderId: string | null; tags: readonly string[]; pinned: boolean }[]
}

const FOLDERS: readonly [string, string | null][] = [
  ['Work', null],
  ['Clients', 'Work'],
  ['Acme Corporation — contracts and correspondence', 'Clients'],
  ['Globex', 'Clients'],
  ['Home', null],
  ['Recipes', 'Home'],
  ['Reading notes', null],
  ['Journal', null],
  ['Travel plans 2027', null],
  ['Archive', null],
]
const TAGS = ['draft', 'idea', 'meeting', 'todo', 'reference', 'personal', 'urgent', 'someday']
const TITLES = [
  'Quarterly planning: goals, risks and the hiring plan for the platform team',
  'Groceries',
  'Meeting with Acme about the renewal',
  'Sourdough starter log',
  'Reading: The Pragmatic Programmer',
  'Ideas for the garden',
  'Trip to Lisbon',
  'Weekly review',
  'Bug triage notes',
  'Book club questions',
  'Running plan',
  'Gift ideas',
]
const PARAGRAPHS = [
  'Local-first software keeps the primary copy of the data on the device, so that it works offline and stays fast.',
  'Agreed to send the revised proposal by Friday; open questions about pricing tiers and the support window.',
  'Feed the starter at 9 am and 9 pm. Rye flour makes it livelier; keep it at about 24 °C.',
  'Chapter 2 argues for orthogonality: components that can change without affecting each other.',
]

/** Writes the workspace to the relay (workspace `default`) and returns what it holds. */
export async function seedWorkspace(relay: E2eRelay, noteCount: number, withText = 12): Promise<SeededWorkspace> {
  const base = relay.url.replace(/\/$/, '')
  const folderIds = new Map<string, string>()
  const folders = FOLDERS.map(([name, parent]) => {
    const id = crypto.randomUUID()
    folderIds.set(name, id)
    return { id, name, parentId: parent === null ? null : folderIds.get(parent)! }
  })
  const notes = Array.from({ length: noteCount }, (_, i) => ({
    id: crypto.randomUUID(),
    title: i < TITLES.length ? TITLES[i]! : `${TITLES[i % TITLES.length]} (${Math.floor(i / TITLES.length) + 1})`,
    folderId: i % 3 === 0 ? null : folders[i % folders.length]!.id,
    tags: [TAGS[i % TAGS.length]!, ...(i % 4 === 0 ? [TAGS[(i + 3) % TAGS.length]!] : [])],
    pinned: i === 2 || i === 7,
  }))
  const ops: MetaOp[] = [
    ...folders.map((f) => op('folder.create', f.id, { name: f.name, parentId: f.parentId }, { device: 'seed' })),
    ...notes.flatMap((n) => [
      op('note.create', n.id, { title: n.title, folderId: n.folderId, tags: [...n.tags] }, { device: 'seed' }),
      ...(n.pinned ? [op('note.pin', n.id, { pinned: true }, { device: 'seed' })] : []),
    ]),
  ]
  for (let i = 0; i < ops.length; i += 200) await sendOps(base, ops.slice(i, i + 200))
  for (const note of notes.slice(0, withText)) {
    await asStockClient(relay, note.id, (doc) => {
      const fragment = doc.getXmlFragment('default')
      const blocks = [note.title, PARAGRAPHS[notes.indexOf(note) % PARAGRAPHS.length]!, PARAGRAPHS[(notes.indexOf(note) + 1) % PARAGRAPHS.length]!].map((text, i) => {
        const block = new Y.XmlElement(i === 0 ? 'heading' : 'paragraph')
        if (i === 0) block.setAttribute('level', 1 as unknown as string)
        block.insert(0, [new Y.XmlText(text)])
        return block
      })
      fragment.insert(0, blocks)
    })
  }
  return { folders, tags: TAGS, notes }
}
