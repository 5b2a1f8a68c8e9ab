import {
  firstHeader,
  type HeaderSource,
  parseResetTime,
  type RateLimitBudget,
  type RateLimitInfo,
} from '@keypool/core';

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
    firstHeader(headers, 'x-ratelimit-remaining-requests') === undefined &&
    firstHeader(headers, 'x-ratelimit-remaining-tokens') === undefined &&
    firstHeader(headers, 'x-ratelimit-limit-requests') === undefined &&
    firstHeader(headers, 'x-ratelimit-limit-tokens') === undefined
  )
    return undefined;
  const requests = readBudget(headers, 'requests', now);
  const tokens = readBudget(headers, 'tokens', now);
  if (!requests && !tokens) return undefined;
  return { ...(requests ? { requests } : {}), ...(tokens ? { tokens } : {}) };
}

function readBudget(
  headers: HeaderSource,
  dimension: 'requests' | 'tokens',
  now: number,
): RateLimitBudget | undefined {
  const limit = toCount(firstHeader(headers, `x-ratelimit-limit-${dimension}`));
  const remaining = toCount(firstHeader(headers, `x-ratelimit-remaining-${dimension}`));
  const resetAt = parseResetTime(firstHeader(headers, `x-ratelimit-reset-${dimension}`), now);
  if (limit === undefined && remaining === undefined && resetAt === undefined) return undefined;
  return {
    ...(limit !== undefined ? { limit } : {}),
    ...(remaining !== undefined ? { remaining } : {}),
    ...(resetAt !== undefined ? { resetAt } : {}),
  };
}

function toCount(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const count = Number(value);
  return Number.isFinite(count) && count >= 0 ? count : undefined;
}
