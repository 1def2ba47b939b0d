/**
 * The largest value reported within a sliding window, kept in fixed time buckets so memory stays
 * bounded however many clients report. Used for the oldest pending op age clients report: a gauge
 * of the last report alone would flicker between a stuck client and a healthy one.
 */
export class RecentMax {
  private readonly buckets: { start: number; max: number }[] = []

  constructor(
    private readonly windowMs: number,
    private readonly bucketMs = windowMs / 30,
  ) {}

  report(value: number, now: number): void {
    const start = now - (now % this.bucketMs)
    const last = this.buckets[this.buckets.length - 1]
    if (last && last.start === start) last.max = Math.max(last.max, value)
    else this.buckets.push({ start, max: value })
    this.prune(now)
  }

  /** The max over the window ending at `now`; 0 when nothing was reported in it. */
  value(now: number): number {
    this.prune(now)
    return this.buckets.reduce((max, b) => Math.max(max, b.max), 0)
  }

  private prune(now: number): void {
    // A bucket counts while any part of it lies inside the window.
    while (this.buckets.length > 0 && this.buckets[0]!.start + this.bucketMs <= now - this.windowMs) this.buckets.shift()
  }
}
