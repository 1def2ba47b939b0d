// The command palette (Ctrl/Cmd+P; Ctrl/Cmd+K outside the editor): every command, and every note
// by fuzzy title. Type, move with ↑/↓, Enter runs or opens, Escape closes. A combobox over a
// listbox (WAI-ARIA), inside the same modal as every dialog.

import { useDeferredValue, useId, useMemo, useState } from 'react'
import type { ReactNode } from 'react'
import { Modal } from '../ui/Dialog'
import { fuzzyMatch, prepareQuery } from './fuzzy'

export interface PaletteCommand {
  readonly id: string
  readonly label: string
  readonly shortcut?: string | undefined
  run(): void
}

export interface PaletteNote {
  readonly id: string
  readonly title: string
  /** fold(title), computed once per palette rather than per keystroke. */
  readonly folded?: string
  /** The folder's path, shown after the title. */
  readonly where: string
}

type Result = { kind: 'command'; command: PaletteCommand; indices: readonly number[] } | { kind: 'note'; note: PaletteNote; indices: readonly number[] }

const MAX_NOTES = 50

/** The palette's results for `query`: matching commands, then matching notes (best first). Pure. */
export function paletteResults(query: string, commands: readonly PaletteCommand[], notes: readonly PaletteNote[]): Result[] {
  const q = prepareQuery(query)
  const scored = <T,>(items: readonly T[], text: (item: T) => string, folded?: (item: T) => string | undefined): { item: T; score: number; indices: readonly number[] }[] => {
    const out: { item: T; score: number; indices: readonly number[] }[] = []
    for (const item of items) {
      const match = fuzzyMatch(q, text(item), folded?.(item))
      if (match) out.push({ item, score: match.score, indices: match.indices })
    }
    return q === '' ? out : out.sort((a, b) => b.score - a.score)
  }
  const commandScores = scored(commands, (c) => c.label)
  const noteScores = scored(notes, (n) => n.title, (n) => n.folded).slice(0, MAX_NOTES)
  const commandResults = commandScores.map(({ item, indices }): Result => ({ kind: 'command', command: item, indices }))
  const noteResults = noteScores.map(({ item, indices }): Result => ({ kind: 'note', note: item, indices }))
  // With no query: recent notes first (the caller's order), then commands. Typing: the better group first.
  if (q === '') return [...noteResults.slice(0, 8), ...commandResults]
  return (commandScores[0]?.score ?? -Infinity) >= (noteScores[0]?.score ?? -Infinity) ? [...commandResults, ...noteResults] : [...noteResults, ...commandResults]
}

function Marked({ text, indices }: { text: string; indices: readonly number[] }) {
  const set = new Set(indices)
  const parts: ReactNode[] = []
  for (let i = 0; i < text.length; i++) parts.push(set.has(i) ? <mark key={i}>{text[i]}</mark> : text[i])
  return <>{parts}</>
}

interface Props {
  commands: readonly PaletteCommand[]
  notes: readonly PaletteNote[]
  onOpenNote(id: string): void
  onClose(): void
}

export function CommandPalette({ commands, notes, onOpenNote, onClose }: Props) {
  const [query, setQuery] = useState('')
  const deferred = useDeferredValue(query)
  const [active, setActive] = useState(0)
  const listId = useId()
  const results = useMemo(() => paletteResults(deferred, commands, notes), [deferred, commands, notes])
  const current = Math.min(active, results.length - 1)
  const optionId = (index: number): string => `${listId}-${index}`

  const choose = (result: Result | undefined): void => {
    if (!result) return
    onClose()
    if (result.kind === 'command') result.command.run()
    else onOpenNote(result.note.id)
  }

  return (
    <Modal title="Go to a note or run a command" onCancel={onClose} size="medium">
      <div className="palette">
        <input
          className="field-input palette-input"
          role="combobox"
          aria-label="Command or note"
          aria-expanded="true"
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={results.length > 0 ? optionId(current) : undefined}
          placeholder="Type a command or a note’s title"
          value={query}
          data-autofocus
          onChange={(event) => {
            setQuery(event.target.value)
            setActive(0)
          }}
          onKeyDown={(event) => {
            if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
              event.preventDefault()
              const delta = event.key === 'ArrowDown' ? 1 : -1
              setActive((current + delta + results.length) % Math.max(1, results.length))
              document.getElementById(optionId((current + delta + results.length) % Math.max(1, results.length)))?.scrollIntoView({ block: 'nearest' })
            } else if (event.key === 'Enter') {
              event.preventDefault()
              choose(results[current])
            }
          }}
        />
        <ul className="palette-results" id={listId} role="listbox" aria-label="Results">
          {results.length === 0 && (
            <li className="palette-empty" role="presentation">
              Nothing matches “{query}”.
            </li>
          )}
          {results.map((result, index) => (
            <li
              key={result.kind === 'command' ? `c:${result.command.id}` : `n:${result.note.id}`}
              id={optionId(index)}
              role="option"
              aria-selected={index === current}
              className="palette-option"
              onPointerMove={() => index !== current && setActive(index)}
              onClick={() => choose(result)}
            >
              {result.kind === 'command' ? (
                <>
                  <span className="palette-kind">Command</span>
                  <span className="palette-label">
                    <Marked text={result.command.label} indices={result.indices} />
                  </span>
                  {result.command.shortcut && <kbd className="palette-hint">{result.command.shortcut}</kbd>}
                </>
              ) : (
                <>
                  <span className="palette-kind">Note</span>
                  <span className="palette-label">
                    <Marked text={result.note.title} indices={result.indices} />
                  </span>
                  {result.note.where && <span className="palette-hint">{result.note.where}</span>}
                </>
              )}
            </li>
          ))}
        </ul>
      </div>
    </Modal>
  )
}
