import { SlidingCounter } from './sliding-counter';

/**
 * A `SlidingCounter` whose units can be read out and added back per slice: what a store that hands its counts to
 * another store (`HandOverMemoryStore`, the fallback of `@keypool/redis`) and the gateway's budgets use.
 */
export class SlidingWindow extends SlidingCounter {
  /**
   * The units still in the window at `now`, as `[slice, units]` pairs (a slice is `floor(time / (windowMs / slices))`,
   * the same numbering `@keypool/redis` uses), oldest first. Empty slices are left out.
   */
  units(now: number): [slice: number, units: number][] {
    const current = this.advance(now);
    const size = this.counts.length;
    const out: [number, number][] = [];
    for (let slice = current - size + 1; slice <= current; slice++) {
      const count = this.counts[((slice % size) + size) % size]!;
      if (count !== 0) out.push([slice, count]);
    }
    return out;
  }

  /** Adds units counted in an earlier slice (see `units`); a slice already out of the window is ignored. */
  addAt(slice: number, amount: number, now: number): void {
    const current = this.advance(now);
    const size = this.counts.length;
    if (slice <= current - size) return;
    const slot = Math.min(slice, current) % size;
    this.counts[slot] = this.counts[slot]! + amount;
    this.total += amount;
  }

  /** Forgets every unit (they were handed to another counter). */
  clear(): void {
    this.counts.fill(0);
    this.total = 0;
  }
}
