// Small in-app modal dialogs (the Electron renderer has no window.prompt).
// Built on <dialog> + showModal(): focus trapping, Escape and the backdrop come from the platform.

import { useEffect, useId, useRef, useState } from 'react'
import type { FormEvent, ReactNode } from 'react'

interface ModalProps {
  title: string
  onCancel(): void
  children: ReactNode
  /** 'wide' for two-column views (history), 'medium' for tables and forms; small by default. */
  size?: 'small' | 'medium' | 'wide'
}

/**
 * A modal dialog. Focus: the element marked `data-autofocus` when there is one, else the dialog
 * itself, never the first button (which may be destructive); on close, focus returns to where it
 * was. The platform traps focus inside and closes on Escape.
 */
export function Modal({ title, onCancel, children, size = 'small' }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  useEffect(() => {
    const dialog = ref.current
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
    if (dialog && !dialog.open) dialog.showModal()
    const initial = dialog?.querySelector<HTMLElement>('[data-autofocus]')
    ;(initial ?? dialog)?.focus()
    return () => {
      dialog?.close()
      if (opener?.isConnected) opener.focus()
    }
  }, [])
  return (
    <dialog
      ref={ref}
      className={size === 'small' ? 'dialog' : `dialog ${size}`}
      aria-labelledby={titleId}
      tabIndex={-1}
      onCancel={(event) => {
        event.preventDefault()
        onCancel()
      }}
    >
      <h2 id={titleId} className="dialog-title">
        {title}
      </h2>
      <div className="dialog-body">{children}</div>
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
        <button type="button" className="button" onClick={onCancel} data-autofocus>
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
          data-autofocus
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
