// The selected note is remembered per device (localStorage) so a reload reopens it.

const KEY = 'skein:selected-note'

export function loadSelectedNote(): string | null {
  try {
    return localStorage.getItem(KEY)
  } catch {
    return null
  }
}

export function saveSelectedNote(id: string | null): void {
  try {
    if (id === null) localStorage.removeItem(KEY)
    else localStorage.setItem(KEY, id)
  } catch {
    // Storage unavailable (private mode, quota): selection just isn't remembered.
  }
}
