import type { KeyBehaviour, RateLimitDialectName } from './config.ts';

/** One rate-limit dimension as reported in headers: the limit, what is left, and ms until the window frees. */
export interface LimitStatus {
  limit: number;
  remaining: number;
  resetMs: number;
}

/** The rate-limit state of a key (or of a key and model) at one moment, for the providers' rate-limit headers. */
export interface RateLimitSnapshot {
  /** Present when the key has an `rpm` limit. */
  requests?: LimitStatus;
  /** Present when the key has a `tpm` limit. */
  tokens?: LimitStatus;
  /** Requests per day, present when the key has an `rpd` limit (the day window, `dayMs`). */
  day?: LimitStatus;
  /** Whose rate-limit headers the OpenAI route writes (the key's `rateLimitDialect`; default `openai`). */
  dialect?: RateLimitDialectName;
  /** The key's `garbledRateLimitHeaders`: the headers are sent with unusable values. */
  garbled?: boolean;
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
  /** The wait the 429 announces (`retry-after`, RetryInfo); undefined when it announces none. */
  retryAfterMs: number | undefined;
}

/** Window lengths and the moment fixed windows are aligned to. */
export interface WindowClock {
  windowMs: number;
  dayMs: number;
  /** Fixed windows start at `epoch + n * length`. */
  epoch: number;
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
 * The minute and day windows of one rate-limit scope (a key, or a key and model). A window opens at the first
 * request after the previous one ran out, or on fixed boundaries with `window: 'fixed'`; only charged requests count.
 */
export class RateWindows {
  private minute: Window = freshWindow();
  private day: Window = freshWindow();

  /** Forgets windows that have run out; the next charged request opens a new one. */
  private expire(now: number, clock: WindowClock): void {
    if (now - this.minute.start >= clock.windowMs) this.minute = freshWindow();
    if (now - this.day.start >= clock.dayMs) this.day = freshWindow();
  }

  private startOf(now: number, length: number, behaviour: KeyBehaviour, clock: WindowClock): number {
    if (behaviour.window !== 'fixed') return now;
    return clock.epoch + Math.floor((now - clock.epoch) / length) * length;
  }

  private resetIn(window: Window, length: number, now: number): number {
    return Number.isFinite(window.start) ? Math.max(0, window.start + length - now) : 0;
  }

  /** Returns why a request of `tokens` tokens would be refused now, or undefined if it fits every limit. */
  check(
    now: number,
    tokens: number,
    behaviour: KeyBehaviour,
    clock: WindowClock,
  ): RateLimitRefusal | undefined {
    this.expire(now, clock);
    const { rpm, tpm, rpd } = behaviour;
    const hinted = behaviour.rateLimitHeaders !== false;
    if (rpd !== undefined && this.day.requests + 1 > rpd) {
      return {
        dimension: 'requests',
        period: 'day',
        limit: rpd,
        used: this.day.requests,
        requested: 1,
        retryAfterMs: hinted ? this.resetIn(this.day, clock.dayMs, now) : undefined,
      };
    }
    const minuteRefusal = (
      dimension: 'requests' | 'tokens',
      limit: number,
      used: number,
      requested: number,
    ) => {
      let retryAfterMs: number | undefined = this.resetIn(this.minute, clock.windowMs, now);
      if (behaviour.retryAfterMs !== undefined) {
        // The limit lifts when the 429 says it does: the spent window ends `retryAfterMs` from now.
        retryAfterMs = behaviour.retryAfterMs;
        this.minute.start = now + retryAfterMs - clock.windowMs;
      } else if (!hinted) {
        retryAfterMs = undefined;
      }
      return { dimension, period: 'minute', limit, used, requested, retryAfterMs } satisfies RateLimitRefusal;
    };
    if (rpm !== undefined && this.minute.requests + 1 > rpm) {
      return minuteRefusal('requests', rpm, this.minute.requests, 1);
    }
    if (tpm !== undefined && this.minute.tokens + tokens > tpm) {
      return minuteRefusal('tokens', tpm, this.minute.tokens, tokens);
    }
    return undefined;
  }

  /** Charges one request of `tokens` tokens to the current windows, opening them if needed. */
  consume(now: number, tokens: number, behaviour: KeyBehaviour, clock: WindowClock): void {
    this.expire(now, clock);
    if (!Number.isFinite(this.minute.start))
      this.minute.start = this.startOf(now, clock.windowMs, behaviour, clock);
    if (!Number.isFinite(this.day.start)) this.day.start = this.startOf(now, clock.dayMs, behaviour, clock);
    this.minute.requests += 1;
    this.minute.tokens += tokens;
    this.day.requests += 1;
    this.day.tokens += tokens;
  }

  /** What the rate-limit headers should say now; `queryCost` is the current request's token charge. */
  snapshot(now: number, queryCost: number, behaviour: KeyBehaviour, clock: WindowClock): RateLimitSnapshot {
    const snapshot: RateLimitSnapshot = { queryCost };
    const { rpm, tpm, rpd } = behaviour;
    if (behaviour.rateLimitDialect !== undefined) snapshot.dialect = behaviour.rateLimitDialect;
    if (behaviour.garbledRateLimitHeaders) snapshot.garbled = true;
    if (rpd !== undefined) {
      const dayLive = now - this.day.start < clock.dayMs;
      snapshot.day = {
        limit: rpd,
        remaining: Math.max(0, rpd - (dayLive ? this.day.requests : 0)),
        resetMs: dayLive ? this.resetIn(this.day, clock.dayMs, now) : 0,
      };
    }
    const live = now - this.minute.start < clock.windowMs;
    const resetMs = live ? this.resetIn(this.minute, clock.windowMs, now) : 0;
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
