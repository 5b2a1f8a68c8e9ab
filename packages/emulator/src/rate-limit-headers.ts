import type { RateLimitSnapshot } from './key-state.ts';

/** HTTP response headers as a plain object with lower-case names. */
export type HeaderMap = Record<string, string>;

function trimSeconds(ms: number): string {
  return (ms / 1000).toFixed(3).replace(/\.?0+$/, '');
}

/**
 * Formats a duration the way Go's `time.Duration.String()` does, as OpenAI's reset headers use it:
 * `0s`, `12ms`, `1s`, `1.4s`, `6m0s`, `1h2m3s`. Sub-millisecond precision is rounded up to whole ms.
 */
export function formatGoDuration(ms: number): string {
  const whole = Math.ceil(Math.max(0, ms));
  if (whole === 0) return '0s';
  if (whole < 1000) return `${whole}ms`;
  const hours = Math.floor(whole / 3_600_000);
  const minutes = Math.floor((whole % 3_600_000) / 60_000);
  const seconds = trimSeconds(whole % 60_000);
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/** Whole seconds until `ms` has passed, rounded up, never below 1 for a positive wait (the `retry-after` value). */
export function retryAfterSeconds(ms: number): number {
  return ms <= 0 ? 0 : Math.max(1, Math.ceil(ms / 1000));
}

/** OpenAI's `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` headers (resets as Go durations). */
export function openaiRateLimitHeaders(snapshot: RateLimitSnapshot): HeaderMap {
  const headers: HeaderMap = {};
  if (snapshot.requests) {
    headers['x-ratelimit-limit-requests'] = String(snapshot.requests.limit);
    headers['x-ratelimit-remaining-requests'] = String(snapshot.requests.remaining);
    headers['x-ratelimit-reset-requests'] = formatGoDuration(snapshot.requests.resetMs);
  }
  if (snapshot.tokens) {
    headers['x-ratelimit-limit-tokens'] = String(snapshot.tokens.limit);
    headers['x-ratelimit-remaining-tokens'] = String(snapshot.tokens.remaining);
    headers['x-ratelimit-reset-tokens'] = formatGoDuration(snapshot.tokens.resetMs);
  }
  return headers;
}

/** Anthropic's `anthropic-ratelimit-{requests,tokens}-{limit,remaining,reset}` headers (resets in RFC 3339). */
export function anthropicRateLimitHeaders(snapshot: RateLimitSnapshot, now: number): HeaderMap {
  const headers: HeaderMap = {};
  if (snapshot.requests) {
    headers['anthropic-ratelimit-requests-limit'] = String(snapshot.requests.limit);
    headers['anthropic-ratelimit-requests-remaining'] = String(snapshot.requests.remaining);
    headers['anthropic-ratelimit-requests-reset'] = new Date(now + snapshot.requests.resetMs).toISOString();
  }
  if (snapshot.tokens) {
    headers['anthropic-ratelimit-tokens-limit'] = String(snapshot.tokens.limit);
    headers['anthropic-ratelimit-tokens-remaining'] = String(snapshot.tokens.remaining);
    headers['anthropic-ratelimit-tokens-reset'] = new Date(now + snapshot.tokens.resetMs).toISOString();
  }
  return headers;
}

/** Mistral's `x-ratelimit-{limit,remaining}-{req,tokens}-minute` and `x-ratelimit-tokens-query-cost` headers. */
export function mistralRateLimitHeaders(snapshot: RateLimitSnapshot): HeaderMap {
  const headers: HeaderMap = {};
  if (snapshot.requests) {
    headers['x-ratelimit-limit-req-minute'] = String(snapshot.requests.limit);
    headers['x-ratelimit-remaining-req-minute'] = String(snapshot.requests.remaining);
  }
  if (snapshot.tokens) {
    headers['x-ratelimit-limit-tokens-minute'] = String(snapshot.tokens.limit);
    headers['x-ratelimit-remaining-tokens-minute'] = String(snapshot.tokens.remaining);
    headers['x-ratelimit-tokens-query-cost'] = String(snapshot.queryCost);
  }
  return headers;
}

/**
 * `retry-after` (whole seconds, rounded up) and, when `withMs`, `retry-after-ms` (OpenAI and Anthropic read it
 * first) for a wait of `ms` milliseconds; no header at all when `ms` is undefined (the 429 announces no wait).
 */
export function retryAfterHeaders(ms: number | undefined, withMs: boolean): HeaderMap {
  if (ms === undefined) return {};
  const headers: HeaderMap = { 'retry-after': String(retryAfterSeconds(ms)) };
  if (withMs) headers['retry-after-ms'] = String(Math.ceil(Math.max(0, ms)));
  return headers;
}
