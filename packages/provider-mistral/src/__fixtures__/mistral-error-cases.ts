import type { ErrorCase } from '@keypool/core/testing';
import {
  ChatCompletionResponse$inboundSchema,
  ChatCompletionStreamRequest$outboundSchema,
  CompletionEvent$inboundSchema,
} from '@mistralai/mistralai/models/components';
import {
  ConnectionError,
  InvalidRequestError,
  RequestAbortedError,
  RequestTimeoutError,
  SDKValidationError,
  UnexpectedClientError,
} from '@mistralai/mistralai/models/errors';
import { readFixture, sdkErrorFrom } from './mistral-error-fixtures';

/** A Mistral-shaped key (32 mixed-case letters and digits) that must never appear in a classified message. */
export const CANARY_SECRET = 'Zq7Rk2Lm9Xp4Tn6Wv1Ys3Ub8Hc5Jd0Fg';

/** The ZodError the SDK throws when it parses a stream event that is not a chunk (`data: {...}` not a chunk). */
export function zodErrorOf(parse: () => unknown): unknown {
  try {
    parse();
  } catch (error) {
    return error;
  }
  throw new Error('expected the schema to reject the value');
}

const midStreamErrorEvent = () =>
  zodErrorOf(() =>
    CompletionEvent$inboundSchema.parse({
      data: JSON.stringify({
        object: 'error',
        message: 'Service tier capacity exceeded for this model.',
        type: 'service_unavailable',
        param: null,
        code: '3505',
      }),
    }),
  );
const malformedChunk = () =>
  zodErrorOf(() =>
    CompletionEvent$inboundSchema.parse({
      data: '{"id":"broken","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"con',
    }),
  );

/** A 401 from a proxy that echoes the key back: the classified message must not hold it. */
function echoedKeyError() {
  const fixture = readFixture('401-message-unauthorized');
  return sdkErrorFrom({
    ...fixture,
    body: {
      message: `Unauthorized: invalid key ${CANARY_SECRET} (Bearer ${CANARY_SECRET})`,
      request_id: 'r-1',
    },
  });
}

/**
 * The classification table: every row is a REAL SDK error object (HTTP errors built from the captured bodies in this
 * folder over a real `Response`; client errors built the way the SDK builds them) and what it must classify as.
 */
export const MISTRAL_ERROR_CASES: readonly ErrorCase[] = [
  {
    name: '401 {"detail":"Unauthorized"} -> auth',
    error: () => sdkErrorFrom('401-detail-unauthorized'),
    expected: { category: 'auth', status: 401, requestId: '5f1c7a2b9e4d4c1a8b3e6d7f0a1b2c3d' },
  },
  {
    name: '401 {"message":"Unauthorized","request_id"} -> auth',
    error: () => sdkErrorFrom('401-message-unauthorized'),
    expected: { category: 'auth', status: 401, requestId: '000000000000000000000008' },
  },
  {
    name: '403 -> auth',
    error: () => sdkErrorFrom('403-forbidden'),
    expected: { category: 'auth', status: 403, requestId: '0b9a7c3e5d1f4e2a9c8b7a6d5e4f3a2b' },
  },
  {
    name: '401 echoing the key -> auth, key masked',
    error: echoedKeyError,
    expected: { category: 'auth', status: 401 },
  },
  {
    name: '429 rate_limited (requests) -> rate_limit with retry-after and headers',
    error: () => sdkErrorFrom('429-rate-limited'),
    expected: {
      category: 'rate_limit',
      status: 429,
      code: '1300',
      quotaScope: 'minute',
      retryAfterMs: 1_000,
      requestId: '00000000000000000000002a',
      rateLimit: { requests: { limit: 1, remaining: 0 } },
    },
  },
  {
    name: '429 tokens per minute -> rate_limit with token headers',
    error: () => sdkErrorFrom('429-tokens-per-minute'),
    expected: {
      category: 'rate_limit',
      quotaScope: 'minute',
      retryAfterMs: 1_000,
      rateLimit: { tokens: { limit: 15, remaining: 4 } },
    },
  },
  {
    name: '429 monthly usage limit -> quota_exhausted (month)',
    error: () => sdkErrorFrom('429-monthly-limit'),
    expected: { category: 'quota_exhausted', quotaScope: 'month', status: 429, code: '1310' },
  },
  {
    name: '429 with the month budget headers at 0 -> quota_exhausted (month)',
    error: () => sdkErrorFrom('429-month-headers'),
    expected: { category: 'quota_exhausted', quotaScope: 'month' },
  },
  {
    name: '429 "Service tier capacity exceeded" -> overloaded',
    error: () => sdkErrorFrom('429-capacity-exceeded'),
    expected: { category: 'overloaded', status: 429, code: '3505' },
  },
  {
    name: '503 capacity exceeded -> overloaded',
    error: () => sdkErrorFrom('503-capacity-exceeded'),
    expected: { category: 'overloaded', status: 503 },
  },
  {
    name: '400 "Prompt contains ... too large for model" -> context_length',
    error: () => sdkErrorFrom('400-context-length'),
    expected: { category: 'context_length', status: 400, code: '3051' },
  },
  {
    name: '400 content moderation -> content_filter with the reason',
    error: () => sdkErrorFrom('400-content-moderation'),
    expected: {
      category: 'content_filter',
      filterReason: 'The request was rejected because it was flagged by the content moderation policy.',
    },
  },
  {
    name: '400 invalid_model -> invalid_request, modelNotFound',
    error: () => sdkErrorFrom('400-invalid-model'),
    expected: { category: 'invalid_request', modelNotFound: true, status: 400, code: '1500' },
  },
  {
    name: '404 model not found -> invalid_request, modelNotFound',
    error: () => sdkErrorFrom('404-model-not-found'),
    expected: { category: 'invalid_request', modelNotFound: true, status: 404 },
  },
  {
    name: '400 other bad request -> invalid_request',
    error: () => sdkErrorFrom('400-bad-request'),
    expected: { category: 'invalid_request', status: 400 },
  },
  {
    name: '422 HTTPValidationError -> invalid_request',
    error: () => sdkErrorFrom('422-validation'),
    expected: { category: 'invalid_request', status: 422, message: '422 Field required' },
  },
  {
    name: '500 -> server',
    error: () => sdkErrorFrom('500-internal'),
    expected: { category: 'server', status: 500 },
  },
  {
    name: '502 HTML page -> server',
    error: () => sdkErrorFrom('502-html'),
    expected: { category: 'server', status: 502 },
  },
  {
    name: '504 -> server',
    error: () => sdkErrorFrom('504-gateway-timeout'),
    expected: { category: 'server', status: 504 },
  },
  {
    name: 'ConnectionError -> network',
    error: () => new ConnectionError('Unable to make request', { cause: new TypeError('fetch failed') }),
    expected: { category: 'network' },
  },
  {
    name: 'RequestTimeoutError -> timeout',
    error: () =>
      new RequestTimeoutError('Request timed out', {
        cause: new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      }),
    expected: { category: 'timeout' },
  },
  {
    name: 'RequestAbortedError -> aborted',
    error: () =>
      new RequestAbortedError('Request aborted by client', {
        cause: new DOMException('This operation was aborted', 'AbortError'),
      }),
    expected: { category: 'aborted' },
  },
  {
    name: 'a raw AbortError (the signal, outside the SDK) -> aborted',
    error: () => new DOMException('This operation was aborted', 'AbortError'),
    expected: { category: 'aborted' },
  },
  {
    name: 'a stream cut mid-body (TypeError "terminated") -> network',
    error: () =>
      new TypeError('terminated', {
        cause: Object.assign(new Error('other side closed'), { name: 'SocketError', code: 'UND_ERR_SOCKET' }),
      }),
    expected: { category: 'network' },
  },
  {
    name: 'a raw ZodError mid-stream (error event instead of a chunk) -> server',
    error: midStreamErrorEvent,
    expected: { category: 'server' },
  },
  {
    name: 'a raw ZodError mid-stream (malformed chunk) -> server',
    error: malformedChunk,
    expected: { category: 'server' },
  },
  {
    name: 'SDKValidationError on a response -> invalid_response',
    error: () =>
      new SDKValidationError(
        'Response validation failed',
        zodErrorOf(() => ChatCompletionResponse$inboundSchema.parse({ id: 'x' })),
        { id: 'x' },
      ),
    expected: { category: 'invalid_response' },
  },
  {
    name: 'SDKValidationError on the input (the SDK refused to send it) -> invalid_request',
    error: () =>
      new SDKValidationError(
        'Input validation failed',
        zodErrorOf(() => ChatCompletionStreamRequest$outboundSchema.parse({ model: 1 })),
        { model: 1 },
      ),
    expected: { category: 'invalid_request' },
  },
  {
    name: 'InvalidRequestError (no base URL) -> invalid_request',
    error: () => new InvalidRequestError('No base URL provided for operation'),
    expected: { category: 'invalid_request' },
  },
  {
    name: 'UnexpectedClientError over a refused connection -> network',
    error: () =>
      new UnexpectedClientError('Unexpected HTTP client error', { cause: new TypeError('fetch failed') }),
    expected: { category: 'network' },
  },
  {
    name: 'UnexpectedClientError otherwise -> server',
    error: () => new UnexpectedClientError('Unexpected HTTP client error', { cause: new RangeError('boom') }),
    expected: { category: 'server' },
  },
];
