import {
  firstHeader,
  type HeaderSource,
  parseResetTime,
  type RateLimitBudget,
  type RateLimitInfo,
} from '@keypool/core';

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
  const requests = budgetOf(requestsLimit, requestsRemaining, resetAt);
  if (requests) info.requests = requests;
  const tokens = budgetOf(tokensLimit, tokensRemaining, resetAt);
  if (tokens) info.tokens = tokens;
  return info;
}

/** A budget from a limit and a remaining count (undefined when neither is known), with the shared window reset. */
function budgetOf(
  limit: number | undefined,
  remaining: number | undefined,
  resetAt: number | undefined,
): RateLimitBudget | undefined {
  if (limit === undefined && remaining === undefined) return undefined;
  return {
    ...(limit !== undefined ? { limit } : {}),
    ...(remaining !== undefined ? { remaining } : {}),
    ...(resetAt !== undefined ? { resetAt } : {}),
  };
}

/** True when the headers say a monthly budget (tokens or requests) is spent. */
export function isMistralMonthSpent(headers: HeaderSource): boolean {
  return (
    numberOf(headers, MISTRAL_RATE_LIMIT_HEADERS.monthTokensRemaining) === 0 ||
    numberOf(headers, MISTRAL_RATE_LIMIT_HEADERS.monthRequestsRemaining) === 0
  );
}
