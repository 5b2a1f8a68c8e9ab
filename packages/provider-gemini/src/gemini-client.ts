import { GoogleGenAI, type GoogleGenAIOptions, type HttpOptions } from '@google/genai';
import { type ClientHooks, withMalformedEventSkipping } from '@keypool/core';
import { type GeminiFetch, wrapGeminiFetch } from './gemini-fetch.ts';
import { parseGeminiRateLimitHeaders } from './gemini-rate-limit-headers.ts';

/**
 * Options for every client a Gemini pool builds: the `GoogleGenAI` constructor's options without `apiKey` (each
 * key gets its own client). `httpOptions.baseUrl`, `timeout`, `headers`, `fetch`, `apiVersion` pass through;
 * `httpOptions.retryOptions` is dropped (the engine is the only retry owner).
 */
export type GeminiClientOptions = Omit<GoogleGenAIOptions, 'apiKey'>;

const KEY_HEADER = 'x-goog-api-key';
const SERVER_TIMEOUT_HEADER = 'X-Server-Timeout';

/**
 * Builds one `GoogleGenAI` client bound to one key. genai reads the key once, at construction (setting `apiKey`
 * later has no effect), so a pool keeps one client per key. The SDK's retries stay off (no `retryOptions`), a header
 * that would override the key is dropped, and the fetch is wrapped: response headers go to `hooks.reportRateLimit`,
 * the timeout fires as a `TimeoutError`, and error bodies are scrubbed of the key.
 */
export function createGeminiClient(
  secret: string,
  options: GeminiClientOptions = {},
  hooks?: ClientHooks,
): GoogleGenAI {
  const { retryOptions: _retries, timeout, fetch, headers, ...httpRest } = options.httpOptions ?? {};
  const cleanHeaders = withoutKeyHeader(headers);
  if (timeout !== undefined && timeout > 0)
    cleanHeaders[SERVER_TIMEOUT_HEADER] = String(Math.ceil(timeout / 1_000));
  const httpOptions: HttpOptions = {
    ...httpRest,
    headers: cleanHeaders,
    fetch: wrapGeminiFetch({
      fetch: withMalformedEventSkipping(fetch as GeminiFetch | undefined, hooks?.reportMalformedEvent),
      timeoutMs: timeout,
      secret,
      onResponse: hooks
        ? (responseHeaders) => {
            const info = parseGeminiRateLimitHeaders(responseHeaders);
            if (info) hooks.reportRateLimit(info);
          }
        : undefined,
    }) as HttpOptions['fetch'],
  };
  return new GoogleGenAI({ ...options, apiKey: secret, httpOptions });
}

/** A copy of the headers without `x-goog-api-key` (any case), which would win over the client's own key. */
export function withoutKeyHeader(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers))
    if (name.toLowerCase() !== KEY_HEADER) out[name] = value;
  return out;
}
