import type { ErrorCategory } from './categories';
import type { ClassifiedError } from './classified-error';
import type { RateLimitInfo } from './rate-limit-info';
import {
  DEFAULT_RATE_LIMIT_WORDING,
  extendRateLimitWording,
  matchRateLimitWording,
  type RateLimitWordingTable,
} from './rate-limit-wording';
import { type HeaderSource, parseRetryAfter, readRateLimitBudget } from './retry-hints';

/** An HTTP answer an app received by hand: its status, and optionally its headers and body text. */
export interface HttpFailure {
  status: number;
  headers?: HeaderSource;
  /** The response body as text (the wording decides 400/403/503 rate limits and 429 quota errors). */
  body?: string;
}

/**
 * A failure already classified by the lease (`lease.fail(status)`): the engine takes its classification as it is,
 * instead of asking the adapter, which only knows its SDK's errors.
 */
export class ClassifiedFailure extends Error {
  readonly classified: ClassifiedError;

  constructor(classified: ClassifiedError) {
    super(classified.message);
    this.name = 'ClassifiedFailure';
    this.classified = classified;
  }
}

/** The table with 429 added: a 429 whose code or wording says the quota is spent is `quota_exhausted`. */
const WITH_429 = /* @__PURE__ */ with429(DEFAULT_RATE_LIMIT_WORDING);

/** `table` with 429 among its statuses (a function free of side effects, so bundles that never classify drop it). */
/* @__NO_SIDE_EFFECTS__ */
function with429(table: RateLimitWordingTable): RateLimitWordingTable {
  return extendRateLimitWording(table, { statuses: [...table.statuses, 429] });
}

/** What each status means when its body says nothing more specific. */
function categoryOfStatus(status: number): ErrorCategory {
  if (status === 429) return 'rate_limit';
  if (status === 401 || status === 403) return 'auth';
  if (status === 402) return 'quota_exhausted';
  if (status === 408) return 'timeout';
  if (status === 503 || status === 529) return 'overloaded';
  if (status >= 500) return 'server';
  return 'invalid_request';
}

/** The provider codes a JSON error body carries (`error.code`, `error.type`, `error.status`), if any. */
function codesOf(body: string | undefined): string[] {
  if (!body) return [];
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    const error = (Array.isArray(parsed) ? parsed[0]?.error : parsed.error) as
      | Record<string, unknown>
      | string
      | undefined;
    if (!error || typeof error !== 'object') return [];
    return ['code', 'type', 'status']
      .map((name) => error[name])
      .filter((value): value is string | number => typeof value === 'string' || typeof value === 'number')
      .map(String);
  } catch {
    return [];
  }
}

/** The common `x-ratelimit-*` headers (OpenAI's names, which most compatible hosts send too). */
export function readCommonRateLimitHeaders(headers: HeaderSource, now: number): RateLimitInfo | undefined {
  const requests = readRateLimitBudget(
    headers,
    {
      limit: 'x-ratelimit-limit-requests',
      remaining: 'x-ratelimit-remaining-requests',
      reset: 'x-ratelimit-reset-requests',
    },
    now,
  );
  const tokens = readRateLimitBudget(
    headers,
    {
      limit: 'x-ratelimit-limit-tokens',
      remaining: 'x-ratelimit-remaining-tokens',
      reset: 'x-ratelimit-reset-tokens',
    },
    now,
  );
  if (!requests && !tokens) return undefined;
  return { ...(requests ? { requests } : {}), ...(tokens ? { tokens } : {}) };
}

/**
 * Classifies an HTTP answer by status, then code, then wording (the rate-limit wording table), with the wait from
 * `retry-after-ms` / `retry-after`: 429 rate_limit (quota wording: quota_exhausted), 401/403 auth, 402
 * quota_exhausted, 408 timeout, 503/529 overloaded, other 5xx server, other 4xx invalid_request. Pure.
 */
export function classifyHttpFailure(
  failure: HttpFailure,
  now: number,
  wording: RateLimitWordingTable = WITH_429,
): ClassifiedError {
  const { status, headers, body } = failure;
  const codes = codesOf(body);
  const text = body ?? '';
  const byWording = matchRateLimitWording({ status, codes, text }, wording);
  const category = byWording ?? categoryOfStatus(status);
  const excerpt = text.trim().replace(/\s+/g, ' ').slice(0, 200);
  const classified: ClassifiedError = {
    category,
    message: `HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`,
    status,
  };
  if (codes[0] !== undefined) classified.code = codes[0];
  const retryAfterMs = parseRetryAfter(headers, now);
  if (retryAfterMs !== undefined) classified.retryAfterMs = retryAfterMs;
  return classified;
}
