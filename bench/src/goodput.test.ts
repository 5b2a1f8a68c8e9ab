import { describe, expect, it } from 'vitest';
import { GOODPUT_VARIANTS, runGoodput, summarize } from './goodput.ts';
import { renderGoodputTable } from './goodput-table.ts';

describe('goodput summary', () => {
  it('divides successes in the run by seconds and K x R, and shares 429s of upstream requests', () => {
    const variant = GOODPUT_VARIANTS[0]!;
    const at = (ms: number, ok = true) => ({ ok, saw429: !ok, endedAt: 1000 + ms, ms: 10 + ms / 100 });
    const outcomes = [at(100), at(600), at(900), at(1500), at(2100), at(300, false)];
    const log = [{ status: 200 }, { status: 429 }, { status: 200 }, { status: 200 }];
    const result = summarize(variant, { keys: 1, rps: 2, durationMs: 2000 }, outcomes, 1000, 0, log);
    expect(result.succeeded).toBe(4);
    expect(result.goodput).toBe(1);
    expect(result.goodputSecondHalf).toBe(0.5);
    expect(result.perSecond).toEqual([3, 1]);
    expect(result.failed).toBe(1);
    expect(result.share429).toBe(0.25);
    expect(result.callsSaw429).toBeCloseTo(1 / 6, 3);
    expect(result.errors).toEqual(['unknown']);
  });
});

describe('goodput harness', () => {
  it('runs every variant against the emulator with tiny numbers', { timeout: 20_000 }, async () => {
    const results = await runGoodput({ keys: 2, rps: 5, concurrency: 4, durationMs: 1500, graceMs: 1500 });
    expect(results.map((result) => result.variant)).toEqual(GOODPUT_VARIANTS.map((variant) => variant.id));
    for (const result of results) {
      expect(result.succeeded).toBeGreaterThan(0);
      expect(result.upstreamRequests).toBeGreaterThanOrEqual(result.succeeded);
      // Never more successes than the keys' fixed windows allow (the run spans at most 3 windows).
      expect(result.succeeded).toBeLessThanOrEqual(2 * 5 * 3);
    }
    // 4 calls in flight against an emulator that answers at once go well past 10 req/s: round-robin hits 429s.
    expect(results.find((result) => result.variant === 'round-robin')!.upstream429).toBeGreaterThan(0);
    const table = renderGoodputTable(results);
    for (const variant of GOODPUT_VARIANTS) expect(table).toContain(`| ${variant.label} |`);
  });
});
