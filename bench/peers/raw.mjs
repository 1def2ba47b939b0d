// A raw byte-forwarding `ws` server for the relay benchmark: the floor any relay is measured
// against. It keeps no document and stores nothing; every binary frame a client sends is
// forwarded, as is, to the other sockets on the same path (the room). The only frame it answers
// is y-websocket's sync step 1, with a sync step 2 carrying an empty update, which is all a stock
// WebsocketProvider needs to report `synced` (the bench waits for it). Step 1 is not forwarded:
// the other clients would answer it with their whole document, which a real relay answers from
// its own copy. Rooms start empty in every workload, so nobody misses content.
// Usage: node [--import bench/lag-probe.mjs] bench/peers/raw.mjs --port N
import { parseArgs } from 'node:util'
import { WebSocketServer } from 'ws'

const { values } = parseArgs({ options: { port: { type: 'string' }, data: { type: 'string' } } })
const port = Number(values.port ?? 0)

// [messageSync, syncStep2, varUint8Array([0, 0])]: an update with no structs and no deletions.
const EMPTY_STEP2 = Buffer.from([0, 1, 2, 0, 0])

/** @type {Map<string, Set<import('ws').WebSocket>>} */
const rooms = new Map()
const wss = new WebSocketServer({ port, host: '127.0.0.1', perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 })

wss.on('connection', (ws, req) => {
  const path = req.url ?? '/'
  let room = rooms.get(path)
  if (!room) rooms.set(path, (room = new Set()))
  room.add(ws)
  ws.on('message', (data, isBinary) => {
    if (!isBinary || !Buffer.isBuffer(data) || data.length === 0) return
    if (data.length >= 2 && data[0] === 0 && data[1] === 0) return ws.send(EMPTY_STEP2)
    for (const peer of room) if (peer !== ws && peer.readyState === peer.OPEN) peer.send(data)
  })
  ws.on('error', () => ws.terminate())
  ws.on('close', () => {
    room.delete(ws)
    if (room.size === 0 && rooms.get(path) === room) rooms.delete(path)
  })
})

wss.on('listening', () => process.stdout.write(`ready ${/** @type {any} */ (wss.address()).port}\n`))

const stop = () => {
  for (const ws of wss.clients) ws.terminate()
  wss.close(() => process.exit(0))
  setTimeout(() => process.exit(0), 2000).unref()
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
