import { describe, expect, it } from 'vitest'
import {
  denyAllPermissions,
  externalUrlToOpen,
  guardWebContents,
  setupNavigationSecurity,
} from '../../../electron/main/navigation.js'

describe('externalUrlToOpen', () => {
  it.each([
    ['https://example.com/a?b=c', 'https://example.com/a?b=c'],
    ['http://example.com', 'http://example.com/'],
    ['HTTPS://Example.COM/x', 'https://example.com/x'],
    ['mailto:someone@example.com', 'mailto:someone@example.com'],
  ])('opens %s as %s', (url, expected) => {
    expect(externalUrlToOpen(url)).toBe(expected)
  })

  it.each([
    ['javascript:', 'javascript:alert(1)'],
    ['upper-case JAVASCRIPT:', 'JAVASCRIPT:alert(1)'],
    ['leading-space javascript:', ' javascript:alert(1)'],
    ['tab-split javascript:', 'java\tscript:alert(1)'],
    ['newline-split javascript:', 'java\nscript:alert(1)'],
    ['vbscript:', 'vbscript:msgbox(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['file:', 'file:///etc/passwd'],
    ['smb:', 'smb://host/share'],
    ['ms-msdt:', 'ms-msdt:/id PCWDiagnostic'],
    ['the app itself', 'app://skein/'],
    ['http without a host', 'http:'],
    ['credentials that disguise the host', 'https://bank.example.com@evil.example/'],
    ['not a URL', 'example.com'],
    ['empty', ''],
  ])('refuses %s', (_name, url) => {
    expect(externalUrlToOpen(url)).toBeNull()
  })
})

type Listener = (event: { url: string; preventDefault: () => void }) => void

function fakeContents() {
  const listeners = new Map<string, Listener>()
  let windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined
  const contents = {
    on(event: string, listener: Listener) {
      listeners.set(event, listener)
      return contents
    },
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      windowOpenHandler = handler
    },
  }
  const fire = (event: string, url: string): boolean => {
    let prevented = false
    listeners.get(event)?.({ url, preventDefault: () => (prevented = true) })
    return prevented
  }
  const open = (url: string) => windowOpenHandler?.({ url })
  return { contents, fire, open, listeners }
}

function guarded() {
  const fake = fakeContents()
  const opened: string[] = []
  // The fakes implement only what guardWebContents uses; the cast narrows Electron's overloads.
  guardWebContents(fake.contents as unknown as Parameters<typeof guardWebContents>[0], async (url) => {
    opened.push(url)
  })
  return { ...fake, opened }
}

describe('guardWebContents', () => {
  it('lets the page navigate within app://skein/', () => {
    const { fire } = guarded()
    expect(fire('will-navigate', 'app://skein/notes/1')).toBe(false)
  })

  it('blocks navigation to anything else and opens only allowlisted URLs externally', () => {
    const { fire, opened } = guarded()
    expect(fire('will-navigate', 'https://example.com/')).toBe(true)
    expect(fire('will-navigate', 'file:///etc/passwd')).toBe(true)
    expect(fire('will-navigate', 'app://evil/')).toBe(true)
    expect(opened).toEqual(['https://example.com/'])
  })

  it('blocks redirects away from the app', () => {
    const { fire } = guarded()
    expect(fire('will-redirect', 'https://example.com/')).toBe(true)
    expect(fire('will-redirect', 'app://skein/index.html')).toBe(false)
  })

  it('refuses to attach webviews', () => {
    const { fire } = guarded()
    expect(fire('will-attach-webview', 'app://skein/')).toBe(true)
  })

  it('denies every new window, opening safe links in the browser', () => {
    const { open, opened } = guarded()
    expect(open('https://example.com/doc')).toEqual({ action: 'deny' })
    expect(open('mailto:a@example.com')).toEqual({ action: 'deny' })
    expect(open('app://skein/')).toEqual({ action: 'deny' })
    expect(opened).toEqual(['https://example.com/doc', 'mailto:a@example.com'])
  })

  it.each(['javascript:alert(1)', 'JAVASCRIPT:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)',
    'data:text/html,x', 'file:///etc/passwd', 'vbscript:x'])('never passes %j to openExternal', (url) => {
    const { open, fire, opened } = guarded()
    expect(open(url)).toEqual({ action: 'deny' })
    fire('will-navigate', url)
    expect(opened).toEqual([])
  })
})

function fakeSession() {
  const handlers: {
    request?: (wc: unknown, permission: string, callback: (granted: boolean) => void) => void
    check?: (...args: unknown[]) => boolean
    device?: (...args: unknown[]) => boolean
  } = {}
  const session = {
    setPermissionRequestHandler: (h: NonNullable<typeof handlers.request>) => (handlers.request = h),
    setPermissionCheckHandler: (h: NonNullable<typeof handlers.check>) => (handlers.check = h),
    setDevicePermissionHandler: (h: NonNullable<typeof handlers.device>) => (handlers.device = h),
  }
  return { session: session as unknown as Parameters<typeof denyAllPermissions>[0], handlers }
}

describe('denyAllPermissions', () => {
  it.each(['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen'])(
    'denies a %s request',
    (permission) => {
      const { session, handlers } = fakeSession()
      denyAllPermissions(session)
      const answers: boolean[] = []
      handlers.request?.({}, permission, (granted) => answers.push(granted))
      expect(answers).toEqual([false])
    },
  )

  it('answers every permission check and device request with false', () => {
    const { session, handlers } = fakeSession()
    denyAllPermissions(session)
    expect(handlers.check?.(null, 'clipboard-read', 'app://skein', {})).toBe(false)
    expect(handlers.device?.({ deviceType: 'usb', origin: 'app://skein' })).toBe(false)
  })
})

describe('setupNavigationSecurity', () => {
  it('installs the permission handlers and guards every webContents the app creates', () => {
    const { session, handlers } = fakeSession()
    const appListeners = new Map<string, (event: unknown, contents: unknown) => void>()
    const app = { on: (event: string, l: (event: unknown, contents: unknown) => void) => appListeners.set(event, l) }
    const opened: string[] = []
    const shell = { openExternal: async (url: string) => void opened.push(url) }
    setupNavigationSecurity(app as unknown as Parameters<typeof setupNavigationSecurity>[0], session, shell)

    expect(handlers.request).toBeDefined()
    expect(handlers.check).toBeDefined()
    const fake = fakeContents()
    appListeners.get('web-contents-created')?.({}, fake.contents)
    expect(fake.fire('will-navigate', 'https://example.com/')).toBe(true)
    expect(fake.open('https://example.com/x')).toEqual({ action: 'deny' })
    expect(opened).toEqual(['https://example.com/', 'https://example.com/x'])
  })
})
