import { describe, expect, it } from 'vitest'
import { OpenNoteQueue, deepLinkFromArgv, parseDeepLink, setupDeepLinks } from '../../../electron/main/deep-link.js'

const ID = '0b6f1c9e-8a59-4d1e-9a43-3f4c2b1d0e7a'

describe('parseDeepLink', () => {
  it.each([
    [`skein://note/${ID}`, ID],
    [`skein://note/${ID}/`, ID],
    [`SKEIN://NOTE/${ID.toUpperCase()}`, ID],
  ])('reads the note id from %s', (url, id) => {
    expect(parseDeepLink(url)).toBe(id)
  })

  it.each([
    ['another scheme', `https://note/${ID}`],
    ['another host', `skein://settings/${ID}`],
    ['no id', 'skein://note/'],
    ['a short id', 'skein://note/1234'],
    ['a path traversal', 'skein://note/../../etc/passwd'],
    ['an encoded traversal', `skein://note/%2e%2e%2f${ID}`],
    ['an extra segment', `skein://note/${ID}/extra`],
    ['a query', `skein://note/${ID}?x=1`],
    ['a fragment', `skein://note/${ID}#x`],
    ['credentials', `skein://user:pw@note/${ID}`],
    ['a port', `skein://note:80/${ID}`],
    ['an id with a script', 'skein://note/<script>alert(1)</script>'],
    ['not a URL', 'skein:note'],
    ['an overlong link', `skein://note/${ID}${'/'.repeat(300)}`],
  ])('refuses %s', (_name, url) => {
    expect(parseDeepLink(url)).toBeNull()
  })
})

describe('deepLinkFromArgv', () => {
  it('finds the link among the other arguments Windows and Linux pass', () => {
    expect(deepLinkFromArgv(['/opt/Skein/skein', '--no-sandbox', `skein://note/${ID}`])).toBe(ID)
  })

  it('gives null without a link, or with an invalid one', () => {
    expect(deepLinkFromArgv(['/opt/Skein/skein', '--flag'])).toBeNull()
    expect(deepLinkFromArgv(['/opt/Skein/skein', 'skein://note/nope'])).toBeNull()
  })
})

describe('OpenNoteQueue', () => {
  it('hands each id out once, in order', () => {
    const queue = new OpenNoteQueue()
    queue.push('a')
    queue.push('b')
    expect(queue.take()).toEqual(['a', 'b'])
    expect(queue.take()).toEqual([])
  })

  it('keeps only the latest 20 when nobody takes them', () => {
    const queue = new OpenNoteQueue()
    for (let i = 0; i < 25; i += 1) queue.push(String(i))
    expect(queue.take()).toEqual(Array.from({ length: 20 }, (_, i) => String(i + 5)))
  })
})

describe('setupDeepLinks', () => {
  function fakeApp() {
    const registrations: unknown[][] = []
    const listeners = new Map<string, (event: { preventDefault(): void }, url: string) => void>()
    const app = {
      setAsDefaultProtocolClient: (...args: unknown[]) => {
        registrations.push(args)
        return true
      },
      on: (event: string, listener: (event: { preventDefault(): void }, url: string) => void) => {
        listeners.set(event, listener)
        return app
      },
    }
    return { app: app as never, registrations, listeners }
  }

  it('registers skein:// for the packaged app, and with the app path in development', () => {
    const packaged = fakeApp()
    setupDeepLinks(packaged.app, { execPath: '/opt/Skein/skein', argv: ['/opt/Skein/skein'] }, () => {})
    expect(packaged.registrations).toEqual([['skein']])
    const dev = fakeApp()
    setupDeepLinks(dev.app, { defaultApp: true, execPath: '/usr/bin/electron', argv: ['/usr/bin/electron', '/src/skein'] }, () => {})
    expect(dev.registrations).toEqual([['skein', '/usr/bin/electron', ['/src/skein']]])
  })

  it('opens valid macOS open-url links and ignores invalid ones', () => {
    const { app, listeners } = fakeApp()
    const opened: string[] = []
    setupDeepLinks(app, { execPath: 'x', argv: [] }, (id) => opened.push(id))
    let prevented = 0
    const event = { preventDefault: () => void (prevented += 1) }
    listeners.get('open-url')?.(event, `skein://note/${ID}`)
    listeners.get('open-url')?.(event, 'skein://note/../../x')
    expect(opened).toEqual([ID])
    expect(prevented).toBe(2)
  })
})
