import { ApiError } from '@google/genai';
import type { ClientErrorFactory } from '@keypool/core';

/** What genai throws for an aborted or timed-out request: fetch's own `AbortError` (genai aborts without a reason). */
function abortError(): Error {
  return new DOMException('This operation was aborted', 'AbortError');
}

/**
 * How `pool.client` turns Keypool's failures into what `@google/genai` itself throws: the upstream `ApiError` (its
 * `message` is the response body as JSON, as natively), fetch's `AbortError` for an abort or a timeout (genai's
 * `httpOptions.timeout` aborts the same way), fetch's `TypeError` for a connection failure, and for a pool with no
 * usable key an `ApiError` 429 `RESOURCE_EXHAUSTED` whose message parses like Gemini's.
 */
export const geminiClientErrors: ClientErrorFactory = {
  isSdkError: (error: unknown): error is Error =>
    error instanceof ApiError ||
    error instanceof TypeError ||
    (error instanceof DOMException && error.name === 'AbortError'),
  abortError,
  timeoutError: abortError,
  otherError: (message, status) =>
    status === undefined
      ? new TypeError(message)
      : new ApiError({
          status,
          message: JSON.stringify({
            error: { code: status, message, status: status === 429 ? 'RESOURCE_EXHAUSTED' : 'UNAVAILABLE' },
          }),
        }),
};
