import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BINARY_TYPE, isInlineImage, sniffContentType, TEXT_TYPE } from '../../protocol/sniff'

const FIXTURES = join(__dirname, '../fixtures/attachments')
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)))

// The start of a still AVIF as libavif writes it: the `ftyp` box, major brand avif.
const AVIF_HEAD = Uint8Array.from([0x00, 0x00, 0x00, 0x20, ...Buffer.from('ftypavif'), 0, 0, 0, 0, ...Buffer.from('avifmif1miafMA1B')])

describe('sniffContentType', () => {
  it.each([
    ['pixel.png', 'image/png'],
    ['pixel.jpg', 'image/jpeg'],
    ['equation.gif', 'image/gif'],
    ['pixel.webp', 'image/webp'],
    ['page.pdf', 'application/pdf'],
    ['notes.zip', 'application/zip'],
    ['list.txt', TEXT_TYPE],
  ])('knows %s (a real file) as %s', (name, type) => {
    expect(sniffContentType(fixture(name))).toBe(type)
  })

  it('knows an AVIF by its ftyp box', () => {
    expect(sniffContentType(AVIF_HEAD)).toBe('image/avif')
  })

  it('serves SVG and HTML as plain text, never as markup', () => {
    expect(sniffContentType(fixture('drawing.svg'))).toBe(TEXT_TYPE)
    expect(sniffContentType(fixture('page.html'))).toBe(TEXT_TYPE)
  })

  it('calls bytes that are not UTF-8 text, or hold control characters, binary', () => {
    expect(sniffContentType(Uint8Array.from([0xc3, 0x28, 0x61]))).toBe(BINARY_TYPE) // invalid UTF-8
    expect(sniffContentType(Buffer.from('text\u0000with a NUL'))).toBe(BINARY_TYPE)
    expect(sniffContentType(new Uint8Array(0))).toBe(BINARY_TYPE)
    expect(sniffContentType(fixture('pixel.png').subarray(0, 7))).not.toBe('image/png') // a truncated signature
  })

  it('goes by the bytes only: HTML after a PNG name or type is still text, a PNG after text is not an image', () => {
    const html = fixture('page.html')
    expect(sniffContentType(html)).toBe(TEXT_TYPE)
    const png = fixture('pixel.png')
    expect(sniffContentType(Uint8Array.from([0x20, ...png]))).toBe(BINARY_TYPE)
  })
})

describe('isInlineImage', () => {
  it('allows only raster images inline', () => {
    for (const type of ['image/png', 'image/jpeg', 'image/gif', 'image/webp']) expect(isInlineImage(type)).toBe(true)
    for (const type of ['image/svg+xml', 'text/html', TEXT_TYPE, 'application/pdf', BINARY_TYPE, 'image/avif']) expect(isInlineImage(type)).toBe(false)
  })
})
