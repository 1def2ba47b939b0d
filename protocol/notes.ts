// The layout of a note's Y.Doc (room `note/<id>`, protocol/rooms.ts). Every client that reads or
// writes notes must agree on it, across devices and app versions, as on any wire format.

/**
 * The Y.XmlFragment holding a note's content: the editor binds TipTap's Collaboration to it, and
 * import, export, search, history and the schema guard read and write the same fragment.
 */
export const NOTE_FRAGMENT = 'default'

/** What every client shows for a note whose title is empty (the stored title stays ''). */
export const UNTITLED = 'Untitled'
