import { type HeaderSource, type RateLimitInfo, readRateLimitBudget } from '@keypool/core';
import { secondsFromNow } from './rate-limit-values';

const REQUESTS_PER_DAY = {
  limit: 'x-ratelimit-limit-requests-day',
  remaining: 'x-ratelimit-remaining-requests-day',
  reset: 'x-ratelimit-reset-requests-day',
};
const TOKENS_PER_MINUTE = {
  limit: 'x-ratelimit-limit-tokens-minute',
  remaining: 'x-ratelimit-remaining-tokens-minute',
  reset: 'x-ratelimit-reset-tokens-minute',
};

/**
 * Reads Cerebras's rate-limit headers into the engine's `RateLimitInfo`. Cerebras (inference-docs.cerebras.ai, "Rate
 * limits") sends on every answer:
 * - `x-ratelimit-limit-requests-day`, `x-ratelimit-remaining-requests-day`, `x-ratelimit-reset-requests-day`: the
 *   requests allowed **per day**, left today, and seconds until the day resets (fractional: `33011.382867097855`);
 * - `x-ratelimit-limit-tokens-minute`, `x-ratelimit-remaining-tokens-minute`, `x-ratelimit-reset-tokens-minute`: the
 *   tokens allowed **per minute**, left this minute, and seconds until it resets (`11.382867097854614`).
 *
 * `requests` is therefore a day budget and `tokens` a minute budget: each carries its own reset time, so the engine
 * holds a key whose day is spent until that day ends (hours away), not for a minute. Unreadable values (not
 * non-negative numbers of seconds, or a reset beyond a week) are left out. Undefined when none is readable.
 */
export function parseCerebrasRateLimitHeaders(
  headers: HeaderSource,
  now: number = Date.now(),
): RateLimitInfo | undefined {
  if (!headers) return undefined;
  const requests = readRateLimitBudget(headers, REQUESTS_PER_DAY, now, secondsFromNow);
  const tokens = readRateLimitBudget(headers, TOKENS_PER_MINUTE, now, secondsFromNow);
  if (!requests && !tokens) return undefined;
  return { ...(requests ? { requests } : {}), ...(tokens ? { tokens } : {}) };
}
