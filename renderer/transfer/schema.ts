// The editor's document schema, used off-screen (import, export, tests). It comes from the same
// extension list as the editor (editor/note-schema.ts): a node the schema did not know would be
// dropped when written into a note's Y.Doc.

export { noteSchema } from '../editor/note-schema'
export { NOTE_FRAGMENT } from '../../protocol/notes'
