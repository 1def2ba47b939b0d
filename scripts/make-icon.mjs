#!/usr/bin/env node
// Draws the app icon (build/icon.png, 1024×1024 RGBA) without any image tooling: a rounded
// square in Skein blue with a loose thread loop, rendered by evaluating distance functions per
// pixel with 4×4 supersampling, and encoded as PNG with node:zlib. electron-builder derives the
// .icns (macOS) and .ico (Windows) from this file. Run: node scripts/make-icon.mjs
import { writeFileSync, mkdirSync } from 'node:fs'
import { deflateSync } from 'node:zlib'

const SIZE = 1024
const SAMPLES = 4

function crc32(bytes) {
  let crc = 0xffffffff
  for (const byte of bytes) {
    crc ^= byte
    for (let k = 0; k < 8; k += 1) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1
  }
  return (crc ^ 0xffffffff) >>> 0
}

function chunk(type, data) {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

export function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8 // bit depth
  header[9] = 6 // RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height)
  for (let y = 0; y < height; y += 1) {
    raw[y * (width * 4 + 1)] = 0 // filter: none
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

// Signed distance to a rounded square centred in the canvas (negative inside).
function roundedSquare(x, y, half, radius) {
  const qx = Math.abs(x) - half + radius
  const qy = Math.abs(y) - half + radius
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius
}

// The thread: two overlapping rings, like a loose skein of yarn.
function thread(x, y) {
  const ring = (cx, cy, r, w) => Math.abs(Math.hypot(x - cx, y - cy) - r) - w
  return Math.min(ring(-0.12, 0.02, 0.36, 0.06), ring(0.14, -0.04, 0.28, 0.06))
}

function shade(px, py) {
  // Canvas coordinates mapped to [-1, 1], y down.
  const x = (px / SIZE) * 2 - 1
  const y = (py / SIZE) * 2 - 1
  if (roundedSquare(x, y, 0.9, 0.2) > 0) return [0, 0, 0, 0]
  if (thread(x, y) < 0) return [255, 255, 255, 255]
  const t = (y + 1) / 2 // top-to-bottom gradient
  return [Math.round(37 + 20 * t), Math.round(99 - 40 * t), Math.round(235 - 60 * t), 255]
}

function render() {
  const rgba = Buffer.alloc(SIZE * SIZE * 4)
  for (let py = 0; py < SIZE; py += 1) {
    for (let px = 0; px < SIZE; px += 1) {
      const sum = [0, 0, 0, 0]
      for (let sy = 0; sy < SAMPLES; sy += 1) {
        for (let sx = 0; sx < SAMPLES; sx += 1) {
          const [r, g, b, a] = shade(px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES)
          // Premultiplied accumulation so transparent samples do not darken the edges.
          sum[0] += (r * a) / 255
          sum[1] += (g * a) / 255
          sum[2] += (b * a) / 255
          sum[3] += a
        }
      }
      const n = SAMPLES * SAMPLES
      const alpha = sum[3] / n
      const offset = (py * SIZE + px) * 4
      rgba[offset] = alpha === 0 ? 0 : Math.round((sum[0] / n) * (255 / alpha))
      rgba[offset + 1] = alpha === 0 ? 0 : Math.round((sum[1] / n) * (255 / alpha))
      rgba[offset + 2] = alpha === 0 ? 0 : Math.round((sum[2] / n) * (255 / alpha))
      rgba[offset + 3] = Math.round(alpha)
    }
  }
  return rgba
}

if (import.meta.url === `file://${process.argv[1]}`) {
  mkdirSync(new URL('../build/', import.meta.url), { recursive: true })
  writeFileSync(new URL('../build/icon.png', import.meta.url), encodePng(SIZE, SIZE, render()))
  console.log('wrote build/icon.png')
}
