import { describe, expect, it } from 'vitest'
import { BusMessageError, decodeBusMessage, encodeBusMessage, type BusEnvelope } from '../../server/fanout/bus-message'

const room = { workspace: 'team-a', room: 'note/abc' }

describe('messages between relays', () => {
  const samples: BusEnvelope[] = [
    { from: 'relay-1', sentAt: 1_700_000_000_123.5, message: { kind: 'update', room, roomSeq: 2 ** 40, update: new Uint8Array([1, 2, 3, 0, 255]) } },
    { from: 'relay-2', sentAt: 0, message: { kind: 'presence', room, update: new Uint8Array([7]) } },
    { from: 'r', sentAt: 5, message: { kind: 'feed', workspace: 'team-a' } },
    { from: 'r', sentAt: 5, message: { kind: 'revoke', tokenIds: ['abc123def456', 'ffffffffffff'] } },
    { from: 'r', sentAt: 5, message: { kind: 'purge', rooms: [room, { workspace: 'w', room: 'history/abc' }] } },
  ]

  it.each(samples.map((s) => [s.message.kind, s] as const))('carries a %s message intact', (_kind, envelope) => {
    expect(decodeBusMessage(encodeBusMessage(envelope))).toEqual(envelope)
  })

  it('refuses bytes that are not a message, with a named error', () => {
    const good = encodeBusMessage(samples[0]!)
    for (const bad of [new Uint8Array(), new Uint8Array([99]), good.slice(0, good.length - 2), new Uint8Array([...good, 0])]) {
      expect(() => decodeBusMessage(bad)).toThrow(BusMessageError)
    }
  })
})
