// The settings screen: relay URL, workspace token, and the name and color collaborators see.
// Saving applies by reloading the window (the relay connection is made at start-up).

import { useEffect, useId, useState } from 'react'
import type { FormEvent, ReactNode } from 'react'
import { Modal } from '../ui/Dialog'
import { loadSettings, saveSettings } from '../platform/settings-store'
import type { LoadedSettings, SettingsValues } from '../platform/settings-store'
import { checkColor, checkDisplayName, checkRelayUrl, checkToken } from './validation'
import type { Checked } from './validation'
import { testRelayConnection } from './connection-test'
import type { ConnectionResult } from './connection-test'

type Field = keyof SettingsValues
type Errors = Partial<Record<Field, string>>

const CHECKS: Record<Field, (value: string) => Checked<string>> = {
  relayUrl: checkRelayUrl,
  token: checkToken,
  displayName: checkDisplayName,
  color: checkColor,
}

/** The cleaned values, or the message for each field that is wrong. */
export function validateSettings(values: SettingsValues): { values: SettingsValues } | { errors: Errors } {
  const errors: Errors = {}
  const clean = { ...values }
  for (const field of Object.keys(CHECKS) as Field[]) {
    const result = CHECKS[field](values[field])
    if (result.ok) clean[field] = result.value
    else errors[field] = result.message
  }
  return Object.keys(errors).length > 0 ? { errors } : { values: clean }
}

const TOKEN_STORAGE_NOTE: Record<LoadedSettings['tokenStorage'], string> = {
  encrypted: 'Stored encrypted with your system keychain.',
  'session-only':
    'This system has no keychain Skein can use, so the token is kept only until you quit Skein. You will need to enter it again next time.',
  'browser-storage': "In the browser the token is kept in this browser's storage for this site. The desktop app keeps it in your system keychain.",
}

interface FieldProps {
  label: string
  error: string | undefined
  note?: ReactNode
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined }) => ReactNode
}

function FormField({ label, error, note, children }: FieldProps) {
  const id = useId()
  const errorId = useId()
  return (
    <div className="settings-field" style={{ marginBottom: 14 }}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {children({ id, 'aria-invalid': error !== undefined, 'aria-describedby': error ? errorId : undefined })}
      {note && <p className="dialog-message" style={{ margin: '6px 0 0', fontSize: 12 }}>{note}</p>}
      {error && (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  )
}

interface Props {
  onClose(): void
  /** After a successful save; the shell reloads the window to apply it. */
  onSaved(): void
}

export function SettingsDialog({ onClose, onSaved }: Props) {
  const [loaded, setLoaded] = useState<LoadedSettings | null>(null)
  const [values, setValues] = useState<SettingsValues | null>(null)
  const [errors, setErrors] = useState<Errors>({})
  const [status, setStatus] = useState<ConnectionResult | null>(null)
  const [busy, setBusy] = useState<'testing' | 'saving' | null>(null)
  const [loadError, setLoadError] = useState<string | null>(null)

  useEffect(() => {
    let live = true
    loadSettings().then(
      (result) => {
        if (!live) return
        setLoaded(result)
        setValues(result.values)
      },
      (error: unknown) => live && setLoadError(`Settings could not be read: ${String(error)}`),
    )
    return () => {
      live = false
    }
  }, [])

  const set = (field: Field) => (value: string) => {
    setValues((current) => (current ? { ...current, [field]: value } : current))
    setErrors((current) => ({ ...current, [field]: undefined }))
    setStatus(null)
  }

  const test = async (): Promise<void> => {
    if (!values) return
    const url = checkRelayUrl(values.relayUrl)
    const token = checkToken(values.token)
    if (!url.ok || !token.ok) {
      setErrors({ relayUrl: url.ok ? undefined : url.message, token: token.ok ? undefined : token.message })
      return
    }
    if (url.value === '') {
      setStatus({ ok: false, message: 'No relay set: Skein works on this device only.' })
      return
    }
    setBusy('testing')
    setStatus(await testRelayConnection(url.value, token.value))
    setBusy(null)
  }

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    if (!values) return
    const checked = validateSettings(values)
    if ('errors' in checked) {
      setErrors(checked.errors)
      return
    }
    setBusy('saving')
    try {
      await saveSettings(checked.values)
      onSaved()
    } catch (error) {
      setStatus({ ok: false, message: `Settings were not saved: ${error instanceof Error ? error.message : String(error)}` })
      setBusy(null)
    }
  }

  return (
    <Modal title="Settings" onCancel={onClose}>
      {loadError && <p className="field-error" role="alert">{loadError}</p>}
      {values && loaded && (
        <form onSubmit={(event) => void submit(event)} aria-label="Settings">
          <FormField
            label="Relay URL"
            error={errors.relayUrl}
            note={loaded.relayEditable ? 'Leave empty to keep notes on this device only.' : 'In the browser, Skein syncs through the relay that served this page.'}
          >
            {(props) => (
              <input
                {...props}
                className="field-input"
                value={values.relayUrl}
                readOnly={!loaded.relayEditable}
                placeholder="wss://relay.example.com"
                spellCheck={false}
                onChange={(event) => set('relayUrl')(event.target.value)}
              />
            )}
          </FormField>
          <FormField label="Workspace token" error={errors.token} note={TOKEN_STORAGE_NOTE[loaded.tokenStorage]}>
            {(props) => (
              <input
                {...props}
                className="field-input"
                type="password"
                autoComplete="off"
                spellCheck={false}
                value={values.token}
                onChange={(event) => set('token')(event.target.value)}
              />
            )}
          </FormField>
          <FormField label="Your name (shown to collaborators)" error={errors.displayName}>
            {(props) => (
              <input
                {...props}
                className="field-input"
                value={values.displayName}
                placeholder="Anonymous"
                maxLength={64}
                onChange={(event) => set('displayName')(event.target.value)}
              />
            )}
          </FormField>
          <FormField label="Your color" error={errors.color}>
            {(props) => (
              <input {...props} type="color" value={values.color} onChange={(event) => set('color')(event.target.value)} />
            )}
          </FormField>
          {status && (
            <p role="status" aria-label="Connection test" className={status.ok ? 'dialog-message' : 'field-error'}>
              {status.message}
            </p>
          )}
          <div className="dialog-actions">
            <button type="button" className="button" disabled={busy !== null} onClick={() => void test()}>
              {busy === 'testing' ? 'Testing…' : 'Test Connection'}
            </button>
            <span className="spacer" />
            <button type="button" className="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="button primary" disabled={busy !== null}>
              Save
            </button>
          </div>
        </form>
      )}
    </Modal>
  )
}
