// Images and files in notes between two devices, through the real relay and its blob endpoints.
// Ground truth: what the relay serves for a hash (GET /v1/blobs/<hash>, SHA-256 compared) and what
// each device's IndexedDB holds (the `skein-attachments` database, the note's text after a reload).

import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { extname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { pageErrors } from '../helpers/browser'
import { CLIENT_DIR, WAIT, closeTrash, editor, editorText, noteTitles, openNote, selectedNoteId, sidebar } from './app'
import { deleteForever, openSyncDetails, openWhenListed, trashOpenNote, waitUntilOnline, writeNewNote } from './choreography'
import { twoDevicesPerFile, type E2eRelay } from './relay-fixture'

/** The relay takes attachments up to this size here (its flag --max-attachment-mb, 25 MB by default). */
const LIMIT = 64 * 1024

const { a, b, proxy, relay } = twoDevicesPerFile({ cuttable: 'b', limits: { maxAttachmentBytes: LIMIT } })

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** A PNG drawn by the page's canvas (a real image, its bytes returned). */
async function drawPng(page: Page, width: number, height: number, label: string): Promise<Uint8Array> {
  const bytes = await page.evaluate(
    async ({ width, height, label }) => {
      const canvas = document.createElement('canvas')
      canvas.width = width
      canvas.height = height
      const g = canvas.getContext('2d')!
      g.fillStyle = '#2f6fdf'
      g.fillRect(0, 0, width, height)
      g.fillStyle = '#f5c542'
      g.beginPath()
      g.arc(width * 0.7, height * 0.35, height * 0.2, 0, Math.PI * 2)
      g.fill()
      g.fillStyle = '#ffffff'
      g.font = 'bold 28px sans-serif'
      g.fillText(label, 20, height - 24)
      const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), 'image/png'))
      return Array.from(new Uint8Array(await blob.arrayBuffer()))
    },
    { width, height, label },
  )
  return new Uint8Array(bytes)
}

/** Pastes files into the editor, as the clipboard would hand them over. */
async function paste(page: Page, files: { name: string; type: string; bytes: Uint8Array }[]): Promise<void> {
  await editor(page).click()
  await editor(page).evaluate(
    (el, files) => {
      const data = new DataTransfer()
      for (const f of files) data.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: f.type }))
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
    },
    files.map((f) => ({ ...f, bytes: Array.from(f.bytes) })),
  )
}

/** What the relay serves for `hash`: its status, and the SHA-256 of the body. */
async function relayHas(relay: E2eRelay, hash: string): Promise<{ status: number; sha: string | null }> {
  const response = await fetch(new URL(`v1/blobs/${hash}`, relay.url))
  const body = new Uint8Array(await response.arrayBuffer())
  return { status: response.status, sha: response.ok ? sha256(body) : null }
}

/** The SHA-256 of the bytes the device keeps for `hash` in IndexedDB, or null. */
function deviceHas(page: Page, hash: string): Promise<string | null> {
  return page.evaluate(async (hash) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('skein-attachments')
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => reject(req.error)
    })
    try {
      const data = await new Promise<ArrayBuffer | undefined>((resolve, reject) => {
        const req = db.transaction('bytes').objectStore('bytes').get(hash)
        req.onsuccess = () => resolve(req.result as ArrayBuffer | undefined)
        req.onerror = () => reject(req.error)
      })
      if (!data) return null
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data))
      return Array.from(digest, (x) => x.toString(16).padStart(2, '0')).join('')
    } finally {
      db.close()
    }
  }, hash)
}

/** The natural width of the note's image named `name` once its bytes are drawn (0 while loading). */
function imageWidth(page: Page, name: string): Promise<number> {
  return editor(page)
    .getByRole('img', { name: `Image ${name}` })
    .or(editor(page).locator(`[aria-label="Image ${name}"]`))
    .first()
    .evaluate((el) => {
      const img = el.querySelector('img')
      return img && img.complete && img.src.startsWith('blob:') ? img.naturalWidth : 0
    })
    .catch(() => 0)
}

async function attachmentState(page: Page, name: string): Promise<string> {
  const details = await openSyncDetails(page)
  const text = (await details.getByRole('row', { name: `Attachment ${name}` }).textContent({ timeout: 5_000 }).catch(() => null)) ?? '(no row)'
  await details.getByRole('button', { name: 'Close', exact: true }).click()
  return text
}

describe('attachments between two devices', () => {
  it('an image pasted on A shows on B, and B still shows it offline after a reload, from its own copy', { timeout: 240_000 }, async () => {
    await waitUntilOnline(a.page, b.page)
    await writeNewNote(a.page, 'Trip photos')
    const png = await drawPng(a.page, 320, 200, 'Trip')
    const hash = sha256(png)
    await paste(a.page, [{ name: 'trip.png', type: 'image/png', bytes: png }])
    await expect.poll(() => imageWidth(a.page, 'trip.png'), WAIT).toBe(320)
    // The relay stores exactly these bytes.
    await expect.poll(() => relayHas(relay, hash), WAIT).toEqual({ status: 200, sha: hash })
    await expect.poll(() => attachmentState(a.page, 'trip.png'), WAIT).toMatch(/On the relay/)

    await openWhenListed(b.page, 'Trip photos')
    await expect.poll(() => imageWidth(b.page, 'trip.png'), WAIT).toBe(320)
    expect(await deviceHas(b.page, hash)).toBe(hash)

    // B loses the network, then reloads: the app comes from local files (as the desktop shell
    // loads it), nothing reaches the relay, and the image comes from B's IndexedDB.
    const noteId = await selectedNoteId(b.page)
    proxy.cut()
    const relayRequests: string[] = []
    await b.context.route('**/*', async (route) => {
      const url = new URL(route.request().url())
      if (url.pathname.startsWith('/v1/')) {
        relayRequests.push(url.pathname)
        return route.abort('internetdisconnected')
      }
      const path = join(CLIENT_DIR, url.pathname === '/' ? 'index.html' : url.pathname)
      const body = await readFile(path).catch(() => null)
      const type = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' }[extname(path)] ?? 'application/octet-stream'
      return body ? route.fulfill({ body, contentType: type }) : route.fulfill({ body: await readFile(join(CLIENT_DIR, 'index.html')), contentType: 'text/html' })
    })
    try {
      await b.page.reload()
      expect(await selectedNoteId(b.page)).toBe(noteId)
      await openNote(b.page, 'Trip photos')
      await expect.poll(() => imageWidth(b.page, 'trip.png'), WAIT).toBe(320)
      expect(await editorText(b.page)).toContain('Trip photos')
      expect(relayRequests.filter((p) => p.startsWith('/v1/blobs'))).toEqual([])
    } finally {
      await b.context.unrouteAll({ behavior: 'ignoreErrors' })
      proxy.restore()
      await b.page.reload()
    }
    expect([...pageErrors(a), ...pageErrors(b)]).toEqual([])
  })

  it('refuses an oversized file and one whose bytes arrive altered, says so in the note and in Sync details, and loses nothing', { timeout: 240_000 }, async () => {
    const page = a.page
    await writeNewNote(page, 'Refused files')
    const big = new Uint8Array(LIMIT * 2).map((_, i) => (i * 7919) % 251)
    const bigHash = sha256(big)
    await paste(page, [{ name: 'big.bin', type: 'application/octet-stream', bytes: big }])
    await expect.poll(() => editor(page).getByRole('button', { name: 'Save big.bin' }).count(), WAIT).toBe(1)
    await expect.poll(() => attachmentState(page, 'big.bin'), WAIT).toMatch(/Refused: Too large for the relay \(limit 64 kB\) \(kept on this device\)/)
    await expect.poll(() => page.getByRole('alert', { name: 'Attachment refused' }).textContent(), WAIT).toContain('big.bin: Too large for the relay (limit 64 kB)')

    // A network in between alters the bytes of the next upload: the relay sees the hash mismatch.
    await page.route('**/v1/blobs/**', async (route) => {
      const request = route.request()
      const body = request.postDataBuffer()
      if (request.method() !== 'PUT' || !body) return route.continue()
      body[0] = body[0]! ^ 0xff
      return route.continue({ postData: body })
    })
    const small = new TextEncoder().encode('minutes of the meeting\n')
    const smallHash = sha256(small)
    await paste(page, [{ name: 'minutes.txt', type: 'text/plain', bytes: small }])
    await expect.poll(() => attachmentState(page, 'minutes.txt'), WAIT).toMatch(/Refused: The relay received different bytes than this device sent \(hash mismatch\)/)
    await page.unrouteAll({ behavior: 'ignoreErrors' })

    // Nothing lost: both files' bytes on the device, none on the relay, the text and the chips
    // back from IndexedDB after a reload, and the refusals still shown.
    expect(await deviceHas(page, bigHash)).toBe(bigHash)
    expect(await deviceHas(page, smallHash)).toBe(smallHash)
    expect((await relayHas(relay, bigHash)).status).toBe(404)
    expect((await relayHas(relay, smallHash)).status).toBe(404)
    await page.reload()
    await expect.poll(() => editorText(page), WAIT).toContain('Refused files')
    await expect.poll(() => editor(page).getByRole('button', { name: /^Save (big\.bin|minutes\.txt)$/ }).count(), WAIT).toBe(2)
    expect(await attachmentState(page, 'big.bin')).toMatch(/Refused: Too large/)

    // Retry: the unaltered bytes now reach the relay.
    const details = await openSyncDetails(page)
    await details.getByRole('button', { name: 'Retry minutes.txt' }).click()
    await details.getByRole('button', { name: 'Close', exact: true }).click()
    await expect.poll(() => relayHas(relay, smallHash), WAIT).toEqual({ status: 200, sha: smallHash })
    expect(pageErrors(a)).toEqual([])
  })

  it('keeps an upload queued across a reload while the relay cannot take it, and uploads it once it can', { timeout: 240_000 }, async () => {
    const page = a.page
    await writeNewNote(page, 'Queued upload')
    await page.route('**/v1/blobs/**', (route) => route.abort('connectionrefused'))
    const png = await drawPng(page, 200, 120, 'Queued')
    const hash = sha256(png)
    await paste(page, [{ name: 'queued.png', type: 'image/png', bytes: png }])
    await expect.poll(() => attachmentState(page, 'queued.png'), WAIT).toMatch(/Waiting to upload: relay unreachable/)
    await page.reload()
    await expect.poll(() => imageWidth(page, 'queued.png'), WAIT).toBe(200)
    expect(await attachmentState(page, 'queued.png')).toMatch(/Waiting to upload/)
    expect((await relayHas(relay, hash)).status).toBe(404)

    await page.unrouteAll({ behavior: 'ignoreErrors' })
    // No click: the queue retries by itself.
    await expect.poll(() => relayHas(relay, hash), WAIT).toEqual({ status: 200, sha: hash })
    await expect.poll(() => attachmentState(page, 'queued.png'), WAIT).toMatch(/On the relay/)
    expect(pageErrors(a)).toEqual([])
  })

  it('drops the bytes from the device when the last note using them is deleted forever, and keeps those another note uses', { timeout: 240_000 }, async () => {
    const page = a.page
    await writeNewNote(page, 'Keeps the shared one')
    const shared = await drawPng(page, 120, 80, 'Shared')
    await paste(page, [{ name: 'shared.png', type: 'image/png', bytes: shared }])
    await expect.poll(() => imageWidth(page, 'shared.png'), WAIT).toBe(120)
    await writeNewNote(page, 'Goes forever')
    const own = await drawPng(page, 100, 60, 'Own')
    await paste(page, [
      { name: 'shared.png', type: 'image/png', bytes: shared },
      { name: 'own.png', type: 'image/png', bytes: own },
    ])
    await expect.poll(() => imageWidth(page, 'own.png'), WAIT).toBe(100)
    expect(await deviceHas(page, sha256(own))).toBe(sha256(own))

    await expect.poll(() => noteTitles(page), WAIT).toContain('Goes forever')
    await trashOpenNote(page)
    await deleteForever(page, 'Goes forever')
    await expect.poll(() => deviceHas(page, sha256(own)), WAIT).toBeNull()
    expect(await deviceHas(page, sha256(shared))).toBe(sha256(shared))
    await closeTrash(page)
    expect(pageErrors(a)).toEqual([])
  })

  it('imports a folder whose Markdown links an image and a file beside it: the note shows them and A uploads them', { timeout: 240_000 }, async () => {
    const page = a.page
    const png = await drawPng(page, 160, 90, 'Imported')
    const pdf = new TextEncoder().encode('%PDF-1.4 imported file')
    const dir = await mkdtemp(join(tmpdir(), 'skein-attach-import-'))
    try {
      await mkdir(join(dir, 'Trip', 'attachments'), { recursive: true })
      await writeFile(join(dir, 'Trip', 'Day one.md'), '# Day one\n\n![the lake](attachments/lake.png) and [plan.pdf](attachments/plan.pdf)\n')
      await writeFile(join(dir, 'Trip', 'attachments', 'lake.png'), png)
      await writeFile(join(dir, 'Trip', 'attachments', 'plan.pdf'), pdf)
      await sidebar(page).getByRole('button', { name: 'Import…' }).click()
      const dialog = page.getByRole('dialog', { name: 'Import Markdown' })
      await dialog.getByLabel('Folder to import').setInputFiles(join(dir, 'Trip'))
      await expect.poll(() => dialog.getByRole('status', { name: 'Import summary' }).innerText(), WAIT).toBe('Imported 1 note, created 1 folder.')
      await dialog.getByRole('button', { name: 'Done' }).click()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
    await openNote(page, 'Day one')
    await expect.poll(() => imageWidth(page, 'lake.png'), WAIT).toBe(160)
    expect(await editor(page).getByRole('button', { name: 'Save plan.pdf' }).count()).toBe(1)
    await expect.poll(() => relayHas(relay, sha256(png)), WAIT).toEqual({ status: 200, sha: sha256(png) })
    await expect.poll(() => relayHas(relay, sha256(pdf)), WAIT).toEqual({ status: 200, sha: sha256(pdf) })
    expect(pageErrors(a)).toEqual([])
  })
})
