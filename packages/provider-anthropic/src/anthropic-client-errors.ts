import {
  AnthropicError,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import type { ClientErrorFactory } from '@keypool/core';

/**
 * How `pool.client` turns Keypool's failures into `@anthropic-ai/sdk`'s own errors: the upstream `APIError` (or
 * `RateLimitError`, `OverloadedError`, ...) when there is one, `APIUserAbortError` for the caller's abort,
 * `APIConnectionTimeoutError` for a timeout, a `RateLimitError` (429) for a pool with no usable key and no upstream
 * answer.
 */
export const anthropicClientErrors: ClientErrorFactory = {
  isSdkError: (error: unknown): error is Error => error instanceof AnthropicError,
  abortError: () => new APIUserAbortError(),
  timeoutError: () => new APIConnectionTimeoutError(),
  otherError: (message, status) =>
    status === undefined
      ? new APIConnectionError({ message })
      : APIError.generate(
          status,
          { type: 'error', error: { type: 'rate_limit_error', message } },
          message,
          new Headers(),
        ),
};
