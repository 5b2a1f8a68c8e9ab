import { firstHeader, type HeaderSource, type RateLimitInfo } from '@keypool/core';
import { budgetOf, countOf, secondsFromNow } from './rate-limit-values';

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
  const requests = budgetOf(
    countOf(firstHeader(headers, 'x-ratelimit-limit')),
    countOf(firstHeader(headers, 'x-ratelimit-remaining')),
    secondsFromNow(firstHeader(headers, 'x-ratelimit-reset'), now),
  );
  const tokens = budgetOf(
    countOf(firstHeader(headers, 'x-tokenlimit-limit')),
    countOf(firstHeader(headers, 'x-tokenlimit-remaining')),
    undefined,
  );
  if (!requests && !tokens) return undefined;
  return { ...(requests ? { requests } : {}), ...(tokens ? { tokens } : {}) };
}
