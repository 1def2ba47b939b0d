// Who this device is to collaborators (presence): a display name and a cursor color.
import { desktopApi } from './desktop'
import { browserProfile } from './browser-storage'
import { DEFAULT_PRESENCE_COLOR } from '../../electron/presence-default'
import { deviceIdentity, type Identity } from '../presence/identity'

export interface Profile {
  name: string
  color: string
}

export const DEFAULT_PROFILE: Readonly<Profile> = Object.freeze({ name: 'Anonymous', color: '#2563eb' })
const COLOR = /^#[0-9a-f]{6}$/i

/**
 * The profile from stored settings; blanks come from the device's identity (a random colour and
 * animal, see presence/identity.ts). The desktop shell stores DEFAULT_PRESENCE_COLOR until the
 * writer saves Settings, so that colour with no name counts as not chosen either.
 */
export function profileFrom(stored: { displayName?: string | undefined; color?: string | undefined }, identity: Identity = deviceIdentity()): Profile {
  const name = stored.displayName?.trim() ?? ''
  const chosenColor = stored.color !== undefined && COLOR.test(stored.color) && !(name === '' && stored.color.toLowerCase() === DEFAULT_PRESENCE_COLOR)
  return {
    name: name === '' ? identity.name : name.slice(0, 64),
    color: chosenColor ? stored.color!.toLowerCase() : identity.color,
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
