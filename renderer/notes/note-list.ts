// What the note list shows for each note and in which order: pinned notes first, then the sort
// the writer chose (remembered per device). Pure functions; NoteList.tsx renders them.

import type { NoteItem } from '../catalog/selectors'
import { displayTitle } from '../catalog/selectors'

export type NoteSort = 'modified' | 'created' | 'title'

export const SORT_LABELS: Readonly<Record<NoteSort, string>> = { modified: 'Date modified', created: 'Date created', title: 'Title' }

/** What the list knows of a note's text: its search-index entry (renderer/search). */
export interface NoteTextInfo {
  readonly text: string
  /** When this device last saw the text change (ms); absent for notes indexed before it was kept. */
  readonly changedAt?: number | undefined
}

export type TextLookup = (id: string) => NoteTextInfo | undefined

/** The note's last change this device knows of: its metadata or its text, whichever is later. */
export function modifiedAt(note: NoteItem['note'], text: NoteTextInfo | undefined): number {
  return Math.max(note.updatedAt, note.createdAt, text?.changedAt ?? 0)
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true })

/** The notes in list order. Ties fall back to the id so the order never flickers. */
export function sortNotes(items: readonly NoteItem[], sort: NoteSort, textOf: TextLookup): NoteItem[] {
  const key = new Map<string, number>()
  if (sort !== 'title') for (const { note } of items) key.set(note.id, sort === 'created' ? note.createdAt : modifiedAt(note, textOf(note.id)))
  return [...items].sort((a, b) => {
    if (a.note.pinned !== b.note.pinned) return a.note.pinned ? -1 : 1
    const order = sort === 'title' ? collator.compare(displayTitle(a.note), displayTitle(b.note)) : key.get(b.note.id)! - key.get(a.note.id)!
    return order || (a.note.id < b.note.id ? -1 : a.note.id > b.note.id ? 1 : 0)
  })
}

const PREVIEW_CHARS = 140

/** A line of the note's text to show under its title: the text without the line that is the title. */
export function previewText(title: string, text: string | undefined): string {
  if (!text) return ''
  const lines = text.split('\n').map((line) => line.trim())
  const start = lines[0] !== undefined && title !== '' && lines[0].replace(/^#+\s*/, '') === title.trim() ? 1 : 0
  return lines.slice(start).filter(Boolean).join(' ').slice(0, PREVIEW_CHARS)
}

const TIME = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' })
const DAY = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' })
const FULL = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' })
const EXACT = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' })

/** A short date for a list row: the time today, the day this year, else the full date. */
export function listDate(at: number, now: number): string {
  const then = new Date(at)
  const today = new Date(now)
  if (then.toDateString() === today.toDateString()) return TIME.format(then)
  if (then.getFullYear() === today.getFullYear()) return DAY.format(then)
  return FULL.format(then)
}

export const exactDate = (at: number): string => EXACT.format(new Date(at))

const SORT_KEY = 'skein:note-sort'

export function loadSort(): NoteSort {
  try {
    const value = localStorage.getItem(SORT_KEY)
    return value === 'modified' || value === 'title' ? value : 'created'
  } catch {
    return 'created'
  }
}

export function saveSort(sort: NoteSort): void {
  try {
    localStorage.setItem(SORT_KEY, sort)
  } catch {
    // not remembered
  }
}
