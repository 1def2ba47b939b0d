import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { RUN_MARKER, leftovers } from '../helpers/leak-check'
import { tempDir } from '../helpers/relay'

/** `sleep` carrying `run` as its run marker, ended with the test. */
function sleeper(run: string) {
  const child = spawn('sleep', ['60'], { env: { ...process.env, [RUN_MARKER]: run }, stdio: 'ignore' })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  onTestFinished(async () => {
    child.kill()
    await exited
  })
  return child
}

describe("the end-of-run leak check", () => {
  it("names this run's processes still running and what is left in its temporary folder, and nothing of another run", async () => {
    const run = `run-${process.pid}-${Date.now()}`
    const runTmp = tempDir()
    const ours = sleeper(run)
    sleeper(`${run}-another`)
    mkdirSync(join(runTmp, 'skein-forgotten'))
    await new Promise((resolve) => ours.once('spawn', resolve))

    const left = leftovers(run, runTmp)
    expect(left.processes).toEqual([{ pid: ours.pid, command: 'sleep 60' }])
    expect(left.folders).toEqual(['skein-forgotten'])
  })

  it('finds nothing once they are gone', () => {
    expect(leftovers(`run-${process.pid}-none`, tempDir())).toEqual({ processes: [], folders: [] })
  })
})
