import { describe, expect, it } from 'vitest'
import { RecentMax } from '../../server/meta/recent-max'
import { noteOfHistoryRoom, noteOfRoom } from '../../server/room-id'

describe('RecentMax (oldest pending op age over the last 5 minutes)', () => {
  it('keeps the largest report until it leaves the window, then falls to what is newer', () => {
    const m = new RecentMax(300_000)
    expect(m.value(0)).toBe(0)
    m.report(42, 1_000)
    m.report(3, 200_000)
    expect(m.value(250_000)).toBe(42)
    expect(m.value(1_000 + 300_000 + 10_000 + 1)).toBe(3) // one bucket (10 s) of slack at most
    expect(m.value(200_000 + 320_000)).toBe(0)
  })
})

describe('noteOfRoom', () => {
  it('finds the workspace and note id of note rooms only', () => {
    expect(noteOfRoom({ workspace: 'acme', room: 'note/abc-123' })).toEqual({ workspace: 'acme', noteId: 'abc-123' })
    expect(noteOfRoom({ workspace: 'acme', room: 'index' })).toBeNull()
    expect(noteOfRoom({ workspace: 'acme', room: 'note/' })).toBeNull()
    expect(noteOfRoom({ workspace: 'acme', room: 'note/a/b' })).toBeNull() // not an id the metadata can hold
    expect(noteOfRoom({ workspace: 'acme', room: 'history/abc-123' })).toBeNull()
    expect(noteOfHistoryRoom({ workspace: 'acme', room: 'history/abc-123' })).toEqual({ workspace: 'acme', noteId: 'abc-123' })
  })
})
