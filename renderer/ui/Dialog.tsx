// Small in-app modal dialogs (the Electron renderer has no window.prompt).
// Built on <dialog> + showModal(): focus trapping, Escape and the backdrop come from the platform.

import { useEffect, useId, useRef, useState } from 'react'
import type { FormEvent, ReactNode } from 'react'

interface ModalProps {
  title: string
  onCancel(): void
  children: ReactNode
}

export function Modal({ title, onCancel, children }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  useEffect(() => {
    const dialog = ref.current
    if (dialog && !dialog.open) dialog.showModal()
    return () => dialog?.close()
  }, [])
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault()
        onCancel()
      }}
    >
      <h2 id={titleId} className="dialog-title">
        {title}
      </h2>
      {children}
    </dialog>
  )
}

/** A dialog's action row when its only action is to close it. */
export function CloseActions({ onClose }: { onClose(): void }) {
  return (
    <div className="dialog-actions">
      <button type="button" className="button" onClick={onClose}>
        Close
      </button>
    </div>
  )
}

interface ConfirmProps {
  title: string
  message: string
  confirmLabel: string
  onConfirm(): void
  onCancel(): void
}

export function ConfirmDialog({ title, message, confirmLabel, onConfirm, onCancel }: ConfirmProps) {
  return (
    <Modal title={title} onCancel={onCancel}>
      <p className="dialog-message">{message}</p>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onCancel} autoFocus>
          Cancel
        </button>
        <button type="button" className="button danger" onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </Modal>
  )
}

interface PromptProps {
  title: string
  label: string
  initialValue: string
  placeholder?: string | undefined
  submitLabel: string
  /** Returns an error message for invalid input, or null. */
  validate(value: string): string | null
  onSubmit(value: string): void
  onCancel(): void
  /** Optional extra action (e.g. "Remove link"). */
  secondary?: { label: string; onClick(): void } | undefined
}

export function PromptDialog(props: PromptProps) {
  const { title, label, initialValue, placeholder, submitLabel, validate, onSubmit, onCancel, secondary } = props
  const [value, setValue] = useState(initialValue)
  const [error, setError] = useState<string | null>(null)
  const inputId = useId()
  const errorId = useId()
  const submit = (event: FormEvent): void => {
    event.preventDefault()
    const problem = validate(value)
    if (problem) setError(problem)
    else onSubmit(value.trim())
  }
  return (
    <Modal title={title} onCancel={onCancel}>
      <form onSubmit={submit}>
        <label className="field-label" htmlFor={inputId}>
          {label}
        </label>
        <input
          id={inputId}
          className="field-input"
          value={value}
          placeholder={placeholder}
          autoFocus
          aria-invalid={error !== null}
          aria-describedby={error ? errorId : undefined}
          onChange={(event) => {
            setValue(event.target.value)
            setError(null)
          }}
        />
        {error && (
          <p id={errorId} className="field-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          {secondary && (
            <button type="button" className="button" onClick={secondary.onClick}>
              {secondary.label}
            </button>
          )}
          <span className="spacer" />
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="button primary">
            {submitLabel}
          </button>
        </div>
      </form>
    </Modal>
  )
}
