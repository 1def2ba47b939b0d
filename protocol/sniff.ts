// What an attachment's bytes are, decided from the bytes alone. The relay serves blobs under the
// type found here and never under the uploader's Content-Type: a peer could otherwise upload HTML
// or SVG labelled image/png and have it rendered, with scripts, on the relay's origin. Pure, so
// the client can predict how the relay will serve a file.

/** Raster images a browser may show inline; everything else is served as a download. */
export const INLINE_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const

export const TEXT_TYPE = 'text/plain; charset=utf-8'
export const BINARY_TYPE = 'application/octet-stream'

type Signature = { type: string; at: number; bytes: readonly number[] }

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0))

// Magic numbers, checked in order; each from its format's specification.
const SIGNATURES: readonly Signature[] = [
  { type: 'image/png', at: 0, bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'image/jpeg', at: 0, bytes: [0xff, 0xd8, 0xff] },
  { type: 'image/gif', at: 0, bytes: ascii('GIF87a') },
  { type: 'image/gif', at: 0, bytes: ascii('GIF89a') },
  { type: 'application/pdf', at: 0, bytes: ascii('%PDF-') },
  // Local file header, or the end-of-directory record of an empty archive.
  { type: 'application/zip', at: 0, bytes: [0x50, 0x4b, 0x03, 0x04] },
  { type: 'application/zip', at: 0, bytes: [0x50, 0x4b, 0x05, 0x06] },
]

function matchesAt(bytes: Uint8Array, at: number, expected: readonly number[]): boolean {
  if (bytes.length < at + expected.length) return false
  return expected.every((b, i) => bytes[at + i] === b)
}

/** RIFF container with the WEBP form type. */
const isWebp = (bytes: Uint8Array): boolean => matchesAt(bytes, 0, ascii('RIFF')) && matchesAt(bytes, 8, ascii('WEBP'))

/** ISO-BMFF `ftyp` box whose major brand is an AVIF one (still image or sequence). */
const isAvif = (bytes: Uint8Array): boolean => matchesAt(bytes, 4, ascii('ftyp')) && (matchesAt(bytes, 8, ascii('avif')) || matchesAt(bytes, 8, ascii('avis')))

/**
 * Valid UTF-8 without control characters other than tab, line feed, form feed, carriage return
 * and escape: what a text editor would show as text. A NUL or a stray control byte means binary.
 */
function isPlainText(bytes: Uint8Array): boolean {
  for (const b of bytes) if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d && b !== 0x1b) || b === 0x7f) return false
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    return true
  } catch {
    return false
  }
}

/**
 * The media type of these bytes: a known image, PDF or ZIP by its magic number, plain UTF-8 text
 * (HTML, SVG and XML included: they are served as text, never as markup), else binary.
 */
export function sniffContentType(bytes: Uint8Array): string {
  for (const { type, at, bytes: expected } of SIGNATURES) if (matchesAt(bytes, at, expected)) return type
  if (isWebp(bytes)) return 'image/webp'
  if (isAvif(bytes)) return 'image/avif'
  if (bytes.length > 0 && isPlainText(bytes)) return TEXT_TYPE
  return BINARY_TYPE
}

/** Whether a blob of this (sniffed) type may be shown inline; otherwise it is a download. */
export function isInlineImage(type: string): boolean {
  return (INLINE_IMAGE_TYPES as readonly string[]).includes(type)
}
