import type { ErrorCase } from '@keypool/core/testing';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  ContentFilterFinishReasonError,
  LengthFinishReasonError,
} from 'openai/core/error';
import contentFilter from './emulator-content-filter.json' with { type: 'json' };
import emulatorContextLength from './emulator-context-length.json' with { type: 'json' };
import emulatorQuota from './emulator-insufficient-quota.json' with { type: 'json' };
import emulatorInvalidKey from './emulator-invalid-api-key.json' with { type: 'json' };
import modelNotFound from './emulator-model-not-found.json' with { type: 'json' };
import emulatorOverloaded from './emulator-overloaded.json' with { type: 'json' };
import rateLimitRequests from './emulator-rate-limit-requests.json' with { type: 'json' };
import rateLimitTokens from './emulator-rate-limit-tokens.json' with { type: 'json' };
import emulatorServerError from './emulator-server-error.json' with { type: 'json' };
import badGateway from './html-bad-gateway.json' with { type: 'json' };
import gatewayTimeout from './html-gateway-timeout.json' with { type: 'json' };
import midStreamError from './mid-stream-error.json' with { type: 'json' };
import conflict from './notes-conflict.json' with { type: 'json' };
import contextLength from './notes-context-length.json' with { type: 'json' };
import quota from './notes-insufficient-quota.json' with { type: 'json' };
import invalidKey from './notes-invalid-api-key.json' with { type: 'json' };
import invalidRequest from './notes-invalid-request.json' with { type: 'json' };
import overloaded from './notes-overloaded.json' with { type: 'json' };
import permissionDenied from './notes-permission-denied.json' with { type: 'json' };
import messageOnly from './notes-rate-limit-message-only.json' with { type: 'json' };
import resetHeaders from './notes-rate-limit-reset-headers.json' with { type: 'json' };
import retryAfterSeconds from './notes-rate-limit-retry-after-seconds.json' with { type: 'json' };
import serverError from './notes-server-error.json' with { type: 'json' };
import unprocessable from './notes-unprocessable.json' with { type: 'json' };

/** A captured (or documented) error response: status, headers and body (JSON, or text for HTML pages). */
export interface ErrorFixture {
  source: string;
  status: number | null;
  headers: Record<string, string>;
  body: unknown;
}

/** A secret that must never survive into a classified message. */
export const CANARY_SECRET = 'sk-canary-DO-NOT-LEAK-7f3a9c21e5b8d4a6';

/**
 * The SDK's own error for a fixture, built exactly as the SDK builds it from a response: a JSON body goes to
 * `APIError.generate(status, body, undefined, headers)`, a text body (an HTML page) to
 * `APIError.generate(status, undefined, text, headers)`, and a mid-stream `error` payload to
 * `new APIError(undefined, body.error, undefined, headers)`.
 */
export function sdkErrorFrom(fixture: ErrorFixture): APIError {
  const headers = new Headers(fixture.headers);
  if (fixture.status === null)
    return new APIError(undefined, (fixture.body as { error: object }).error, undefined, headers);
  if (typeof fixture.body === 'string')
    return APIError.generate(fixture.status, undefined, fixture.body, headers);
  return APIError.generate(fixture.status, fixture.body as object, undefined, headers);
}

const terminated = Object.assign(new TypeError('terminated'), {
  cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
});

/**
 * The classification table: every row a real SDK error object and what it must classify as. Shared by the mapper's
 * table test and the adapter conformance suite.
 */
export const OPENAI_ERROR_CASES: readonly ErrorCase[] = [
  {
    name: '401 invalid_api_key (emulator)',
    error: () => sdkErrorFrom(emulatorInvalidKey),
    expected: {
      category: 'auth',
      status: 401,
      code: 'invalid_api_key',
      requestId: 'req_000000000000000000000001',
    },
  },
  {
    name: '401 invalid_api_key (SDK-NOTES)',
    error: () => sdkErrorFrom(invalidKey),
    expected: { category: 'auth', status: 401, code: 'invalid_api_key', requestId: 'req_notes_401' },
  },
  {
    name: '403 unsupported_country_region_territory',
    error: () => sdkErrorFrom(permissionDenied),
    expected: { category: 'auth', status: 403, code: 'unsupported_country_region_territory' },
  },
  {
    name: '429 rate_limit_exceeded RPM with retry-after-ms (emulator)',
    error: () => sdkErrorFrom(rateLimitRequests),
    expected: {
      category: 'rate_limit',
      status: 429,
      code: 'rate_limit_exceeded',
      retryAfterMs: Number(rateLimitRequests.headers['retry-after-ms']),
      quotaScope: 'minute',
      rateLimit: {
        requests: {
          limit: 1,
          remaining: 0,
          resetAt: expectAround(Number(rateLimitRequests.headers['retry-after-ms'])),
        },
      },
    },
  },
  {
    name: '429 rate_limit_exceeded TPM with retry-after-ms (emulator)',
    error: () => sdkErrorFrom(rateLimitTokens),
    expected: {
      category: 'rate_limit',
      retryAfterMs: Number(rateLimitTokens.headers['retry-after-ms']),
      quotaScope: 'minute',
      rateLimit: { tokens: { limit: 20, remaining: 9 } },
    },
  },
  {
    name: '429 rate_limit_exceeded, wait only in the message ("Please try again in 1.4s")',
    error: () => sdkErrorFrom(messageOnly),
    expected: {
      category: 'rate_limit',
      retryAfterMs: 1_400,
      quotaScope: 'minute',
      requestId: 'req_notes_429',
    },
  },
  {
    name: '429 rate_limit_exceeded, wait only in the reset headers (requests spent: 6m0s)',
    error: () => sdkErrorFrom(resetHeaders),
    expected: {
      category: 'rate_limit',
      retryAfterMs: 360_000,
      quotaScope: 'day',
      rateLimit: {
        requests: { limit: 500, remaining: 0, resetAt: expectAround(360_000) },
        tokens: { limit: 30_000, remaining: 29_000, resetAt: expectAround(12) },
      },
    },
  },
  {
    name: '429 rate_limit_exceeded, retry-after in seconds',
    error: () => sdkErrorFrom(retryAfterSeconds),
    expected: { category: 'rate_limit', retryAfterMs: 2_000 },
  },
  {
    name: '429 insufficient_quota (emulator)',
    error: () => sdkErrorFrom(emulatorQuota),
    expected: { category: 'quota_exhausted', status: 429, code: 'insufficient_quota' },
  },
  {
    name: '429 insufficient_quota (SDK-NOTES)',
    error: () => sdkErrorFrom(quota),
    expected: { category: 'quota_exhausted', code: 'insufficient_quota', quotaScope: 'unknown' },
  },
  {
    name: '400 context_length_exceeded (emulator)',
    error: () => sdkErrorFrom(emulatorContextLength),
    expected: { category: 'context_length', status: 400, code: 'context_length_exceeded' },
  },
  {
    name: '400 context_length_exceeded (SDK-NOTES)',
    error: () => sdkErrorFrom(contextLength),
    expected: { category: 'context_length', code: 'context_length_exceeded' },
  },
  {
    name: '400 content_policy_violation (emulator)',
    error: () => sdkErrorFrom(contentFilter),
    expected: {
      category: 'content_filter',
      status: 400,
      code: 'content_policy_violation',
      filterReason:
        'Your request was rejected as a result of our safety system. Your request may contain content that is not allowed by our safety system.',
    },
  },
  {
    name: '404 model_not_found (emulator)',
    error: () => sdkErrorFrom(modelNotFound),
    expected: { category: 'invalid_request', status: 404, code: 'model_not_found', modelNotFound: true },
  },
  {
    name: '400 invalid_type',
    error: () => sdkErrorFrom(invalidRequest),
    expected: { category: 'invalid_request', status: 400, code: 'invalid_type' },
  },
  {
    name: '409 conflict',
    error: () => sdkErrorFrom(conflict),
    expected: { category: 'invalid_request', status: 409 },
  },
  {
    name: '422 unprocessable entity',
    error: () => sdkErrorFrom(unprocessable),
    expected: { category: 'invalid_request', status: 422 },
  },
  {
    name: '503 overloaded (emulator)',
    error: () => sdkErrorFrom(emulatorOverloaded),
    expected: { category: 'overloaded', status: 503 },
  },
  {
    name: '503 overloaded (SDK-NOTES)',
    error: () => sdkErrorFrom(overloaded),
    expected: { category: 'overloaded' },
  },
  {
    name: '500 server_error (emulator)',
    error: () => sdkErrorFrom(emulatorServerError),
    expected: { category: 'server', status: 500 },
  },
  {
    name: '500 server_error',
    error: () => sdkErrorFrom(serverError),
    expected: { category: 'server', status: 500 },
  },
  {
    name: '502 HTML page (error undefined)',
    error: () => sdkErrorFrom(badGateway),
    expected: { category: 'server', status: 502, message: '502 HTML error page: 502 Bad Gateway' },
  },
  {
    name: '504 HTML page',
    error: () => sdkErrorFrom(gatewayTimeout),
    expected: { category: 'server', status: 504 },
  },
  {
    name: 'mid-stream error event (APIError, status undefined, overloaded)',
    error: () => sdkErrorFrom(midStreamError),
    expected: { category: 'overloaded' },
  },
  {
    name: 'mid-stream error event (APIError, status undefined, other)',
    error: () =>
      new APIError(
        undefined,
        { message: 'An error occurred during streaming', type: 'server_error' },
        undefined,
        new Headers(),
      ),
    expected: { category: 'server' },
  },
  {
    name: 'APIConnectionTimeoutError',
    error: () => new APIConnectionTimeoutError(),
    expected: { category: 'timeout' },
  },
  {
    name: 'APIConnectionError (fetch failed)',
    error: () =>
      new APIConnectionError({ message: 'Connection error.', cause: new TypeError('fetch failed') }),
    expected: { category: 'network' },
  },
  { name: 'APIUserAbortError', error: () => new APIUserAbortError(), expected: { category: 'aborted' } },
  { name: 'stream cut: TypeError terminated', error: () => terminated, expected: { category: 'network' } },
  {
    name: 'DOMException AbortError',
    error: () => new DOMException('This operation was aborted', 'AbortError'),
    expected: { category: 'aborted' },
  },
  {
    name: 'DOMException TimeoutError',
    error: () => new DOMException('The operation timed out.', 'TimeoutError'),
    expected: { category: 'timeout' },
  },
  {
    name: 'malformed SSE chunk (SyntaxError)',
    error: () => new SyntaxError('Error reading response: malformed server-sent event JSON.'),
    expected: { category: 'server' },
  },
  {
    name: 'ContentFilterFinishReasonError (parse helper)',
    error: () => new ContentFilterFinishReasonError(),
    expected: { category: 'content_filter' },
  },
  {
    name: 'LengthFinishReasonError (parse helper)',
    error: () => new LengthFinishReasonError(),
    expected: { category: 'invalid_request' },
  },
  {
    name: 'a proxy echoing the key in its error body',
    error: () =>
      APIError.generate(
        401,
        {
          error: {
            message: `Bearer ${CANARY_SECRET} rejected by https://proxy.local/v1?key=${CANARY_SECRET}`,
            code: null,
          },
        },
        undefined,
        new Headers(),
      ),
    expected: { category: 'auth', status: 401 },
  },
];

/** A matcher for an epoch-ms time about `offsetMs` from now. */
function expectAround(offsetMs: number): number {
  const matcher = {
    asymmetricMatch: (actual: unknown) =>
      typeof actual === 'number' && Math.abs(actual - (Date.now() + offsetMs)) < 5_000,
    toString: () => `about now + ${offsetMs} ms`,
  };
  return matcher as unknown as number;
}
