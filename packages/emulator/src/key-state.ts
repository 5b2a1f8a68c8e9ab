import type { KeyBehaviour } from './config.ts';

/** One rate-limit dimension as reported in headers: the limit, what is left, and ms until the window frees. */
export interface LimitStatus {
  limit: number;
  remaining: number;
  resetMs: number;
}

/** The rate-limit state of a key at one moment, for the providers' rate-limit headers. */
export interface RateLimitSnapshot {
  /** Present when the key has an `rpm` limit. */
  requests?: LimitStatus;
  /** Present when the key has a `tpm` limit. */
  tokens?: LimitStatus;
  /** Tokens charged for the current request (Mistral's `x-ratelimit-tokens-query-cost`). */
  queryCost: number;
}

/** Why a request was refused by a rate limit, with what the providers put in their 429 bodies. */
export interface RateLimitRefusal {
  dimension: 'requests' | 'tokens';
  period: 'minute' | 'day';
  limit: number;
  used: number;
  requested: number;
  retryAfterMs: number;
}

interface Window {
  start: number;
  requests: number;
  tokens: number;
}

function freshWindow(): Window {
  return { start: Number.NEGATIVE_INFINITY, requests: 0, tokens: 0 };
}

/**
 * The live state of one key: its behaviour, its fixed rate-limit windows (a window opens at the first request after
 * the previous one expired) and how many calls it has served (for `revokeAfter`).
 */
export class KeyState {
  behaviour: KeyBehaviour;
  /** Requests seen with this key since start or the last reset, whatever their outcome. */
  calls = 0;
  private minute: Window = freshWindow();
  private day: Window = freshWindow();
  private readonly windowMs: number;
  private readonly dayMs: number;

  constructor(behaviour: KeyBehaviour, windowMs: number, dayMs: number) {
    this.behaviour = behaviour;
    this.windowMs = windowMs;
    this.dayMs = dayMs;
  }

  /** Forgets the windows and the call count. */
  resetCounters(): void {
    this.calls = 0;
    this.minute = freshWindow();
    this.day = freshWindow();
  }

  /** Forgets windows that have run out; the next charged request opens a new one. */
  private expire(now: number): void {
    if (now - this.minute.start >= this.windowMs) this.minute = freshWindow();
    if (now - this.day.start >= this.dayMs) this.day = freshWindow();
  }

  private open(now: number): void {
    this.expire(now);
    if (!Number.isFinite(this.minute.start)) this.minute.start = now;
    if (!Number.isFinite(this.day.start)) this.day.start = now;
  }

  private resetIn(window: Window, length: number, now: number): number {
    return Number.isFinite(window.start) ? Math.max(0, window.start + length - now) : 0;
  }

  /** Returns why a request of `tokens` tokens would be refused now, or undefined if it fits every limit. */
  check(now: number, tokens: number): RateLimitRefusal | undefined {
    this.expire(now);
    const { rpm, tpm, rpd } = this.behaviour;
    if (rpd !== undefined && this.day.requests + 1 > rpd) {
      const retryAfterMs = this.resetIn(this.day, this.dayMs, now);
      return {
        dimension: 'requests',
        period: 'day',
        limit: rpd,
        used: this.day.requests,
        requested: 1,
        retryAfterMs,
      };
    }
    if (rpm !== undefined && this.minute.requests + 1 > rpm) {
      const retryAfterMs = this.resetIn(this.minute, this.windowMs, now);
      return {
        dimension: 'requests',
        period: 'minute',
        limit: rpm,
        used: this.minute.requests,
        requested: 1,
        retryAfterMs,
      };
    }
    if (tpm !== undefined && this.minute.tokens + tokens > tpm) {
      const retryAfterMs = this.resetIn(this.minute, this.windowMs, now);
      return {
        dimension: 'tokens',
        period: 'minute',
        limit: tpm,
        used: this.minute.tokens,
        requested: tokens,
        retryAfterMs,
      };
    }
    return undefined;
  }

  /** Charges one request of `tokens` tokens to the current windows. */
  consume(now: number, tokens: number): void {
    this.open(now);
    this.minute.requests += 1;
    this.minute.tokens += tokens;
    this.day.requests += 1;
    this.day.tokens += tokens;
  }

  /** What the rate-limit headers should say now; `queryCost` is the current request's token charge. */
  snapshot(now: number, queryCost: number): RateLimitSnapshot {
    const snapshot: RateLimitSnapshot = { queryCost };
    const { rpm, tpm } = this.behaviour;
    const live = now - this.minute.start < this.windowMs;
    const resetMs = live ? this.resetIn(this.minute, this.windowMs, now) : 0;
    if (rpm !== undefined) {
      const used = live ? this.minute.requests : 0;
      snapshot.requests = { limit: rpm, remaining: Math.max(0, rpm - used), resetMs };
    }
    if (tpm !== undefined) {
      const used = live ? this.minute.tokens : 0;
      snapshot.tokens = { limit: tpm, remaining: Math.max(0, tpm - used), resetMs };
    }
    return snapshot;
  }
}
