import { describe, expect, it } from 'vitest';
import { KeyState } from './key-state.ts';

describe('KeyState', () => {
  it('opens a window at the first request and frees it windowMs later', () => {
    const state = new KeyState({ rpm: 2 }, 1000, 86_400_000);
    expect(state.check(10_000, 5)).toBeUndefined();
    state.consume(10_000, 5);
    state.consume(10_400, 5);
    expect(state.check(10_600, 5)).toEqual({
      dimension: 'requests',
      period: 'minute',
      limit: 2,
      used: 2,
      requested: 1,
      retryAfterMs: 400,
    });
    expect(state.snapshot(10_600, 5).requests).toEqual({ limit: 2, remaining: 0, resetMs: 400 });
    expect(state.check(11_000, 5)).toBeUndefined();
    expect(state.snapshot(11_000, 5).requests).toEqual({ limit: 2, remaining: 2, resetMs: 0 });
  });

  it('counts tokens against tpm and requests against rpd', () => {
    const state = new KeyState({ tpm: 10, rpd: 3 }, 1000, 5000);
    state.consume(0, 8);
    expect(state.check(1, 3)).toMatchObject({
      dimension: 'tokens',
      used: 8,
      requested: 3,
      retryAfterMs: 999,
    });
    state.consume(1500, 1);
    state.consume(2500, 1);
    expect(state.check(3500, 1)).toMatchObject({ dimension: 'requests', period: 'day', retryAfterMs: 1500 });
    state.resetCounters();
    expect(state.check(3500, 1)).toBeUndefined();
  });

  it("windowScope 'model' keeps one window per model", () => {
    const state = new KeyState({ rpm: 1, windowScope: 'model' }, 1000, 86_400_000);
    state.consume(0, 1, 'a');
    expect(state.check(1, 1, 'a')).toMatchObject({ dimension: 'requests', retryAfterMs: 999 });
    expect(state.check(1, 1, 'b')).toBeUndefined();
    expect(state.snapshot(1, 1, 'b').requests).toEqual({ limit: 1, remaining: 1, resetMs: 0 });
  });

  it("window 'fixed' aligns to the epoch; retryAfterMs lifts the window when it says", () => {
    const fixed = new KeyState({ rpm: 1, window: 'fixed' }, 1000, 86_400_000, 0);
    fixed.consume(700, 1);
    expect(fixed.check(800, 1)).toMatchObject({ retryAfterMs: 200 });
    expect(fixed.check(1000, 1)).toBeUndefined();
    const lifted = new KeyState({ rpm: 1, retryAfterMs: 50 }, 60_000, 86_400_000, 0);
    lifted.consume(0, 1);
    expect(lifted.check(10, 1)).toMatchObject({ retryAfterMs: 50 });
    expect(lifted.check(59, 1)).toMatchObject({ retryAfterMs: 50 });
    expect(lifted.check(109, 1)).toBeUndefined();
  });

  it('rateLimitHeaders false: refusals announce no wait and snapshots carry no limits', () => {
    const state = new KeyState({ rpm: 1, rateLimitHeaders: false }, 1000, 86_400_000);
    state.consume(0, 1);
    expect(state.check(1, 1)).toMatchObject({ retryAfterMs: undefined });
    expect(state.snapshot(1, 3)).toEqual({ queryCost: 3 });
  });
});
