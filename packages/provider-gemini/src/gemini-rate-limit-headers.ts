import {
  firstHeader,
  type HeaderSource,
  parseResetTime,
  type RateLimitBudget,
  type RateLimitInfo,
} from '@keypool/core';

function budget(
  headers: HeaderSource,
  kind: 'requests' | 'tokens',
  now: number,
): RateLimitBudget | undefined {
  const limit = toNumber(firstHeader(headers, `x-ratelimit-limit-${kind}`));
  const remaining = toNumber(firstHeader(headers, `x-ratelimit-remaining-${kind}`));
  const resetAt = parseResetTime(firstHeader(headers, `x-ratelimit-reset-${kind}`), now);
  if (limit === undefined && remaining === undefined && resetAt === undefined) return undefined;
  return {
    ...(limit !== undefined ? { limit } : {}),
    ...(remaining !== undefined ? { remaining } : {}),
    ...(resetAt !== undefined ? { resetAt } : {}),
  };
}

function toNumber(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/**
 * Reads rate-limit headers from a Gemini response. The Gemini API itself documents none (its limits show only in a
 * 429's body), so this returns undefined for Google's own responses; it reads the common
 * `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` family that gateways in front of Gemini often add (only
 * when a `remaining` header is present).
 */
export function parseGeminiRateLimitHeaders(
  headers: Headers | Record<string, string | string[] | undefined>,
  now: number = Date.now(),
): RateLimitInfo | undefined {
  // Runs on every response: Google sends none of these, so answer from two lookups when the budget headers are absent.
  if (
    firstHeader(headers, 'x-ratelimit-remaining-requests') === undefined &&
    firstHeader(headers, 'x-ratelimit-remaining-tokens') === undefined
  )
    return undefined;
  const requests = budget(headers, 'requests', now);
  const tokens = budget(headers, 'tokens', now);
  if (!requests && !tokens) return undefined;
  return { ...(requests ? { requests } : {}), ...(tokens ? { tokens } : {}) };
}
