/**
 * A token bucket: `ratePerSecond` tokens refill continuously up to `burst`. Each message takes
 * one; a message that finds the bucket empty is over the limit.
 */
export class TokenBucket {
  private tokens: number
  private last: number

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = monotonicNow,
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new Error(`TokenBucket: need rate > 0 and burst >= 1, got ${ratePerSecond}, ${burst}`)
    this.tokens = burst
    this.last = now()
  }

  take(): boolean {
    const t = this.now()
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond)
    this.last = t
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}

function monotonicNow(): number {
  return performance.now()
}
