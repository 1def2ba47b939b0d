import { describe, expect, it } from 'vitest'
import { IPC_CHANNELS, ipcContract, relayUrlSchema, settingsPatchSchema } from '../../electron/ipc-contract.js'

describe('ipc contract', () => {
  it('has one schema entry per channel name, and channel names are unique', () => {
    const names = Object.values(IPC_CHANNELS)
    expect(new Set(names).size).toBe(names.length)
    expect(Object.keys(ipcContract).sort()).toEqual([...names].sort())
  })

  it('namespaces every channel under skein:', () => {
    for (const name of Object.values(IPC_CHANNELS)) expect(name).toMatch(/^skein:[a-z-]+:[a-z-]+$/)
  })
})

describe('relayUrlSchema', () => {
  it.each(['ws://127.0.0.1:1234', 'wss://relay.example.com/team', 'ws://[::1]:1234', 'ws://localhost:1234'])(
    'accepts %s',
    (url) => {
      expect(relayUrlSchema.safeParse(url).success).toBe(true)
    },
  )

  it('trims surrounding whitespace', () => {
    expect(relayUrlSchema.parse('  ws://a.example:1 ')).toBe('ws://a.example:1')
  })

  it.each(['http://relay.example.com', 'https://relay.example.com', 'javascript:alert(1)', 'file:///x', 'ws://', '',
    `ws://a.example/${'x'.repeat(3000)}`])('refuses %j', (url) => {
    expect(relayUrlSchema.safeParse(url).success).toBe(false)
  })
})

describe('settingsPatchSchema', () => {
  it('accepts an empty patch and refuses unknown keys', () => {
    expect(settingsPatchSchema.safeParse({}).success).toBe(true)
    expect(settingsPatchSchema.safeParse({ token: 'x' }).success).toBe(false)
  })
})
