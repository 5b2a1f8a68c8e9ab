import {
  type ClassifiedError,
  IncompleteAnswerError,
  matchRateLimitWording,
  type RateLimitWordingTable,
  UnsupportedFeatureError,
} from '@keypool/core';
import { GeminiContentBlockedError } from './gemini-content-blocked-error.ts';
import { findGeminiErrorDetail, type GeminiErrorBody, parseGeminiErrorBody } from './gemini-error-body.ts';
import { geminiQuotaScope } from './gemini-quota-failure.ts';
import { nextGeminiDailyReset } from './gemini-quota-reset.ts';
import { GEMINI_RATE_LIMIT_WORDING } from './gemini-rate-limit-wording.ts';
import { geminiRetryDelayMs } from './gemini-retry-info.ts';
import { scrubGeminiSecrets } from './scrub-gemini-secrets.ts';

const MAX_MESSAGE_LENGTH = 500;
const CONTEXT_LENGTH = /input token count.*exceeds the maximum number of tokens/i;
const INVALID_KEY = /API key (?:not valid|expired|not found)|API_KEY_INVALID/i;
const MODEL_IN_MESSAGE = /\bmodels?\//i;
const NETWORK_MESSAGES =
  /^(?:fetch failed|terminated|failed to fetch|network ?error|load failed|other side closed)/i;
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
const TRANSPORT_TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

interface ApiErrorLike {
  name: 'ApiError';
  status: number;
  message: string;
}

/**
 * Classifies anything a `@google/genai` call threw into Keypool's shared categories, with Gemini's hints.
 *
 * genai's `ApiError` carries only `status` and `message`, and the message is the response body as JSON: the quota
 * scope (per-minute vs per-day `quotaId`), the wait (`RetryInfo.retryDelay`), and the bad-key reason
 * (`ErrorInfo.reason: API_KEY_INVALID`) are all read from it. Connection failures surface as a raw `TypeError`
 * ("fetch failed", "terminated"), an attempt timeout as a `TimeoutError` and a caller's abort as an `AbortError`
 * DOMException. A 400/403/503 that says it is a rate limit or a spent quota is classified through `wording`
 * (status, then code, then wording). Every message is scrubbed of anything key-like. Pure: `now` only dates a
 * per-day quota's reset.
 */
export function classifyGeminiError(
  error: unknown,
  now: number = Date.now(),
  wording: RateLimitWordingTable = GEMINI_RATE_LIMIT_WORDING,
): ClassifiedError {
  // Thrown before any request: the same request would fail on every key.
  if (UnsupportedFeatureError.isInstance(error))
    return { category: 'invalid_request', message: error.message };
  const api = isApiError(error) ? error : undefined;
  const body = api ? parseGeminiErrorBody(api.message) : undefined;
  const status = api?.status ?? body?.code;
  const rpcStatus = body?.status;
  const reason = errorInfoReason(body);
  const detail = body?.message ?? (api ? api.message : withCause(error));
  const transportCode = transportCodeOf(error);
  const worded = api
    ? matchRateLimitWording(
        { status, codes: [rpcStatus, reason, ...detailReasons(body)], text: detail },
        wording,
      )
    : undefined;
  const base: ClassifiedError = {
    category: 'server',
    message: describe(status, rpcStatus, detail),
    ...(status !== undefined ? { status } : {}),
    ...(rpcStatus !== undefined ? { code: rpcStatus } : {}),
  };

  switch (true) {
    case GeminiContentBlockedError.isInstance(error):
      return {
        category: 'content_filter',
        message: scrubGeminiSecrets(error.message),
        code: error.reason,
        filterReason: error.filterReason,
      };
    case IncompleteAnswerError.isInstance(error):
      return { category: 'server', message: error.message, code: 'incomplete_answer' };
    case nameOf(error) === 'TimeoutError':
      return { category: 'timeout', message: 'the request to Gemini timed out' };
    case nameOf(error) === 'AbortError':
      return { category: 'aborted', message: 'the request to Gemini was aborted' };
    case api === undefined && transportCode !== undefined && TRANSPORT_TIMEOUT_CODES.has(transportCode):
      return { category: 'timeout', message: base.message, code: transportCode };
    case api === undefined && isNetworkError(error, transportCode):
      return {
        category: 'network',
        message: base.message,
        ...(transportCode !== undefined ? { code: transportCode } : {}),
      };
    case api === undefined:
      return base;
    case status === 429 && geminiQuotaScope(body) === 'day':
      return { ...base, category: 'quota_exhausted', quotaScope: 'day', resetAt: nextGeminiDailyReset(now) };
    case status === 429 || rpcStatus === 'RESOURCE_EXHAUSTED':
      return withRetry({ ...base, category: 'rate_limit', quotaScope: geminiQuotaScope(body) }, body);
    case worded === 'rate_limit':
      return withRetry({ ...base, category: 'rate_limit', quotaScope: geminiQuotaScope(body) }, body);
    case worded === 'quota_exhausted':
      return { ...base, category: 'quota_exhausted', quotaScope: geminiQuotaScope(body) ?? 'unknown' };
    case reason === 'API_KEY_INVALID' || (status === 400 && INVALID_KEY.test(detail)):
      return { ...base, category: 'auth', code: 'API_KEY_INVALID' };
    case status === 401 || status === 403:
      return { ...base, category: 'auth' };
    case status === 400 && CONTEXT_LENGTH.test(detail):
      return { ...base, category: 'context_length' };
    case status === 404:
      return { ...base, category: 'invalid_request', modelNotFound: MODEL_IN_MESSAGE.test(detail) };
    case status === 503 || status === 529:
      return withRetry({ ...base, category: 'overloaded' }, body);
    case status === 408:
      return { ...base, category: 'timeout' };
    case status !== undefined && status >= 500:
      return { ...base, category: 'server' };
    case status !== undefined && status >= 400:
      return { ...base, category: 'invalid_request' };
    default:
      return base;
  }
}

function withRetry(classified: ClassifiedError, body: GeminiErrorBody | undefined): ClassifiedError {
  const retryAfterMs = geminiRetryDelayMs(body);
  return retryAfterMs === undefined ? classified : { ...classified, retryAfterMs };
}

function isApiError(error: unknown): error is ApiErrorLike {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'ApiError' &&
    typeof (error as { status?: unknown }).status === 'number' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

function errorInfoReason(body: GeminiErrorBody | undefined): string | undefined {
  const reason = findGeminiErrorDetail(body, 'ErrorInfo')?.reason;
  return typeof reason === 'string' ? reason : undefined;
}

/** The `reason`s of a Google error body's legacy `errors` list (`rateLimitExceeded`, `quotaExceeded`...). */
function detailReasons(body: GeminiErrorBody | undefined): string[] {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .map((item) =>
      typeof item === 'object' && item !== null ? (item as { reason?: unknown }).reason : undefined,
    )
    .filter((reason): reason is string => typeof reason === 'string');
}

function nameOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const name = (error as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

function messageOf(error: unknown): string {
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null) {
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string' && message !== '') return message;
  }
  if (error === undefined || error === null) return 'unknown error';
  return Object.prototype.toString.call(error);
}

/** A non-API error's message with its cause's (`fetch failed (connect ECONNREFUSED 127.0.0.1:443)`). */
function withCause(error: unknown): string {
  const message = messageOf(error);
  const cause =
    typeof error === 'object' && error !== null ? (error as { cause?: unknown }).cause : undefined;
  const causeMessage = cause instanceof Error && cause.message !== '' ? cause.message : undefined;
  return causeMessage && causeMessage !== message ? `${message} (${causeMessage})` : message;
}

function transportCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || TRANSPORT_TIMEOUT_CODES.has(code)))
      return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isNetworkError(error: unknown, transportCode: string | undefined): boolean {
  if (transportCode !== undefined) return true;
  return error instanceof TypeError && NETWORK_MESSAGES.test(error.message);
}

function describe(status: number | undefined, rpcStatus: string | undefined, detail: string): string {
  const flat = detail.replace(/\s+/g, ' ').trim();
  const short = flat.length > MAX_MESSAGE_LENGTH ? `${flat.slice(0, MAX_MESSAGE_LENGTH)}...` : flat;
  const prefix = [status, rpcStatus].filter((part) => part !== undefined).join(' ');
  return scrubGeminiSecrets(prefix ? `${prefix}: ${short}` : short);
}
