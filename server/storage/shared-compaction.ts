import type { Logger } from 'pino'
import type { RelayHooks } from '../hooks.js'
import { roomLabel, type RoomId } from '../room-id.js'
import type { SharedDocStorage } from './types.js'

type CompactionHooks = Pick<Required<RelayHooks>, 'onCompaction' | 'onCompactionLock'>

/**
 * Compacts a room of shared storage from what storage holds (never from a relay's memory, which
 * may lack another relay's entries), and reports it: the lock's answer, and the time taken.
 */
export async function compactShared(storage: SharedDocStorage, room: RoomId, minEntries: number, hooks: CompactionHooks): Promise<'compacted' | 'busy' | 'skipped'> {
  const started = performance.now()
  const result = await storage.compactRoom(room, minEntries)
  hooks.onCompactionLock({ result })
  if (result === 'compacted') hooks.onCompaction({ room: roomLabel(room), seconds: (performance.now() - started) / 1000 })
  return result
}

/**
 * Rooms nobody on this relay has open still grow when other relays write to them: every
 * `everyMs`, the rooms storage says are long are compacted, one at a time, each under its lock.
 * A sweep still running when the next is due is not doubled.
 */
export function startCompactionSweeper(storage: SharedDocStorage, options: { everyMs: number; minEntries: number; hooks: CompactionHooks; log: Logger }): { stop(): void } {
  let sweeping = false
  let stopped = false
  const timer = setInterval(() => {
    if (sweeping) return
    sweeping = true
    void (async () => {
      try {
        for (const room of await storage.roomsToCompact(options.minEntries, 20)) {
          if (stopped) break
          await compactShared(storage, room, options.minEntries, options.hooks)
        }
      } catch (err) {
        options.log.warn({ err }, 'compaction sweep failed; tried again at the next sweep')
      } finally {
        sweeping = false
      }
    })()
  }, options.everyMs)
  timer.unref()
  return {
    stop() {
      stopped = true
      clearInterval(timer)
    },
  }
}
