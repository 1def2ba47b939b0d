// Runs @hocuspocus/server as its own process for the relay benchmark.
// Usage: node [--import bench/lag-probe.mjs] bench/peers/hocuspocus.mjs --port N [--data DIR]
// Prints "ready <port> persistence=<kind>" on stdout once listening.
//
// Persistence: uses @hocuspocus/extension-sqlite if it is installed (writing to DIR/hocuspocus.sqlite);
// otherwise the server keeps documents in memory only, and the bench reports "stored" as n/a.
import { parseArgs } from 'node:util'
import { join } from 'node:path'
import { Server } from '@hocuspocus/server'

const { values } = parseArgs({ options: { port: { type: 'string' }, data: { type: 'string' } } })
const port = Number(values.port ?? 0)

const extensions = []
let persistence = 'memory'
if (values.data) {
  try {
    const { SQLite } = await import('@hocuspocus/extension-sqlite')
    extensions.push(new SQLite({ database: join(values.data, 'hocuspocus.sqlite') }))
    persistence = 'sqlite'
  } catch {
    // Not installed: in-memory only.
  }
}

const server = new Server({ port, address: '127.0.0.1', quiet: true, extensions })
await server.listen()
process.stdout.write(`ready ${server.address.port} persistence=${persistence}\n`)

let stopping = false
const stop = () => {
  if (stopping) return
  stopping = true
  const hard = setTimeout(() => process.exit(1), 10_000)
  hard.unref()
  server.destroy().then(
    () => process.exit(0),
    () => process.exit(1),
  )
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
