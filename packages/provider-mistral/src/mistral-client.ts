import { type ClientHooks, scrubSecrets, skipMalformedEvents } from '@keypool/core';
import { type Fetcher, HTTPClient, Mistral, type SDKOptions } from '@mistralai/mistralai';
import { parseMistralRateLimitHeaders } from './mistral-rate-limit';

/**
 * Options for every Mistral client a pool builds: the SDK's own options (except the key and retries, which the pool
 * owns) plus a plain `fetch` and default `headers` for convenience.
 */
export interface MistralClientOptions extends Omit<SDKOptions, 'apiKey' | 'retryConfig'> {
  /** A fetch used instead of `globalThis.fetch` (ignored when `httpClient` is given: give that one its fetcher). */
  fetch?: Fetcher;
  /** Headers added to every request (a header the SDK or the call sets wins). */
  headers?: Record<string, string>;
}

/** The key a pool's template client carries. It never reaches the network: the template sends nothing. */
export const PLACEHOLDER_API_KEY = 'keypool-placeholder-not-a-real-key';

/** Why the template refuses to send a request. */
export const NOT_ROUTED_MESSAGE =
  'this Mistral method is not a model call, so the pool does not route it and no key is bound to it; ' +
  'run it on a key with pool.run((client, key) => ...)';

/**
 * The client behind a pool's `client` for everything that is not routed (getters, `models`, `files`, `batch`...):
 * built with your options and a placeholder key, and a fetcher that refuses to send anything, so no request ever
 * leaves with a key the engine did not choose. Such a call fails locally with `NOT_ROUTED_MESSAGE`.
 */
export function createMistralTemplateClient(options: MistralClientOptions = {}): Mistral {
  const { fetch: _fetch, headers: _headers, httpClient: _httpClient, ...sdkOptions } = options;
  return new Mistral({
    ...sdkOptions,
    apiKey: PLACEHOLDER_API_KEY,
    httpClient: new HTTPClient({
      fetcher: (input) =>
        Promise.reject(
          new Error(
            `${NOT_ROUTED_MESSAGE} (${input instanceof Request ? new URL(input.url).pathname : 'request'})`,
          ),
        ),
    }),
    retryConfig: { strategy: 'none' },
  });
}

/**
 * Builds one `Mistral` client bound to `secret`, with the SDK's retries off (the engine is the only retry owner),
 * the user's server URL, timeout, HTTP client or fetch and headers passed through, and a fetcher that reports every
 * response's rate-limit headers to `hooks` and scrubs the key from error bodies before the SDK turns them into
 * errors. Mistral copies its options into each resource on first use, so a client is never re-keyed: one per key.
 */
export function createMistralClient(
  secret: string,
  options: MistralClientOptions = {},
  hooks?: ClientHooks,
): Mistral {
  const { fetch: userFetch, headers: defaultHeaders, httpClient: userClient, ...sdkOptions } = options;
  const send: (request: Request) => Promise<Response> = userClient
    ? (request) => userClient.request(request)
    : userFetch
      ? (request) => userFetch(request)
      : (request) => fetch(request);
  const headerEntries = defaultHeaders ? Object.entries(defaultHeaders) : [];
  const report = hooks?.reportRateLimit;

  const fetcher: Fetcher = async (input, init) => {
    const request = init === undefined && input instanceof Request ? input : new Request(input, init);
    for (const [name, value] of headerEntries)
      if (!request.headers.has(name)) request.headers.set(name, value);
    let response: Response;
    try {
      response = await send(request);
    } catch (error) {
      throw scrubbedThrown(error, secret);
    }
    if (report) {
      const info = parseMistralRateLimitHeaders(response.headers);
      if (info) report(info);
    }
    if (response.status >= 400) return scrubbedErrorResponse(response, secret);
    return hooks?.reportMalformedEvent ? skipMalformedEvents(response, hooks.reportMalformedEvent) : response;
  };

  return new Mistral({
    ...sdkOptions,
    apiKey: secret,
    httpClient: new HTTPClient({ fetcher }),
    retryConfig: { strategy: 'none' },
  });
}

/**
 * An error response whose body and headers no longer hold the key (SDK errors copy the body into their message and
 * keep the headers). Only error answers are rebuilt; a success passes untouched.
 */
async function scrubbedErrorResponse(response: Response, secret: string): Promise<Response> {
  const text = await response.text();
  let headers = response.headers;
  for (const [, value] of response.headers) {
    if (value.includes(secret)) {
      headers = new Headers();
      for (const [name, original] of response.headers) headers.append(name, scrubSecrets(original, [secret]));
      break;
    }
  }
  return new Response(scrubSecrets(text, [secret]), {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

/** A fetch failure whose message no longer holds the key (the SDK copies it into its own error's message). */
function scrubbedThrown(error: unknown, secret: string): unknown {
  if (error instanceof Error && error.message.includes(secret)) {
    try {
      error.message = scrubSecrets(error.message, [secret]);
    } catch {
      return new Error(scrubSecrets(error.message, [secret]), { cause: undefined });
    }
  }
  return error;
}
