// Who this device is to collaborators before the writer says: a colour and an animal, picked at
// random once per device and kept ("Teal Otter" in teal), so two people in one note are never both
// "Anonymous" in the same blue. Settings can change both.

export interface Identity {
  readonly name: string
  readonly color: string
}

/** Distinct hues, dark enough for white caret labels on them and visible on light and dark pages. */
const COLORS: readonly (readonly [string, string])[] = [
  ['Teal', '#0f766e'],
  ['Coral', '#c2410c'],
  ['Violet', '#7c3aed'],
  ['Crimson', '#be123c'],
  ['Olive', '#4d7c0f'],
  ['Indigo', '#4338ca'],
  ['Amber', '#b45309'],
  ['Magenta', '#a21caf'],
  ['Cobalt', '#1d4ed8'],
  ['Jade', '#047857'],
  ['Rust', '#9a3412'],
  ['Plum', '#86198f'],
]
const ANIMALS = ['Otter', 'Heron', 'Badger', 'Lynx', 'Puffin', 'Walrus', 'Gecko', 'Ibis', 'Marmot', 'Narwhal', 'Ocelot', 'Panda', 'Quokka', 'Raven', 'Stoat', 'Tapir', 'Urchin', 'Vole', 'Wombat', 'Yak', 'Bison', 'Crane', 'Dingo', 'Ferret', 'Gazelle', 'Hedgehog', 'Koala', 'Lemur', 'Moose', 'Newt']

/** A new random identity. */
export function newIdentity(random: () => number = Math.random): Identity {
  const [colorName, color] = COLORS[Math.floor(random() * COLORS.length)]!
  return { name: `${colorName} ${ANIMALS[Math.floor(random() * ANIMALS.length)]!}`, color }
}

const KEY = 'skein:identity'
const HEX = /^#[0-9a-f]{6}$/

/** This device's identity: the one it picked before, or a new one, kept from now on. */
export function deviceIdentity(storage: Pick<Storage, 'getItem' | 'setItem'> | null = globalThis.localStorage ?? null): Identity {
  try {
    const saved: unknown = JSON.parse(storage?.getItem(KEY) ?? 'null')
    if (saved && typeof saved === 'object') {
      const { name, color } = saved as Record<string, unknown>
      if (typeof name === 'string' && name.trim() !== '' && typeof color === 'string' && HEX.test(color)) return { name: name.slice(0, 64), color }
    }
  } catch {
    // unreadable: pick again
  }
  const identity = newIdentity()
  try {
    storage?.setItem(KEY, JSON.stringify(identity))
  } catch {
    // not kept: this session still has one
  }
  return identity
}
