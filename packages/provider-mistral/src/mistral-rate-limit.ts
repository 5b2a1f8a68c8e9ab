import { firstHeader, type HeaderSource, parseResetTime, type RateLimitInfo } from '@keypool/core';

/** Mistral's rate-limit headers: per minute (requests, tokens) and per month (tokens). */
export const MISTRAL_RATE_LIMIT_HEADERS = {
  requestsLimit: 'x-ratelimit-limit-req-minute',
  requestsRemaining: 'x-ratelimit-remaining-req-minute',
  tokensLimit: 'x-ratelimit-limit-tokens-minute',
  tokensRemaining: 'x-ratelimit-remaining-tokens-minute',
  monthTokensLimit: 'x-ratelimit-limit-tokens-month',
  monthTokensRemaining: 'x-ratelimit-remaining-tokens-month',
  monthRequestsLimit: 'x-ratelimit-limit-req-month',
  monthRequestsRemaining: 'x-ratelimit-remaining-req-month',
  /** Kong's standard window reset, in seconds. Not documented by Mistral: read only when present. */
  reset: 'ratelimit-reset',
} as const;

function numberOf(headers: HeaderSource, name: string): number | undefined {
  const value = firstHeader(headers, name);
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/**
 * Reads Mistral's per-minute rate-limit headers (`x-ratelimit-{limit,remaining}-{req,tokens}-minute`) into the
 * engine's `RateLimitInfo`. Undefined when the response carries none. Mistral sends no documented reset header, so
 * `resetAt` is only set from a Kong `ratelimit-reset` (seconds) when one is present.
 */
export function parseMistralRateLimitHeaders(headers: HeaderSource, now?: number): RateLimitInfo | undefined {
  if (!headers) return undefined;
  const requestsLimit = numberOf(headers, MISTRAL_RATE_LIMIT_HEADERS.requestsLimit);
  const requestsRemaining = numberOf(headers, MISTRAL_RATE_LIMIT_HEADERS.requestsRemaining);
  const tokensLimit = numberOf(headers, MISTRAL_RATE_LIMIT_HEADERS.tokensLimit);
  const tokensRemaining = numberOf(headers, MISTRAL_RATE_LIMIT_HEADERS.tokensRemaining);
  if (
    requestsLimit === undefined &&
    requestsRemaining === undefined &&
    tokensLimit === undefined &&
    tokensRemaining === undefined
  )
    return undefined;
  const resetHeader = firstHeader(headers, MISTRAL_RATE_LIMIT_HEADERS.reset);
  const resetAt = resetHeader === undefined ? undefined : parseResetTime(resetHeader, now);
  const info: RateLimitInfo = {};
  if (requestsLimit !== undefined || requestsRemaining !== undefined) {
    info.requests = {
      ...(requestsLimit !== undefined ? { limit: requestsLimit } : {}),
      ...(requestsRemaining !== undefined ? { remaining: requestsRemaining } : {}),
      ...(resetAt !== undefined ? { resetAt } : {}),
    };
  }
  if (tokensLimit !== undefined || tokensRemaining !== undefined) {
    info.tokens = {
      ...(tokensLimit !== undefined ? { limit: tokensLimit } : {}),
      ...(tokensRemaining !== undefined ? { remaining: tokensRemaining } : {}),
      ...(resetAt !== undefined ? { resetAt } : {}),
    };
  }
  return info;
}

/** True when the headers say a monthly budget (tokens or requests) is spent. */
export function isMistralMonthSpent(headers: HeaderSource): boolean {
  return (
    numberOf(headers, MISTRAL_RATE_LIMIT_HEADERS.monthTokensRemaining) === 0 ||
    numberOf(headers, MISTRAL_RATE_LIMIT_HEADERS.monthRequestsRemaining) === 0
  );
}
