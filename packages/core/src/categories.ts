/**
 * The shared error categories. Every provider package maps its SDK's errors into exactly one of these; the core's
 * policy table says what each does to the key and to the request.
 */
export const ERROR_CATEGORIES = [
  'rate_limit',
  'quota_exhausted',
  'auth',
  'overloaded',
  'server',
  'timeout',
  'network',
  'context_length',
  'content_filter',
  'invalid_request',
  'aborted',
  'invalid_response',
  'stream_interrupted',
] as const;

/** One of the shared error categories. */
export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

/** True when `value` is one of the shared error categories. */
export function isErrorCategory(value: unknown): value is ErrorCategory {
  return typeof value === 'string' && (ERROR_CATEGORIES as readonly string[]).includes(value);
}

/** Providers Keypool ships adapters for. Custom adapters may use any other name. */
export type KnownProvider = 'openai' | 'anthropic' | 'gemini' | 'mistral';

/** A provider name: one of the known ones, or a custom adapter's own. */
export type ProviderName = KnownProvider | (string & {});
