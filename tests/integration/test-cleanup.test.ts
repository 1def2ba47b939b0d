// What one test starts is gone before the next begins: the test helpers close relays (in this
// process and as processes), clients and data folders when the test that made them ends, passed
// or failed. The tests of one file run in order, so the second sees what the first left.
import { existsSync } from 'node:fs'
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { connectClient, freePort, startTestRelay, tempDir, whenSynced } from '../helpers/relay'
import { startRelayProcess } from '../helpers/relay-process'

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('a test leaves nothing for the next one', () => {
  const first = { relayPort: 0, relayDir: '', processPort: 0, processDir: '', processPid: 0 }

  it('starts a relay with a connected client, and a relay process, each on its own data folder', async () => {
    first.relayDir = tempDir()
    const relay = await startTestRelay({ dataDir: first.relayDir })
    first.relayPort = relay.port
    await whenSynced(connectClient(relay.wsUrl, 'note/cleanup').provider)

    first.processDir = tempDir()
    first.processPort = await freePort()
    const relayProcess = startRelayProcess(first.processPort, first.processDir)
    await relayProcess.listening()
    first.processPid = relayProcess.child.pid!

    expect(await acceptsConnections(first.relayPort)).toBe(true)
    expect(await acceptsConnections(first.processPort)).toBe(true)
    expect(existsSync(first.relayDir) && existsSync(first.processDir)).toBe(true)
  })

  it("finds the previous test's relays gone (ports refuse, process ended) and their folders removed", async () => {
    expect(first.processPid, 'the first test started everything').not.toBe(0)
    expect(await acceptsConnections(first.relayPort)).toBe(false)
    expect(await acceptsConnections(first.processPort)).toBe(false)
    expect(isRunning(first.processPid)).toBe(false)
    expect(existsSync(first.relayDir)).toBe(false)
    expect(existsSync(first.processDir)).toBe(false)
  })
})
