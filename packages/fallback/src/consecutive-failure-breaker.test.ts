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

  it('half-open: a failed probe opens it again for a full break', () => {
    const breaker = new ConsecutiveFailureBreaker({ threshold: 3, breakMs: 1_000 });
    for (let i = 0; i < 3; i++) breaker.failure(0);
    expect(breaker.allow(1_000)).toBe(true);
    breaker.failure(1_200);
    expect(breaker.state).toBe('open');
    expect(breaker.remainingMs(1_200)).toBe(1_000);
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
