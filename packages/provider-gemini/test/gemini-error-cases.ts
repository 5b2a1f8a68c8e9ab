import { ApiError } from '@google/genai';
import type { ClassifiedError } from '@keypool/core';
import type { ErrorCase } from '@keypool/core/testing';
import {
  apiErrorFrom,
  badGatewayApiError,
  blockedErrorFrom,
  type ErrorBodyFixture,
  midStreamApiError,
} from './gemini-fixtures.ts';

/** A key-shaped canary: it may appear in raw errors, never in a classified message. */
export const CANARY_KEY = 'AIzaSyCANARY-0000000000000000000000001';

type Expected = Partial<ClassifiedError> & Pick<ClassifiedError, 'category'>;

/** What each JSON error fixture must classify as (the spec, one row per body). */
export const FIXTURE_EXPECTATIONS: Record<ErrorBodyFixture, Expected> = {
  'api-key-invalid': { category: 'auth', status: 400, code: 'API_KEY_INVALID' },
  'api-key-expired': { category: 'auth', status: 400, code: 'API_KEY_INVALID' },
  'rate-limit-per-minute': {
    category: 'rate_limit',
    status: 429,
    code: 'RESOURCE_EXHAUSTED',
    quotaScope: 'minute',
    retryAfterMs: 47_000,
  },
  'tokens-per-minute': { category: 'rate_limit', status: 429, quotaScope: 'minute', retryAfterMs: 12_500 },
  'quota-per-day': {
    category: 'quota_exhausted',
    status: 429,
    code: 'RESOURCE_EXHAUSTED',
    quotaScope: 'day',
  },
  'resource-exhausted-bare': { category: 'rate_limit', status: 429, quotaScope: 'unknown' },
  'leaked-key': { category: 'auth', status: 403, code: 'PERMISSION_DENIED' },
  'unregistered-caller': { category: 'auth', status: 403, code: 'PERMISSION_DENIED' },
  overloaded: { category: 'overloaded', status: 503, code: 'UNAVAILABLE' },
  'context-length': { category: 'context_length', status: 400, code: 'INVALID_ARGUMENT' },
  'model-not-found': { category: 'invalid_request', status: 404, code: 'NOT_FOUND', modelNotFound: true },
  'invalid-argument': { category: 'invalid_request', status: 400, code: 'INVALID_ARGUMENT' },
  'location-not-supported': { category: 'invalid_request', status: 400, code: 'FAILED_PRECONDITION' },
  internal: { category: 'server', status: 500, code: 'INTERNAL' },
  'deadline-exceeded': { category: 'server', status: 504, code: 'DEADLINE_EXCEEDED' },
};

function connectionRefused(): TypeError {
  const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
    code: 'ECONNREFUSED',
    errno: -111,
    syscall: 'connect',
  });
  return new TypeError('fetch failed', { cause });
}

function socketClosed(): TypeError {
  const cause = Object.assign(new Error('other side closed'), {
    name: 'SocketError',
    code: 'UND_ERR_SOCKET',
  });
  return new TypeError('terminated', { cause });
}

function headersTimeout(): TypeError {
  const cause = Object.assign(new Error('Headers Timeout Error'), {
    name: 'HeadersTimeoutError',
    code: 'UND_ERR_HEADERS_TIMEOUT',
  });
  return new TypeError('fetch failed', { cause });
}

/** A gateway that echoed the request URL, key and all, into a 400. */
function keyEchoed(): ApiError {
  const body = {
    error: {
      code: 400,
      message: `Invalid request to https://generativelanguage.googleapis.com/v1/models/x:generateContent?key=${CANARY_KEY} (x-goog-api-key: ${CANARY_KEY})`,
      status: 'INVALID_ARGUMENT',
    },
  };
  return new ApiError({ status: 400, message: JSON.stringify(body) });
}

/** Every row of the classification table, with real SDK error objects built from the fixtures. */
export const GEMINI_ERROR_CASES: ErrorCase[] = [
  ...(Object.entries(FIXTURE_EXPECTATIONS) as [ErrorBodyFixture, Expected][]).map(([name, expected]) => ({
    name: `ApiError ${name}`,
    error: () => apiErrorFrom(name),
    expected,
  })),
  {
    name: 'ApiError 502 HTML page (non-JSON body)',
    error: () => badGatewayApiError(),
    expected: { category: 'server', status: 502, code: 'Bad Gateway' },
  },
  {
    name: 'ApiError from an error event inside a stream',
    error: () => midStreamApiError(),
    expected: { category: 'overloaded', status: 503, code: 'UNAVAILABLE' },
  },
  {
    name: 'prompt blocked on a 200 (promptFeedback.blockReason)',
    error: () => blockedErrorFrom('prompt-blocked'),
    expected: {
      category: 'content_filter',
      code: 'SAFETY',
      filterReason: 'prompt blocked: SAFETY (HARM_CATEGORY_DANGEROUS_CONTENT: HIGH)',
    },
  },
  {
    name: 'response blocked on a 200 (finishReason SAFETY)',
    error: () => blockedErrorFrom('response-blocked'),
    expected: {
      category: 'content_filter',
      code: 'SAFETY',
      filterReason: 'response blocked: SAFETY (HARM_CATEGORY_HARASSMENT: MEDIUM)',
    },
  },
  {
    name: 'TypeError fetch failed (connection refused)',
    error: () => connectionRefused(),
    expected: { category: 'network', code: 'ECONNREFUSED' },
  },
  {
    name: 'TypeError terminated (socket closed mid-body)',
    error: () => socketClosed(),
    expected: { category: 'network', code: 'UND_ERR_SOCKET' },
  },
  {
    name: 'TypeError fetch failed without a cause',
    error: () => new TypeError('fetch failed'),
    expected: { category: 'network' },
  },
  {
    name: 'Undici headers timeout',
    error: () => headersTimeout(),
    expected: { category: 'timeout', code: 'UND_ERR_HEADERS_TIMEOUT' },
  },
  {
    name: 'DOMException TimeoutError (attempt timeout)',
    error: () => new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
    expected: { category: 'timeout' },
  },
  {
    name: 'DOMException AbortError (caller abort)',
    error: () => new DOMException('This operation was aborted', 'AbortError'),
    expected: { category: 'aborted' },
  },
  {
    name: 'SDK stream parse error',
    error: () => new Error('Incomplete JSON segment at the end'),
    expected: { category: 'server' },
  },
  {
    name: 'ApiError whose body echoes the key',
    error: () => keyEchoed(),
    expected: { category: 'invalid_request', status: 400 },
  },
];
