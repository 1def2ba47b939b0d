// Who this device is to collaborators (presence): a display name and a cursor color.
import { desktopApi } from './desktop'
import { browserProfile } from './browser-storage'

export interface Profile {
  name: string
  color: string
}

export const DEFAULT_PROFILE: Readonly<Profile> = Object.freeze({ name: 'Anonymous', color: '#2563eb' })
const COLOR = /^#[0-9a-f]{6}$/i

export function profileFrom(stored: { displayName?: string | undefined; color?: string | undefined }): Profile {
  const name = stored.displayName?.trim() ?? ''
  return {
    name: name === '' ? DEFAULT_PROFILE.name : name.slice(0, 64),
    color: stored.color !== undefined && COLOR.test(stored.color) ? stored.color.toLowerCase() : DEFAULT_PROFILE.color,
  }
}

/** Never throws: without settings the defaults are a fine presence. */
export async function getProfile(): Promise<Profile> {
  const skein = desktopApi()
  if (!skein) return profileFrom(browserProfile())
  try {
    return profileFrom(await skein.getSettings())
  } catch {
    return { ...DEFAULT_PROFILE }
  }
}
