import type { RateLimitInfo } from '@keypool/core';
import type { AnthropicFetch } from './anthropic-client-options.ts';
import { parseAnthropicRateLimitHeaders } from './anthropic-rate-limit.ts';
import { redactSecrets } from './redact-secrets.ts';

/** What `createAnthropicFetch` wraps and where it reports. */
export interface AnthropicFetchOptions {
  /** The user's fetch (default: `globalThis.fetch`, looked up at call time). */
  fetch?: AnthropicFetch | undefined;
  /** The key this client sends: scrubbed out of error answers before the SDK builds an error from them. */
  secret: string;
  /** Called with the rate-limit headers of every response (success or error). */
  reportRateLimit?: ((info: RateLimitInfo) => void) | undefined;
}

/**
 * Wraps a `fetch` so that every response's `anthropic-ratelimit-*` headers are reported (the engine learns each key's
 * real capacity from native calls too), and so that an error answer never carries the key: its body and headers are
 * scrubbed before the SDK turns them into an error. Success answers pass through untouched (streams included).
 */
export function createAnthropicFetch(options: AnthropicFetchOptions): AnthropicFetch {
  const { secret, reportRateLimit } = options;
  const baseFetch = options.fetch;
  return async (input, init) => {
    const response = await (baseFetch ? baseFetch(input, init) : globalThis.fetch(input, init));
    if (reportRateLimit) {
      const info = parseAnthropicRateLimitHeaders(response.headers);
      if (info) reportRateLimit(info);
    }
    return response.status >= 400 ? scrubbedErrorResponse(response, secret) : response;
  };
}

async function scrubbedErrorResponse(response: Response, secret: string): Promise<Response> {
  const body = await response.text();
  const headers = new Headers();
  response.headers.forEach((value, name) => {
    headers.append(name, redactSecrets(value, [secret]));
  });
  headers.delete('content-length');
  return new Response(redactSecrets(body, [secret]), {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}
