import { firstHeader, type HeaderSource, type RateLimitInfo } from '@keypool/core';
import { budgetOf, countOf, secondsFromNow } from './rate-limit-values';

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
  const requests = budgetOf(
    countOf(firstHeader(headers, 'x-ratelimit-limit-requests-day')),
    countOf(firstHeader(headers, 'x-ratelimit-remaining-requests-day')),
    secondsFromNow(firstHeader(headers, 'x-ratelimit-reset-requests-day'), now),
  );
  const tokens = budgetOf(
    countOf(firstHeader(headers, 'x-ratelimit-limit-tokens-minute')),
    countOf(firstHeader(headers, 'x-ratelimit-remaining-tokens-minute')),
    secondsFromNow(firstHeader(headers, 'x-ratelimit-reset-tokens-minute'), now),
  );
  if (!requests && !tokens) return undefined;
  return { ...(requests ? { requests } : {}), ...(tokens ? { tokens } : {}) };
}
