import type { ClientErrorFactory } from '@keypool/core';
import {
  ConnectionError,
  HTTPClientError,
  MistralError,
  RequestAbortedError,
  RequestTimeoutError,
  SDKError,
  SDKValidationError,
} from '@mistralai/mistralai/models/errors';

/**
 * How `pool.client` turns Keypool's failures into `@mistralai/mistralai`'s own errors: the upstream `SDKError` /
 * `HTTPValidationError` (with `statusCode`, `body`, `headers`) when there is one, `RequestAbortedError` for the
 * caller's abort, `RequestTimeoutError` for a timeout, `ConnectionError` for a connection-level failure, and for a
 * pool with no usable key an `SDKError` 429 whose body reads like Mistral's.
 */
export const mistralClientErrors: ClientErrorFactory = {
  isSdkError: (error: unknown): error is Error =>
    error instanceof MistralError || error instanceof HTTPClientError || error instanceof SDKValidationError,
  abortError: () =>
    new RequestAbortedError('Request aborted by client', {
      cause: new DOMException('This operation was aborted', 'AbortError'),
    }),
  timeoutError: () =>
    new RequestTimeoutError('Request timed out', {
      cause: new DOMException('The operation timed out.', 'TimeoutError'),
    }),
  otherError: (message, status) => {
    if (status === undefined)
      return new ConnectionError('Unable to make request', { cause: new Error(message) });
    const body = JSON.stringify({
      object: 'error',
      message,
      type: 'rate_limited',
      param: null,
      code: '1300',
    });
    const response = new Response(body, { status, headers: { 'content-type': 'application/json' } });
    return new SDKError(`API error occurred: Status ${status}\nBody: ${body}`, {
      response,
      request: new Request('http://keypool.invalid/'),
      body,
    });
  },
};
