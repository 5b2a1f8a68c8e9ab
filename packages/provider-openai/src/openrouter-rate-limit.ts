import { type HeaderSource, type RateLimitInfo, readRateLimitBudget } from '@keypool/core';
import { withinHorizon } from './rate-limit-values';

const REQUESTS = {
  limit: 'x-ratelimit-limit',
  remaining: 'x-ratelimit-remaining',
  reset: 'x-ratelimit-reset',
};

/**
 * Reads OpenRouter's rate-limit headers into the engine's `RateLimitInfo` (a request budget; OpenRouter reports no
 * token budget). What OpenRouter sends, as documented in public reports of its answers:
 * - `X-RateLimit-Limit`: requests allowed in the window (e.g. `20` a minute or `50` a day on `:free` models);
 * - `X-RateLimit-Remaining`: requests left in it;
 * - `X-RateLimit-Reset`: when it resets, as a Unix time in **milliseconds** (e.g. `1788220800000`, midnight UTC for
 *   the per-day free-model cap), not seconds and not a duration.
 * The window is not named (a minute or a day, depending on which limit answered): the reset time says when it frees.
 * A reset that is not such a time (seconds, a duration, a date in the past century or beyond a week) is left out,
 * and counts that are not non-negative numbers too. Undefined when none of the three is readable.
 */
export function parseOpenRouterRateLimitHeaders(
  headers: HeaderSource,
  now: number = Date.now(),
): RateLimitInfo | undefined {
  if (!headers) return undefined;
  const requests = readRateLimitBudget(headers, REQUESTS, now, epochMillisecondsOf);
  return requests ? { requests } : undefined;
}

/**
 * Reads the rate-limit headers OpenRouter copies into a 429's JSON body,
 * `{"error":{"code":429,"metadata":{"headers":{"X-RateLimit-Limit":"50","X-RateLimit-Remaining":"0",
 * "X-RateLimit-Reset":"1788220800000"}}}}`, the form every public report of its per-day and per-minute caps shows.
 * Undefined for any other body (not JSON, no such object, no readable value).
 */
export function parseOpenRouterErrorBody(body: string, now: number = Date.now()): RateLimitInfo | undefined {
  if (!body.includes('X-RateLimit') && !body.includes('x-ratelimit')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const headers = recordAt(recordAt(recordAt(parsed, 'error'), 'metadata'), 'headers');
  if (!headers) return undefined;
  const strings: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string' || typeof value === 'number') strings[name] = String(value);
  }
  return parseOpenRouterRateLimitHeaders(strings, now);
}

/** The earliest plausible epoch-ms reset (2001-09-09): anything smaller is seconds or a duration, not milliseconds. */
const EPOCH_MS_FLOOR = 1_000_000_000_000;

function epochMillisecondsOf(value: string | undefined, now: number): number | undefined {
  if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  const at = Math.round(Number(value));
  if (!Number.isFinite(at) || at < EPOCH_MS_FLOOR) return undefined;
  return withinHorizon(at, now);
}

function recordAt(value: unknown, name: string): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const inner = (value as Record<string, unknown>)[name];
  return typeof inner === 'object' && inner !== null && !Array.isArray(inner)
    ? (inner as Record<string, unknown>)
    : undefined;
}
