import {
  AnthropicError,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import type { ErrorCase } from '@keypool/core/testing';
import { sdkErrorFromFixture } from './sdk-errors.ts';

/** A key that may appear inside raw errors; no classified message may contain it. */
export const CANARY_SECRET = 'sk-ant-api03-CANARY0123456789abcdefXYZ';

const REQUEST_ID = 'req_011CTestRequestId0000001';

/** A row of the classification table, with the SDK class the fixture must produce. */
export interface AnthropicErrorCase extends ErrorCase {
  /** The SDK's class name of the error object (checks that the fixture yields the real subclass). */
  sdkClass: string;
}

const fromFixture = (
  name: string,
  sdkClass: string,
  expected: AnthropicErrorCase['expected'],
): AnthropicErrorCase => ({ name, sdkClass, error: () => sdkErrorFromFixture(name), expected });

/** The classification table of `classifyAnthropicError`, with real SDK error objects built from real bodies. */
export const anthropicErrorCases: readonly AnthropicErrorCase[] = [
  fromFixture('api-429-rate-limit-error', 'RateLimitError', {
    category: 'rate_limit',
    status: 429,
    code: 'rate_limit_error',
    retryAfterMs: 17_000,
    resetAt: Date.parse('2026-11-21T12:00:17Z'),
    quotaScope: 'minute',
    requestId: REQUEST_ID,
    rateLimit: {
      requests: { limit: 50, remaining: 0, resetAt: Date.parse('2026-11-21T12:00:17Z') },
      tokens: { limit: 30_000, remaining: 12_000, resetAt: Date.parse('2026-11-21T12:00:05Z') },
    },
  }),
  fromFixture('api-429-ramp-limit-exceeded', 'RampLimitExceededError', {
    category: 'rate_limit',
    code: 'ramp_limit_exceeded',
    retryAfterMs: 5_000,
  }),
  fromFixture('api-429-enforced-spend-limit', 'EnforcedSpendLimitReachedError', {
    category: 'quota_exhausted',
    status: 429,
    code: 'enforced_spend_limit_reached',
    quotaScope: 'month',
    resetAt: Date.UTC(2026, 11, 1),
    requestId: REQUEST_ID,
  }),
  fromFixture('api-429-contract-spend-limit', 'ContractSpendLimitReachedError', {
    category: 'quota_exhausted',
    code: 'contract_spend_limit_reached',
  }),
  fromFixture('api-402-billing-error', 'PaymentRequiredError', {
    category: 'quota_exhausted',
    status: 402,
    code: 'billing_error',
  }),
  fromFixture('api-400-credit-balance-too-low', 'BadRequestError', {
    category: 'quota_exhausted',
    status: 400,
  }),
  fromFixture('api-529-overloaded-error', 'OverloadedError', {
    category: 'overloaded',
    status: 529,
    code: 'overloaded_error',
    requestId: REQUEST_ID,
  }),
  fromFixture('api-503-service-unavailable', 'ServiceUnavailableError', {
    category: 'overloaded',
    status: 503,
    retryAfterMs: 2_000,
  }),
  fromFixture('api-500-api-error', 'InternalServerError', {
    category: 'server',
    status: 500,
    code: 'api_error',
  }),
  fromFixture('api-504-timeout-error', 'GatewayTimeoutError', { category: 'server', status: 504 }),
  fromFixture('gateway-502-html', 'InternalServerError', { category: 'server', status: 502 }),
  fromFixture('api-401-authentication-error', 'AuthenticationError', {
    category: 'auth',
    status: 401,
    code: 'authentication_error',
  }),
  fromFixture('api-403-permission-error', 'PermissionDeniedError', {
    category: 'auth',
    status: 403,
    code: 'permission_error',
  }),
  fromFixture('api-400-organization-disabled', 'BadRequestError', { category: 'auth', status: 400 }),
  fromFixture('api-400-prompt-too-long', 'BadRequestError', {
    category: 'context_length',
    status: 400,
    code: 'invalid_request_error',
  }),
  fromFixture('api-400-context-limit-with-max-tokens', 'BadRequestError', { category: 'context_length' }),
  fromFixture('api-400-temperature-rejected', 'BadRequestError', {
    category: 'invalid_request',
    status: 400,
  }),
  fromFixture('api-404-model-not-found', 'NotFoundError', {
    category: 'invalid_request',
    status: 404,
    code: 'not_found_error',
    modelNotFound: true,
  }),
  fromFixture('api-404-not-found', 'NotFoundError', { category: 'invalid_request', status: 404 }),
  fromFixture('api-413-request-too-large', 'ContentTooLargeError', {
    category: 'invalid_request',
    status: 413,
    code: 'request_too_large',
  }),
  fromFixture('api-422-unprocessable', 'UnprocessableEntityError', {
    category: 'invalid_request',
    status: 422,
  }),
  fromFixture('stream-event-overloaded-error', 'APIError', {
    category: 'overloaded',
    code: 'overloaded_error',
    requestId: REQUEST_ID,
  }),
  fromFixture('stream-event-api-error', 'APIError', { category: 'server', code: 'api_error' }),
  fromFixture('emulator-429-rate-limit-error', 'RateLimitError', {
    category: 'rate_limit',
    status: 429,
    retryAfterMs: 59_915,
    requestId: 'req_000000000000000000000002',
  }),
  fromFixture('emulator-429-enforced-spend-limit', 'EnforcedSpendLimitReachedError', {
    category: 'quota_exhausted',
    code: 'enforced_spend_limit_reached',
    resetAt: Date.UTC(2026, 11, 1),
  }),
  fromFixture('emulator-402-billing-error', 'PaymentRequiredError', { category: 'quota_exhausted' }),
  fromFixture('emulator-529-overloaded-error', 'OverloadedError', { category: 'overloaded' }),
  fromFixture('emulator-500-api-error', 'InternalServerError', { category: 'server' }),
  fromFixture('emulator-401-authentication-error', 'AuthenticationError', { category: 'auth' }),
  fromFixture('emulator-400-prompt-too-long', 'BadRequestError', { category: 'context_length' }),
  fromFixture('emulator-400-content-filter', 'BadRequestError', {
    category: 'content_filter',
    filterReason: 'Output blocked by content filtering policy',
  }),
  fromFixture('emulator-404-model-not-found', 'NotFoundError', {
    category: 'invalid_request',
    modelNotFound: true,
  }),
  {
    name: 'connection refused (APIConnectionError)',
    sdkClass: 'APIConnectionError',
    error: () =>
      new APIConnectionError({
        cause: new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') }),
      }),
    expected: { category: 'network' },
  },
  {
    name: 'SDK timeout (APIConnectionTimeoutError)',
    sdkClass: 'APIConnectionTimeoutError',
    error: () => new APIConnectionTimeoutError(),
    expected: { category: 'timeout' },
  },
  {
    name: 'user abort (APIUserAbortError)',
    sdkClass: 'APIUserAbortError',
    error: () => new APIUserAbortError(),
    expected: { category: 'aborted' },
  },
  {
    name: 'client-side "Streaming is required" (AnthropicError)',
    sdkClass: 'AnthropicError',
    error: () =>
      new AnthropicError(
        'Streaming is required for operations that may take longer than 10 minutes. See https://platform.claude.com/docs/en/cli-sdks-libraries/sdks/typescript#long-requests for more details',
      ),
    expected: { category: 'invalid_request' },
  },
  {
    name: 'a raw AbortError (DOMException)',
    sdkClass: 'DOMException',
    error: () => new DOMException('This operation was aborted', 'AbortError'),
    expected: { category: 'aborted' },
  },
  {
    name: 'a raw TimeoutError (DOMException)',
    sdkClass: 'DOMException',
    error: () => new DOMException('The operation timed out.', 'TimeoutError'),
    expected: { category: 'timeout' },
  },
  {
    name: 'a 401 whose body echoes the key (canary)',
    sdkClass: 'AuthenticationError',
    error: () =>
      APIError.generate(
        401,
        {
          type: 'error',
          error: { type: 'authentication_error', message: `invalid x-api-key: ${CANARY_SECRET}` },
          request_id: REQUEST_ID,
        },
        undefined,
        new Headers({ 'request-id': REQUEST_ID }),
      ),
    expected: { category: 'auth', status: 401, requestId: REQUEST_ID },
  },
];
