import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { NOTE_FRAGMENT } from '../../protocol/notes'
import { MAX_AUTO_VERSIONS, addVersion, listVersions, restoreVersion, sameAsVersion } from '../../renderer/history/versions'
import { noteText } from '../../renderer/search/text'

/** Replaces the note's content with one paragraph per line, the way y-prosemirror stores it. */
function write(doc: Y.Doc, ...lines: string[]): void {
  const fragment = doc.getXmlFragment(NOTE_FRAGMENT)
  doc.transact(() => {
    fragment.delete(0, fragment.length)
    fragment.insert(
      0,
      lines.map((line) => {
        const paragraph = new Y.XmlElement('paragraph')
        paragraph.insert(0, [new Y.XmlText(line)])
        return paragraph
      }),
    )
  })
}

function sync(from: Y.Doc, to: Y.Doc): void {
  Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)))
}

const draft = (name: string, at: number, auto = false) => ({ name, at, auto, by: 'Ada' })

describe('note versions', () => {
  it('lists versions newest first with what the note held when each was saved', () => {
    const note = new Y.Doc()
    const history = new Y.Doc()
    write(note, 'first draft')
    addVersion(history, Y.encodeStateAsUpdate(note), draft('one', 1000))
    write(note, 'second draft')
    addVersion(history, Y.encodeStateAsUpdate(note), draft('two', 2000))
    const versions = listVersions(history)
    expect(versions.map((v) => v.name)).toEqual(['two', 'one'])
    const then = new Y.Doc()
    Y.applyUpdate(then, versions[1]!.state)
    expect(noteText(then)).toBe('first draft')
  })

  it('restores an old version as a new edit that merges on another device', () => {
    const a = new Y.Doc()
    const b = new Y.Doc()
    const history = new Y.Doc()
    write(a, 'Title', 'the original paragraph')
    const saved = addVersion(history, Y.encodeStateAsUpdate(a), draft('original', 1))
    write(a, 'Title', 'rewritten entirely')
    sync(a, b)
    const before = Y.encodeStateVector(a)

    let restoreUpdate: Uint8Array | null = null
    a.once('update', (update: Uint8Array) => (restoreUpdate = update))
    restoreVersion(a, saved)

    expect(noteText(a)).toBe('Title\nthe original paragraph')
    // History is not rewritten: everything the doc had is still there, the restore comes after it.
    expect(Y.decodeStateVector(Y.encodeStateVector(a)).get(a.clientID)).toBeGreaterThan(Y.decodeStateVector(before).get(a.clientID)!)
    // One update carries the whole restore; applied on B (which had the rewrite), B converges.
    expect(restoreUpdate).not.toBeNull()
    Y.applyUpdate(b, restoreUpdate!)
    expect(noteText(b)).toBe('Title\nthe original paragraph')
  })

  it('merges a restore with a collaborator’s concurrent edit instead of discarding it', () => {
    const a = new Y.Doc()
    const b = new Y.Doc()
    const history = new Y.Doc()
    write(a, 'old')
    const saved = addVersion(history, Y.encodeStateAsUpdate(a), draft('old', 1))
    write(a, 'new')
    sync(a, b)
    restoreVersion(a, saved)
    const paragraph = new Y.XmlElement('paragraph')
    paragraph.insert(0, [new Y.XmlText('from B')])
    const fragmentB = b.getXmlFragment(NOTE_FRAGMENT)
    fragmentB.insert(fragmentB.length, [paragraph])
    sync(a, b)
    sync(b, a)
    expect(noteText(a)).toBe(noteText(b))
    expect(noteText(a)).toContain('old')
    expect(noteText(a)).toContain('from B')
    expect(noteText(a)).not.toContain('new')
  })

  it('keeps only the newest automatic versions, and every named one', () => {
    const note = new Y.Doc()
    const history = new Y.Doc()
    write(note, 'text')
    const state = Y.encodeStateAsUpdate(note)
    addVersion(history, state, draft('keep me', 0))
    for (let i = 1; i <= MAX_AUTO_VERSIONS + 5; i++) addVersion(history, state, draft('', i, true))
    const versions = listVersions(history)
    const autos = versions.filter((v) => v.auto)
    expect(autos).toHaveLength(MAX_AUTO_VERSIONS)
    expect(Math.min(...autos.map((v) => v.at))).toBe(6) // the five oldest went
    expect(versions.filter((v) => !v.auto).map((v) => v.name)).toEqual(['keep me'])
  })

  it('syncs versions saved on two devices into one timeline', () => {
    const historyA = new Y.Doc()
    const historyB = new Y.Doc()
    const note = new Y.Doc()
    write(note, 'x')
    addVersion(historyA, Y.encodeStateAsUpdate(note), draft('from A', 1))
    addVersion(historyB, Y.encodeStateAsUpdate(note), draft('from B', 2))
    sync(historyA, historyB)
    sync(historyB, historyA)
    expect(listVersions(historyA).map((v) => v.name)).toEqual(['from B', 'from A'])
    expect(listVersions(historyB).map((v) => v.id)).toEqual(listVersions(historyA).map((v) => v.id))
  })

  it('tells whether the note has changed since a version', () => {
    const note = new Y.Doc()
    const history = new Y.Doc()
    write(note, 'same')
    const version = addVersion(history, Y.encodeStateAsUpdate(note), draft('v', 1))
    expect(sameAsVersion(note, version)).toBe(true)
    write(note, 'changed')
    expect(sameAsVersion(note, version)).toBe(false)
  })
})
