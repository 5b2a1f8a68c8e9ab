import { formatGoDuration, type HeaderMap, openaiRateLimitHeaders } from './rate-limit-headers.ts';
import type { LimitStatus, RateLimitSnapshot } from './rate-windows.ts';

/** Seconds with three decimals, as Cerebras and Together write resets (`33011.382`). */
function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/** The values a garbled header carries instead of the real ones: none is a usable count or reset. */
const GARBLED = { limit: 'unlimited', remaining: '-1', reset: 'tomorrow' } as const;

type Writer = (status: LimitStatus) => string;

/** Writes one budget under its three names (any may be absent), garbled when asked. */
function budget(
  headers: HeaderMap,
  status: LimitStatus | undefined,
  names: { limit?: string; remaining?: string; reset?: string },
  reset: Writer,
  garbled: boolean | undefined,
): void {
  if (!status) return;
  if (names.limit) headers[names.limit] = garbled ? GARBLED.limit : String(status.limit);
  if (names.remaining) headers[names.remaining] = garbled ? GARBLED.remaining : String(status.remaining);
  if (names.reset) headers[names.reset] = garbled ? GARBLED.reset : reset(status);
}

/**
 * The rate-limit headers of an OpenAI-compatible service, by the key's `rateLimitDialect` (default OpenAI's):
 * - `groq`: `x-ratelimit-{limit,remaining,reset}-requests` for the day (`rpd`) and `-tokens` for the minute (`tpm`),
 *   resets as Go durations;
 * - `cerebras`: `x-ratelimit-{limit,remaining,reset}-requests-day` (`rpd`) and `-tokens-minute` (`tpm`), resets in
 *   seconds;
 * - `openrouter`: `X-RateLimit-{Limit,Remaining,Reset}` for `rpd` (else `rpm`), reset as a Unix time in ms;
 * - `together`: `x-ratelimit-{limit,remaining,reset}` for `rpm` (reset in seconds), `x-tokenlimit-{limit,remaining}`
 *   for `tpm`.
 */
export function compatibleRateLimitHeaders(snapshot: RateLimitSnapshot, now: number): HeaderMap {
  const headers: HeaderMap = {};
  const garbled = snapshot.garbled;
  const goDuration: Writer = (status) => formatGoDuration(status.resetMs);
  const inSeconds: Writer = (status) => seconds(status.resetMs);
  switch (snapshot.dialect) {
    case undefined:
    case 'openai':
      if (!garbled) return openaiRateLimitHeaders(snapshot);
      budget(headers, snapshot.requests, suffixed('requests'), goDuration, true);
      budget(headers, snapshot.tokens, suffixed('tokens'), goDuration, true);
      return headers;
    case 'groq':
      budget(headers, snapshot.day, suffixed('requests'), goDuration, garbled);
      budget(headers, snapshot.tokens, suffixed('tokens'), goDuration, garbled);
      return headers;
    case 'cerebras':
      budget(headers, snapshot.day, suffixed('requests-day'), inSeconds, garbled);
      budget(headers, snapshot.tokens, suffixed('tokens-minute'), inSeconds, garbled);
      return headers;
    case 'openrouter':
      budget(
        headers,
        snapshot.day ?? snapshot.requests,
        { limit: 'X-RateLimit-Limit', remaining: 'X-RateLimit-Remaining', reset: 'X-RateLimit-Reset' },
        (status) => String(Math.ceil(now + status.resetMs)),
        garbled,
      );
      return headers;
    case 'together':
      budget(
        headers,
        snapshot.requests,
        { limit: 'x-ratelimit-limit', remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset' },
        inSeconds,
        garbled,
      );
      budget(
        headers,
        snapshot.tokens,
        { limit: 'x-tokenlimit-limit', remaining: 'x-tokenlimit-remaining' },
        inSeconds,
        garbled,
      );
      return headers;
  }
}

/** The `x-ratelimit-{limit,remaining,reset}-<suffix>` names. */
function suffixed(suffix: string) {
  return {
    limit: `x-ratelimit-limit-${suffix}`,
    remaining: `x-ratelimit-remaining-${suffix}`,
    reset: `x-ratelimit-reset-${suffix}`,
  };
}

/**
 * OpenRouter's 429 body: `{"error":{"message":"Rate limit exceeded: ...","code":429,"metadata":{"headers":{...}}}}`,
 * with the rate-limit headers copied under `metadata.headers`, as OpenRouter answers a spent per-day cap
 * (`free-models-per-day`) or per-minute one (`limit_rpm/<model>`).
 */
export function openRouterRateLimitBody(
  period: 'minute' | 'day',
  model: string,
  snapshot: RateLimitSnapshot,
  now: number,
): string {
  const headers = compatibleRateLimitHeaders({ ...snapshot, dialect: 'openrouter' }, now);
  return JSON.stringify({
    error: {
      message: `Rate limit exceeded: ${period === 'day' ? 'free-models-per-day' : `limit_rpm/${model}`}.`,
      code: 429,
      metadata: { headers },
    },
  });
}
