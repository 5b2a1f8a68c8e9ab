import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlidingWindow } from './sliding-window';

describe('SlidingWindow', () => {
  it('counts units until their slice leaves the window', () => {
    const window = new SlidingWindow(1_000, 10);
    window.add(1, 0);
    window.add(1, 450);
    expect(window.used(999)).toBe(2);
    expect(window.used(1_100)).toBe(1);
    expect(window.used(1_500)).toBe(0);
  });

  it('says when capacity frees', () => {
    const window = new SlidingWindow(1_000, 10);
    window.add(2, 0);
    window.add(1, 500);
    expect(window.freeAt(1, 3, 600)).toBe(1_100);
    expect(window.freeAt(1, 4, 600)).toBe(600);
    // A cost bigger than the limit only fits into an empty window.
    expect(window.freeAt(10, 3, 600)).toBe(1_600);
  });

  it('admitting only what fits keeps every real window (any alignment) under the limit (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 8 }),
        (gaps, limit) => {
          const window = new SlidingWindow(1_000, 30);
          const admitted: number[] = [];
          let now = 0;
          for (const gap of gaps) {
            now += gap;
            if (window.freeAt(1, limit, now) <= now) {
              window.add(1, now);
              admitted.push(now);
            }
          }
          for (const time of admitted) {
            const inWindow = admitted.filter((other) => other > time - 1_000 && other <= time).length;
            expect(inWindow).toBeLessThanOrEqual(limit);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('SlidingWindow.move', () => {
  it('moves units counted earlier to now, so they count a whole window from now', () => {
    const window = new SlidingWindow(1_000, 10);
    window.add(1, 0);
    window.move(1, 0, 450);
    expect(window.used(1_100)).toBe(1);
    expect(window.used(1_450)).toBe(1);
    expect(window.used(1_500)).toBe(0);
    // A slice already gone (or holding less than asked) moves nothing.
    window.add(1, 2_000);
    window.move(1, 2_000, 3_200);
    expect(window.used(3_200)).toBe(0);
  });
});

describe('SlidingWindow.units and addAt', () => {
  it('hands its units to another window slice by slice: the other frees them at the same times', () => {
    const source = new SlidingWindow(1_000, 10);
    source.add(2, 0);
    source.add(3, 450);
    expect(source.units(500)).toEqual([
      [0, 2],
      [4, 3],
    ]);
    const target = new SlidingWindow(1_000, 10);
    target.add(1, 300);
    for (const [slice, units] of source.units(500)) target.addAt(slice, units, 500);
    source.clear();
    expect(source.used(500)).toBe(0);
    expect(target.used(500)).toBe(6);
    // Slice 0 leaves the window at 1,100, slice 3 at 1,400, slice 4 at 1,500.
    expect(target.used(1_100)).toBe(4);
    expect(target.used(1_400)).toBe(3);
    expect(target.used(1_500)).toBe(0);
    // A slice already gone is ignored; one ahead of the clock counts now.
    target.addAt(0, 5, 1_500);
    target.addAt(99, 1, 1_500);
    expect(target.used(1_500)).toBe(1);
  });
});
