// Reading and saving what the settings screen edits, in either build. Desktop: the shell's
// settings (settings.json) and its token store (safeStorage). Browser: the relay is the page's
// origin (fixed), and token and profile live in localStorage (see browser-storage.ts).
import { desktopApi } from './desktop'
import { browserProfile, browserToken, setBrowserProfile, setBrowserToken } from './browser-storage'
import { profileFrom } from './profile'
import { browserRelayUrl } from './relay-url'

export interface SettingsValues {
  /** '' = no relay (this device only). */
  relayUrl: string
  /** '' = no token. */
  token: string
  displayName: string
  color: string
}

export interface LoadedSettings {
  values: SettingsValues
  /** False in the browser build: the relay is the server that served the page. */
  relayEditable: boolean
  /**
   * Where a token is kept: 'encrypted' (OS keychain), 'session-only' (desktop without a keychain:
   * memory until quit) or 'browser-storage' (the browser build's localStorage).
   */
  tokenStorage: 'encrypted' | 'session-only' | 'browser-storage'
}

export async function loadSettings(): Promise<LoadedSettings> {
  const skein = desktopApi()
  if (!skein) {
    const profile = profileFrom(browserProfile())
    return {
      values: { relayUrl: browserRelayUrl() ?? '', token: browserToken() ?? '', displayName: profile.name, color: profile.color },
      relayEditable: false,
      tokenStorage: 'browser-storage',
    }
  }
  const [settings, token] = await Promise.all([skein.getSettings(), skein.getRelayToken()])
  const profile = profileFrom(settings)
  return {
    values: { relayUrl: settings.relayUrl, token: token.token ?? '', displayName: profile.name, color: profile.color },
    relayEditable: true,
    tokenStorage: token.persistence,
  }
}

/** Saves validated values (see renderer/settings/validation.ts). */
export async function saveSettings(values: SettingsValues): Promise<void> {
  const token = values.token === '' ? null : values.token
  const skein = desktopApi()
  if (!skein) {
    setBrowserToken(token)
    setBrowserProfile({ displayName: values.displayName, color: values.color })
    return
  }
  await skein.updateSettings({ relayUrl: values.relayUrl, displayName: values.displayName, color: values.color })
  await skein.setRelayToken(token)
}
