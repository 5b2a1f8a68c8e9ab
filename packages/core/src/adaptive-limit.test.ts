import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdaptiveLimit, type SharedRate } from './adaptive-limit';

const WINDOW = 1_000;

/**
 * A provider key limited to `capacity` requests per fixed window (phase `phase`), driven as hard as the learned rate
 * allows: whenever the limit says a request may go, one goes and is answered at once. A virtual clock in 1 ms steps.
 */
function drive(limit: AdaptiveLimit, capacity: number, windows: number, phase = 0, startAt = 0) {
  let windowStart = Number.NEGATIVE_INFINITY;
  let used = 0;
  let served = 0;
  let refused = 0;
  for (let now = startAt; now < startAt + windows * WINDOW; now++) {
    const window = Math.floor((now - phase) / WINDOW);
    if (window !== windowStart) {
      windowStart = window;
      used = 0;
    }
    // Several requests may go in one millisecond when the limit allows a burst.
    for (let burst = 0; burst < 50 && limit.freeAt(now) <= now; burst++) {
      limit.add(now);
      if (used < capacity) {
        used++;
        served++;
        limit.onSuccess(now);
      } else {
        refused++;
        limit.onRefused(now, now);
        limit.onLimited(now, now);
      }
    }
  }
  return { served, refused };
}

describe('AdaptiveLimit: a request rate learned from 429s alone', () => {
  it('is not paced before its first 429, then converges just under a fixed-window capacity', () => {
    const limit = new AdaptiveLimit(WINDOW);
    expect(limit.limit).toBeUndefined();
    expect(limit.freeAt(5)).toBe(5);
    const learning = drive(limit, 20, 5);
    expect(limit.limit).toBeGreaterThanOrEqual(17);
    expect(limit.limit).toBeLessThanOrEqual(21);
    // A few refusals while learning, none of them a flood: the key is held while its window is spent.
    expect(learning.refused).toBeLessThanOrEqual(3);
    const steady = drive(limit, 20, 120, 0, 5 * WINDOW);
    expect(steady.served / (120 * 20)).toBeGreaterThanOrEqual(0.93);
    expect(steady.refused / (steady.served + steady.refused)).toBeLessThanOrEqual(0.01);
  });

  it('holds a key whose window is spent instead of pacing it back into the same window', () => {
    const limit = new AdaptiveLimit(WINDOW);
    for (let index = 0; index < 20; index++) {
      limit.add(index);
      limit.onSuccess(index);
    }
    limit.add(20);
    limit.onRefused(20, 21);
    expect(limit.onLimited(20, 21)).toBe('decreased');
    expect(limit.limit).toBe(19);
    // 20 requests in this window: nothing more may go until enough of them have left the window.
    expect(limit.freeAt(22)).toBeGreaterThan(WINDOW);
  });

  it('counts the 429s of one window once, and too few requests teach nothing', () => {
    const quiet = new AdaptiveLimit(WINDOW);
    quiet.add(0);
    expect(quiet.onLimited(0, 1)).toBe('too_few');
    const busy = new AdaptiveLimit(WINDOW);
    for (let index = 0; index < 10; index++) {
      busy.add(index);
      busy.onSuccess(index);
    }
    expect(busy.onLimited(10, 11)).toBe('decreased');
    expect(busy.onLimited(5, 12)).toBe('same_window');
    expect(busy.onLimited(20, 500)).toBe('same_window');
    expect(busy.limit).toBe(9);
  });

  it("shares a learned rate with the scope's keys that have none of their own", () => {
    const shared: SharedRate = { limit: undefined };
    const first = new AdaptiveLimit(WINDOW, shared);
    const sibling = new AdaptiveLimit(WINDOW, shared);
    for (let index = 0; index < 25; index++) {
      sibling.add(index);
      sibling.onSuccess(index);
    }
    expect(sibling.freeAt(30)).toBe(30);
    drive(first, 10, 1);
    expect(shared.limit).toBe(first.limit);
    // The sibling sent 25 in this window; with the shared rate it waits for its window rather than draw a 429.
    expect(sibling.limit).toBe(first.limit);
    expect(sibling.freeAt(30)).toBeGreaterThan(WINDOW);
  });

  it('probes above the rate it was limited at slowly: a key at its real capacity is refused rarely', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 60 }),
        fc.integer({ min: 0, max: WINDOW - 1 }),
        (capacity, phase) => {
          const limit = new AdaptiveLimit(WINDOW);
          drive(limit, capacity, 10, phase);
          const steady = drive(limit, capacity, 100, phase, 10 * WINDOW);
          const sent = steady.served + steady.refused;
          // Goodput within a request per window of capacity (pacing rounds down), refusals about 1% at most.
          expect(steady.served).toBeGreaterThanOrEqual(Math.min(0.9 * capacity, capacity - 2) * 100);
          expect(steady.refused / sent).toBeLessThanOrEqual(0.012);
        },
      ),
      { numRuns: 40 },
    );
  });
});
