import { APICallError } from '@ai-sdk/provider';
import { type ClassifiedError, parseRetryAfter } from '@keypool/core';

const QUOTA = /insufficient_quota|exceeded your current quota|billing|credit balance|spend limit/i;
const CONTEXT = /context length|context_length|prompt is too long|too many tokens|maximum context/i;

/**
 * Classifies what an AI SDK model call threw, for a pool that rotates the model's keys: an `APICallError` by its
 * status and body (429 rate limit with `retry-after`/`retry-after-ms`, or spent quota; 401/403 auth; 402 quota;
 * 503/529 overloaded; other 5xx server; 404 model not found; 400 context length; other 4xx invalid request), a
 * retryable `APICallError` without a status as a network failure, an abort as `aborted`. The message is the SDK's,
 * which names no key.
 */
export function classifyAiSdkError(error: unknown): ClassifiedError {
  if (isAbort(error)) return { category: 'aborted', message: 'the call was aborted' };
  if (!APICallError.isInstance(error))
    return { category: 'invalid_request', message: error instanceof Error ? error.message : String(error) };
  const status = error.statusCode;
  const base = { message: error.message, ...(status !== undefined ? { status } : {}) };
  const body = error.responseBody ?? '';
  if (status === undefined) return { ...base, category: error.isRetryable ? 'network' : 'invalid_request' };
  if (status === 429) {
    if (QUOTA.test(body)) return { ...base, category: 'quota_exhausted', quotaScope: 'unknown' };
    const retryAfterMs = error.responseHeaders ? parseRetryAfter(error.responseHeaders) : undefined;
    return { ...base, category: 'rate_limit', ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  if (status === 401 || status === 403) return { ...base, category: 'auth' };
  if (status === 402) return { ...base, category: 'quota_exhausted', quotaScope: 'unknown' };
  if (status === 503 || status === 529) return { ...base, category: 'overloaded' };
  if (status >= 500) return { ...base, category: 'server' };
  if (status === 404) return { ...base, category: 'invalid_request', modelNotFound: true };
  if (CONTEXT.test(body)) return { ...base, category: 'context_length' };
  return { ...base, category: 'invalid_request' };
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}
