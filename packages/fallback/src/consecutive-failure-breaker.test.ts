import { describe, expect, it } from 'vitest';
import { ConsecutiveFailureBreaker } from './consecutive-failure-breaker';

describe('ConsecutiveFailureBreaker', () => {
  it('opens after threshold consecutive failures, for breakMs', () => {
    const breaker = new ConsecutiveFailureBreaker({ threshold: 2, breakMs: 1_000 });
    expect(breaker.allow(0)).toBe(true);
    breaker.failure(0);
    expect(breaker.state).toBe('closed');
    breaker.failure(10);
    expect(breaker.state).toBe('open');
    expect(breaker.remainingMs(10)).toBe(1_000);
    expect(breaker.allow(500)).toBe(false);
    expect(breaker.allow(1_009)).toBe(false);
  });

  it('a success in between resets the count', () => {
    const breaker = new ConsecutiveFailureBreaker({ threshold: 2 });
    breaker.failure(0);
    breaker.success();
    breaker.failure(0);
    expect(breaker.state).toBe('closed');
  });

  it('half-open: exactly one probe, closed by its success', () => {
    const breaker = new ConsecutiveFailureBreaker({ threshold: 1, breakMs: 1_000 });
    breaker.failure(0);
    expect(breaker.allow(1_000)).toBe(true);
    expect(breaker.state).toBe('half_open');
    expect(breaker.allow(1_001)).toBe(false);
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(breaker.allow(1_002)).toBe(true);
    expect(breaker.allow(1_002)).toBe(true);
  });

  it('half-open: a failed probe opens it again for a longer break (times breakGrowth)', () => {
    const breaker = new ConsecutiveFailureBreaker({ threshold: 3, breakMs: 1_000 });
    for (let i = 0; i < 3; i++) breaker.failure(0);
    expect(breaker.allow(1_000)).toBe(true);
    breaker.failure(1_200);
    expect(breaker.state).toBe('open');
    expect(breaker.remainingMs(1_200)).toBe(1_250);
  });

  it('defaults follow the step: 1 s first break, growing x1.25 per failed probe, back to 1 s after a success', () => {
    const breaker = new ConsecutiveFailureBreaker();
    for (let i = 0; i < 3; i++) breaker.failure(0);
    expect(breaker.remainingMs(0)).toBe(1_000);
    // Calls in flight when it opened fail late: they do not grow the break.
    breaker.failure(10);
    breaker.failure(20);
    expect(breaker.remainingMs(20)).toBe(980);
    expect(breaker.allow(20)).toBe(false);
    const probes: number[] = [];
    let now = 0;
    for (let round = 0; round < 4; round++) {
      now += breaker.remainingMs(now) ?? 0;
      expect(breaker.allow(now)).toBe(true);
      probes.push(now);
      breaker.failure(now);
    }
    // A step down for 3 s is probed at 1 s, 2.25 s, 3.81 s: back in use within about 0.8 s of its recovery.
    expect(probes).toEqual([1_000, 2_250, 3_812.5, 5_765.625]);
    now += breaker.remainingMs(now) ?? 0;
    expect(breaker.allow(now)).toBe(true);
    breaker.success();
    for (let i = 0; i < 3; i++) breaker.failure(now);
    expect(breaker.remainingMs(now)).toBe(1_000);
  });

  it('growth is capped by maxBreakMs; breakGrowth 1 keeps every break at breakMs', () => {
    const capped = new ConsecutiveFailureBreaker({ threshold: 1, breakMs: 1_000, maxBreakMs: 2_000 });
    let now = 0;
    capped.failure(now);
    for (let round = 0; round < 5; round++) {
      now += capped.remainingMs(now) ?? 0;
      capped.allow(now);
      capped.failure(now);
    }
    expect(capped.remainingMs(now)).toBe(2_000);
    const flat = new ConsecutiveFailureBreaker({ threshold: 1, breakMs: 1_000, breakGrowth: 1 });
    flat.failure(0);
    flat.allow(1_000);
    flat.failure(1_000);
    expect(flat.remainingMs(1_000)).toBe(1_000);
  });

  it('a short pool estimate opens it for exactly that long, even on a failed probe, without growing', () => {
    const breaker = new ConsecutiveFailureBreaker({ threshold: 1, breakMs: 1_000 });
    breaker.failure(0);
    breaker.allow(1_000);
    breaker.failure(1_000, { retryAfterMs: 300 });
    expect(breaker.remainingMs(1_000)).toBe(300);
    breaker.allow(1_300);
    breaker.failure(1_300);
    expect(breaker.remainingMs(1_300)).toBe(1_250);
  });

  it('a released probe (no verdict) lets the next caller probe', () => {
    const breaker = new ConsecutiveFailureBreaker({ threshold: 1, breakMs: 1_000 });
    breaker.failure(0);
    expect(breaker.allow(1_000)).toBe(true);
    breaker.release();
    expect(breaker.state).toBe('open');
    expect(breaker.allow(1_001)).toBe(true);
    expect(breaker.state).toBe('half_open');
  });

  it('a pool estimate opens it at once for that long, capped by maxBreakMs, never shortening a break', () => {
    const breaker = new ConsecutiveFailureBreaker({ threshold: 5, breakMs: 1_000, maxBreakMs: 20_000 });
    breaker.failure(0, { retryAfterMs: 7_000 });
    expect(breaker.state).toBe('open');
    expect(breaker.remainingMs(0)).toBe(7_000);
    breaker.failure(100, { retryAfterMs: 1 });
    expect(breaker.remainingMs(100)).toBe(6_900);
    breaker.failure(200, { retryAfterMs: 60_000 });
    expect(breaker.remainingMs(200)).toBe(20_000);
  });

  it('ignores estimates when openOnRetryAfter is false', () => {
    const breaker = new ConsecutiveFailureBreaker({ threshold: 5, openOnRetryAfter: false });
    breaker.failure(0, { retryAfterMs: 7_000 });
    expect(breaker.state).toBe('closed');
  });

  it('serialises its state and starts from it', () => {
    const breaker = new ConsecutiveFailureBreaker({ threshold: 1, breakMs: 1_000 });
    breaker.failure(50);
    const saved = JSON.parse(JSON.stringify(breaker));
    expect(saved).toEqual({ state: 'open', consecutiveFailures: 1, openUntil: 1_050 });
    const restored = new ConsecutiveFailureBreaker({ threshold: 1, breakMs: 1_000, initialState: saved });
    expect(restored.state).toBe('open');
    expect(restored.allow(1_000)).toBe(false);
    expect(restored.allow(1_050)).toBe(true);
    expect(JSON.parse(JSON.stringify(restored))).toEqual({
      state: 'open',
      consecutiveFailures: 1,
      openUntil: 1_050,
    });
  });

  it('rejects bad options', () => {
    expect(() => new ConsecutiveFailureBreaker({ threshold: 0 })).toThrow(/threshold/);
    expect(() => new ConsecutiveFailureBreaker({ breakMs: 10, maxBreakMs: 5 })).toThrow(/maxBreakMs/);
    expect(() => new ConsecutiveFailureBreaker({ breakGrowth: 0.5 })).toThrow(/breakGrowth/);
  });
});

describe('a late success while open', () => {
  it('does not close the breaker: only the half-open probe does', () => {
    const breaker = new ConsecutiveFailureBreaker({ threshold: 1, breakMs: 1_000 });
    expect(breaker.allow(0)).toBe(true);
    expect(breaker.allow(0)).toBe(true);
    breaker.failure(10);
    expect(breaker.state).toBe('open');
    // The second call, let through before the break, answers late.
    breaker.success();
    expect(breaker.state).toBe('open');
    expect(breaker.allow(500)).toBe(false);
    expect(breaker.allow(1_010)).toBe(true);
    expect(breaker.state).toBe('half_open');
    breaker.success();
    expect(breaker.state).toBe('closed');
  });
});
