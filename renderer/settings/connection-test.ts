// "Test connection": opens one WebSocket to the relay's index room with the token, the way the
// app will, and turns what happens into a sentence. The relay refuses a bad token by closing with
// 4401 (after or instead of opening, depending on where it is checked), so an open socket only
// counts once it has stayed open for a moment.

export const REFUSED_TOKEN_CODE = 4401

export type ConnectionResult = { ok: true; message: string } | { ok: false; message: string }

interface SocketLike {
  onopen: ((event: unknown) => void) | null
  onclose: ((event: { code: number; reason: string }) => void) | null
  onerror: ((event: unknown) => void) | null
  close(code?: number): void
}

export type SocketFactory = (url: string) => SocketLike

export function probeUrl(wsUrl: string, token: string): string {
  const url = new URL(`${wsUrl.replace(/\/+$/, '')}/index`)
  if (token !== '') url.searchParams.set('token', token)
  return url.href
}

export function describeClose(code: number, hadToken: boolean, opened: boolean): string {
  if (code === REFUSED_TOKEN_CODE) {
    return hadToken ? 'The relay refused this token.' : 'This relay needs a token. Enter the one you were given.'
  }
  if (!opened) return 'Could not reach the relay. Check the URL, and that the relay is running.'
  return `The relay closed the connection (code ${code}).`
}

export function testRelayConnection(
  wsUrl: string,
  token: string,
  // The DOM's handler properties are typed with `this: WebSocket`; SocketLike is the subset used.
  open: SocketFactory = (url) => new WebSocket(url) as unknown as SocketLike,
  settleMs = 800,
  timeoutMs = 8000,
): Promise<ConnectionResult> {
  return new Promise((resolve) => {
    let opened = false
    let done = false
    let socket: SocketLike
    const finish = (result: ConnectionResult): void => {
      if (done) return
      done = true
      clearTimeout(timeout)
      socket.onopen = socket.onclose = socket.onerror = null
      try {
        socket.close(1000)
      } catch {
        // already closed
      }
      resolve(result)
    }
    const timeout = setTimeout(() => finish({ ok: false, message: 'The relay did not answer in time.' }), timeoutMs)
    try {
      socket = open(probeUrl(wsUrl, token))
    } catch {
      clearTimeout(timeout)
      resolve({ ok: false, message: 'That relay URL cannot be used.' })
      return
    }
    socket.onopen = () => {
      opened = true
      setTimeout(() => finish({ ok: true, message: token === '' ? 'Connected to the relay.' : 'Connected: the relay accepted this token.' }), settleMs)
    }
    socket.onclose = (event) => finish({ ok: false, message: describeClose(event.code, token !== '', opened) })
    socket.onerror = () => {
      // A close event follows with the code; wait for it.
    }
  })
}
