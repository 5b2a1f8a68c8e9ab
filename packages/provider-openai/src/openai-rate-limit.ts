import {
  type BudgetHeaderNames,
  firstHeader,
  type HeaderSource,
  type RateLimitInfo,
  readRateLimitBudget,
} from '@keypool/core';

const REQUESTS = {
  limit: 'x-ratelimit-limit-requests',
  remaining: 'x-ratelimit-remaining-requests',
  reset: 'x-ratelimit-reset-requests',
} as const satisfies BudgetHeaderNames;
const TOKENS = {
  limit: 'x-ratelimit-limit-tokens',
  remaining: 'x-ratelimit-remaining-tokens',
  reset: 'x-ratelimit-reset-tokens',
} as const satisfies BudgetHeaderNames;

/**
 * Reads OpenAI's rate-limit headers, `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` (resets are Go durations
 * such as `1s`, `6m0s`, `12ms`), into the engine's `RateLimitInfo`. Undefined when the response carries none.
 */
export function parseOpenAIRateLimitHeaders(
  headers: HeaderSource,
  now: number = Date.now(),
): RateLimitInfo | undefined {
  if (!headers) return undefined;
  // A response without any of them (a proxy, a test server) costs at most four lookups.
  if (
    firstHeader(headers, REQUESTS.remaining) === undefined &&
    firstHeader(headers, TOKENS.remaining) === undefined &&
    firstHeader(headers, REQUESTS.limit) === undefined &&
    firstHeader(headers, TOKENS.limit) === undefined
  )
    return undefined;
  const requests = readRateLimitBudget(headers, REQUESTS, now);
  const tokens = readRateLimitBudget(headers, TOKENS, now);
  if (!requests && !tokens) return undefined;
  return { ...(requests ? { requests } : {}), ...(tokens ? { tokens } : {}) };
}
