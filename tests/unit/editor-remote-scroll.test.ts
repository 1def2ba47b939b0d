import { describe, expect, it } from 'vitest'
import { EditorState } from '@tiptap/pm/state'
import { ySyncPluginKey } from '@tiptap/y-tiptap'
import { noteSchema } from '../../renderer/editor/note-schema'
import { isRemoteChange } from '../../renderer/editor/remote-scroll'

const tr = () => EditorState.create({ schema: noteSchema() }).tr

describe('which editor transactions defer their scroll (a collaborator\'s changes only)', () => {
  it('defers a change y-tiptap applies from another device', () => {
    expect(isRemoteChange(tr().setMeta(ySyncPluginKey, { isChangeOrigin: true, isUndoRedoOperation: false }))).toBe(true)
  })

  it('scrolls at once for this device\'s undo and redo, typing, and other plugins\' meta', () => {
    expect(isRemoteChange(tr().setMeta(ySyncPluginKey, { isChangeOrigin: true, isUndoRedoOperation: true }))).toBe(false)
    expect(isRemoteChange(tr().insertText('typed'))).toBe(false)
    expect(isRemoteChange(tr().setMeta(ySyncPluginKey, { addToHistory: false }))).toBe(false)
  })
})
