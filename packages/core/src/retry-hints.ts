import type { RateLimitBudget } from './rate-limit-info';

/**
 * Helpers every provider package uses to read the provider's wait hints: `retry-after-ms`, `retry-after` (seconds or
 * an HTTP date), reset headers (Go durations like `6m0s`, RFC 3339 times) and Gemini's `retryDelay` (`"47s"`).
 */

/** Response headers in any of the shapes the SDKs expose them. */
export type HeaderSource = Headers | Record<string, string | string[] | null | undefined> | undefined | null;

/** The first value of a header, by case-insensitive name. */
export function firstHeader(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | null | undefined>;
  const lower = name.toLowerCase();
  let value = record[lower] ?? record[name];
  if (value === undefined) {
    // A record with other casings (Node's are lower case already): compare names of the same length only, with no
    // allocation per header (this runs for every hint a provider did not send).
    for (const key in record) {
      if (key.length === lower.length && key !== lower && key.toLowerCase() === lower) {
        value = record[key];
        break;
      }
    }
  }
  if (Array.isArray(value)) return value[0];
  return value ?? undefined;
}

const DURATION_PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a duration into milliseconds: Go style (`1s`, `6m0s`, `12ms`, `1h2m3.5s`), protobuf style (`47s`,
 * `0.5s`), or a bare number of seconds. Undefined when it is none of these.
 */
export function parseDuration(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1_000);
  // Fast paths for the forms providers send on every response (`120ms`, `2s`); the general parser handles the rest.
  if (trimmed.endsWith('ms')) {
    const milliseconds = Number(trimmed.slice(0, -2));
    if (Number.isFinite(milliseconds) && milliseconds >= 0) return Math.round(milliseconds);
  } else if (trimmed.endsWith('s')) {
    const seconds = Number(trimmed.slice(0, -1));
    if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1_000);
  }
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(DURATION_PART)) {
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    consumed += match[0].length;
  }
  return consumed === trimmed.length && consumed > 0 ? Math.round(total) : undefined;
}

/**
 * The provider's minimum wait, in ms, from `retry-after-ms` then `retry-after` (seconds or an HTTP date).
 * Undefined when neither is present or parseable.
 */
export function parseRetryAfter(headers: HeaderSource, now: number = Date.now()): number | undefined {
  const milliseconds = firstHeader(headers, 'retry-after-ms');
  if (milliseconds !== undefined) {
    const value = Number(milliseconds);
    if (Number.isFinite(value) && value >= 0) return Math.round(value);
  }
  const retryAfter = firstHeader(headers, 'retry-after');
  if (retryAfter === undefined) return undefined;
  const seconds = Number(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1_000);
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * A reset header's value as an epoch-ms time: an RFC 3339 / HTTP date, a Go duration from now (`6m0s`), or a number
 * of seconds from now.
 */
export function parseResetTime(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const duration = parseDuration(value);
  if (duration !== undefined) return now + duration;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : date;
}

/** The header names of one rate-limit budget (any may be absent). */
export interface BudgetHeaderNames {
  limit?: string;
  remaining?: string;
  /** A reset time: an RFC 3339 / HTTP date, a Go duration (`6m0s`) or seconds from now. */
  reset?: string;
}

/**
 * Reads one rate-limit budget (limit, remaining, reset) from response headers, by the provider's header names.
 * Counts must be non-negative numbers; undefined when none of the three is present. `readReset` reads the reset
 * header's value as an epoch-ms time (default `parseResetTime`; a provider whose resets have one format of their own,
 * e.g. epoch milliseconds, gives its own reader).
 */
export function readRateLimitBudget(
  headers: HeaderSource,
  names: BudgetHeaderNames,
  now: number = Date.now(),
  readReset: (value: string | undefined, now: number) => number | undefined = parseResetTime,
): RateLimitBudget | undefined {
  const limit = names.limit ? toCount(firstHeader(headers, names.limit)) : undefined;
  const remaining = names.remaining ? toCount(firstHeader(headers, names.remaining)) : undefined;
  const resetAt = names.reset ? readReset(firstHeader(headers, names.reset), now) : undefined;
  if (limit === undefined && remaining === undefined && resetAt === undefined) return undefined;
  const budget: RateLimitBudget = {};
  if (limit !== undefined) budget.limit = limit;
  if (remaining !== undefined) budget.remaining = remaining;
  if (resetAt !== undefined) budget.resetAt = resetAt;
  return budget;
}

function toCount(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const count = Number(value);
  return Number.isFinite(count) && count >= 0 ? count : undefined;
}
