import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { APP_ORIGIN } from '../../../electron/main/protocol.js'
import { USER_DATA_DIR_NAME, pinUserDataPath, userDataPath } from '../../../electron/main/user-data.js'

// These values are where existing installs keep their notes. Changing one strands user data
// (IndexedDB is keyed by the origin and lives in userData): migrate first, then change the test.
describe('where user data lives', () => {
  it('is the Skein folder in the OS application-data folder', () => {
    expect(USER_DATA_DIR_NAME).toBe('Skein')
    expect(userDataPath('/home/ada/.config')).toBe(path.join('/home/ada/.config', 'Skein'))
  })

  it('does not depend on the product name or package name', () => {
    const paths = new Map([['appData', '/Users/ada/Library/Application Support']])
    const app = {
      name: 'Skein Notes Pro', // a renamed product
      getName: () => 'Skein Notes Pro',
      getPath: (name: string) => paths.get(name) ?? '',
      setPath: (name: string, value: string) => void paths.set(name, value),
    }
    expect(pinUserDataPath(app)).toBe(path.join('/Users/ada/Library/Application Support', 'Skein'))
    expect(paths.get('userData')).toBe(path.join('/Users/ada/Library/Application Support', 'Skein'))
  })

  it('serves the renderer from the origin app://skein, which IndexedDB is keyed by', () => {
    expect(APP_ORIGIN).toBe('app://skein')
  })
})
