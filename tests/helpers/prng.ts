/** mulberry32: a tiny seeded PRNG, so a failing random schedule can be replayed from its seed. */
export function prng(seed: number) {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    bytes: (n: number) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256)),
  }
}

/** The seed for this run: SKEIN_SEED if set (to replay), else a fresh one. */
export function testSeed(): number {
  return process.env.SKEIN_SEED ? Number(process.env.SKEIN_SEED) : Math.floor(Math.random() * 2 ** 31)
}
