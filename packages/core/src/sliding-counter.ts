/**
 * A sliding window counter in fixed memory: the window is cut into `buckets` slices and a unit counts until the whole
 * slice it fell in has left the window. That is conservative (a unit may count up to one slice longer than the
 * window), so a key held under this counter's limit is under the limit in every real window the provider can use,
 * fixed or sliding. With 30 slices the capacity given up is about 1.7%.
 *
 * `SlidingWindow` (sliding-window.ts) adds what a hand-over between stores needs; the in-memory store counts with this
 * one, so a bundle without a hand-over leaves that out.
 */
export class SlidingCounter {
  readonly windowMs: number;
  readonly slices: number;
  private readonly sliceMs: number;
  protected readonly counts: Float64Array;
  private lastSlice = -1;
  protected total = 0;

  constructor(windowMs: number, slices = 30) {
    this.windowMs = windowMs;
    this.slices = slices;
    this.sliceMs = windowMs / slices;
    // slices + 1 slots: the slice that `now - windowMs` falls in is still (partly) inside the window.
    this.counts = new Float64Array(slices + 1);
  }

  protected advance(now: number): number {
    const current = Math.floor(now / this.sliceMs);
    if (current <= this.lastSlice) return this.lastSlice;
    const size = this.counts.length;
    if (current - this.lastSlice >= size) {
      this.counts.fill(0);
      this.total = 0;
    } else {
      for (let slice = this.lastSlice + 1; slice <= current; slice++) {
        const slot = slice % size;
        this.total -= this.counts[slot]!;
        this.counts[slot] = 0;
      }
    }
    this.lastSlice = current;
    return current;
  }

  /** Units counted in the window at `now`. */
  used(now: number): number {
    this.advance(now);
    return this.total;
  }

  /** Adds `amount` units (negative to give back) at `now`. */
  add(amount: number, now: number): void {
    const current = this.advance(now);
    const slot = current % this.counts.length;
    const next = this.counts[slot]! + amount;
    // A give-back can only return what was counted; a unit that already left the window is gone for good.
    const applied = next < 0 ? -this.counts[slot]! : amount;
    this.counts[slot] = this.counts[slot]! + applied;
    this.total = Math.max(0, this.total + applied);
  }

  /**
   * Moves `amount` units counted in the slice of time `at` to the current slice, so they count for a whole window
   * from `now`. Nothing moves when that slice is current or already gone, or holds fewer units.
   */
  move(amount: number, at: number, now: number): void {
    const current = this.advance(now);
    const slice = Math.floor(at / this.sliceMs);
    const size = this.counts.length;
    if (slice >= current || slice <= current - size) return;
    const from = slice % size;
    if (this.counts[from]! < amount) return;
    this.counts[from] = this.counts[from]! - amount;
    const to = current % size;
    this.counts[to] = this.counts[to]! + amount;
  }

  /**
   * When `cost` more units fit under `limit` again (epoch ms), or `now` if they fit already. A cost larger than the
   * limit fits only into an empty window.
   */
  freeAt(cost: number, limit: number, now: number): number {
    const current = this.advance(now);
    if (this.total + cost <= limit || this.total === 0) return now;
    let excess = this.total + cost - Math.max(limit, cost);
    const size = this.counts.length;
    for (let slice = current - size + 1; slice <= current; slice++) {
      excess -= this.counts[((slice % size) + size) % size]!;
      if (excess <= 0) return (slice + size) * this.sliceMs;
    }
    return (current + size) * this.sliceMs;
  }
}
