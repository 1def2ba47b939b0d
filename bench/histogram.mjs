// Latency histogram for the relay benchmark: log buckets with ~1% relative precision, so millions of
// samples cost nothing, and histograms from several load-generator threads can be merged exactly.

const LOG_STEP = Math.log(1.01)
export const BUCKETS = 4096

export class Histogram {
  constructor() {
    this.counts = new Float64Array(BUCKETS)
    this.n = 0
    this.max = 0
  }
  record(ms) {
    if (!(ms >= 0)) ms = 0
    const i = Math.min(BUCKETS - 1, Math.round(Math.log1p(ms * 100) / LOG_STEP))
    this.counts[i]++
    this.n++
    if (ms > this.max) this.max = ms
  }
  /** Plain object that survives postMessage. */
  toJSON() {
    return { counts: this.counts, n: this.n, max: this.max }
  }
  /** Adds another histogram (or its toJSON() form) into this one. */
  merge(other) {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] += other.counts[i]
    this.n += other.n
    if (other.max > this.max) this.max = other.max
    return this
  }
  quantile(q) {
    if (this.n === 0) return NaN
    const target = q * this.n
    let acc = 0
    for (let i = 0; i < this.counts.length; i++) {
      acc += this.counts[i]
      if (acc >= target) return Math.min(this.max, (Math.exp(i * LOG_STEP) - 1) / 100)
    }
    return this.max
  }
}

/** Send stamps kept per client in the shared stamp table (bench/load-worker.mjs): 204 s at 5 updates/s. */
export const STAMP_RING = 1024
