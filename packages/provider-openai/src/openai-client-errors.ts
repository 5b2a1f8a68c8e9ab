import type { ClientErrorFactory } from '@keypool/core';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  OpenAIError,
} from 'openai/core/error';

/**
 * How `pool.client` turns Keypool's failures into the `openai` SDK's own errors: the upstream `APIError` (or
 * `RateLimitError`, ...) when there is one, `APIUserAbortError` for the caller's abort, `APIConnectionTimeoutError`
 * for a timeout, a `RateLimitError` (429) for a pool with no usable key and no upstream answer.
 */
export const openAIClientErrors: ClientErrorFactory = {
  isSdkError: (error: unknown): error is Error => error instanceof OpenAIError,
  abortError: () => new APIUserAbortError(),
  timeoutError: () => new APIConnectionTimeoutError(),
  otherError: (message, status) =>
    status === undefined
      ? new APIConnectionError({ message })
      : APIError.generate(status, { message, type: 'keypool_pool_exhausted' }, message, new Headers()),
};
