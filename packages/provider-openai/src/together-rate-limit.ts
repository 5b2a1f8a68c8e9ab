import { type HeaderSource, type RateLimitInfo, readRateLimitBudget } from '@keypool/core';
import { secondsFromNow } from './rate-limit-values';

const REQUESTS = {
  limit: 'x-ratelimit-limit',
  remaining: 'x-ratelimit-remaining',
  reset: 'x-ratelimit-reset',
};
const TOKENS = { limit: 'x-tokenlimit-limit', remaining: 'x-tokenlimit-remaining' };

/**
 * Reads Together AI's rate-limit headers into the engine's `RateLimitInfo`. Together documents (support article
 * "Rate limits") a request budget without a suffix on the names:
 * - `x-ratelimit-limit`, `x-ratelimit-remaining`: requests allowed and left;
 * - `x-ratelimit-reset`: the time until that budget resets, in seconds;
 * and, for tokens, `x-tokenlimit-limit` and `x-tokenlimit-remaining` (no reset of their own: the engine assumes its
 * window, a minute by default). Together's limits are dynamic (they grow with sustained use), so each answer's values
 * replace the last. Unreadable values are left out; undefined when none is readable.
 */
export function parseTogetherRateLimitHeaders(
  headers: HeaderSource,
  now: number = Date.now(),
): RateLimitInfo | undefined {
  if (!headers) return undefined;
  const requests = readRateLimitBudget(headers, REQUESTS, now, secondsFromNow);
  const tokens = readRateLimitBudget(headers, TOKENS, now);
  if (!requests && !tokens) return undefined;
  return { ...(requests ? { requests } : {}), ...(tokens ? { tokens } : {}) };
}
