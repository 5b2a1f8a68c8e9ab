import { scrubGeminiSecrets } from './scrub-gemini-secrets.ts';
import { undiciNoTimeoutDispatcher } from './undici-no-timeout-dispatcher.ts';

/** A `fetch` function, as genai's `httpOptions.fetch` takes it. */
export type GeminiFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Options of {@link wrapGeminiFetch}. */
export interface GeminiFetchOptions {
  /** The user's own fetch; default `globalThis.fetch` (read at call time). */
  fetch?: GeminiFetch | undefined;
  /**
   * The attempt timeout in ms, enforced here rather than by genai: genai's own timer aborts with a bare `AbortError`,
   * indistinguishable from a caller's abort; this one aborts with a `TimeoutError`, classified as `timeout`.
   */
  timeoutMs?: number | undefined;
  /** The key this client sends: masked in error bodies before genai turns them into an `ApiError`. */
  secret?: string | undefined;
  /** Called with every response's headers (success or error), e.g. to report rate-limit headers. */
  onResponse?: ((headers: Headers) => void) | undefined;
}

/**
 * Wraps the fetch genai uses for one key's client: every response's headers go to `onResponse`, the timeout fires as
 * a `TimeoutError`, error bodies and connection errors are scrubbed of the key, and on Node the same no-timeout
 * Undici dispatcher genai uses by default is kept.
 */
export function wrapGeminiFetch(options: GeminiFetchOptions): GeminiFetch {
  const { fetch: userFetch, timeoutMs, secret, onResponse } = options;
  const dispatcher = userFetch ? undefined : undiciNoTimeoutDispatcher();
  const secrets = secret ? [secret] : [];
  const timed = timeoutMs !== undefined && timeoutMs > 0;
  return async (input, init) => {
    let requestInit: RequestInit = init ?? {};
    if (timed || dispatcher) {
      requestInit = { ...requestInit };
      if (timed) {
        const timeout = AbortSignal.timeout(timeoutMs);
        requestInit.signal = requestInit.signal ? AbortSignal.any([requestInit.signal, timeout]) : timeout;
      }
      if (dispatcher && !('dispatcher' in requestInit))
        (requestInit as RequestInit & { dispatcher?: unknown }).dispatcher = dispatcher;
    }
    let response: Response;
    try {
      response = await (userFetch ?? globalThis.fetch)(input, requestInit);
    } catch (error) {
      throw scrubThrown(error, secrets);
    }
    onResponse?.(response.headers);
    if (response.ok) return response;
    return scrubbedErrorResponse(response, secrets);
  };
}

async function scrubbedErrorResponse(response: Response, secrets: readonly string[]): Promise<Response> {
  const text = await response.text();
  const clean = scrubGeminiSecrets(text, secrets);
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  return new Response(clean, { status: response.status, statusText: response.statusText, headers });
}

function scrubThrown(error: unknown, secrets: readonly string[]): unknown {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const clean = scrubGeminiSecrets(current.message, secrets);
    if (clean !== current.message) {
      try {
        current.message = clean;
      } catch {
        // A frozen error keeps its message; the classifier scrubs what it reports anyway.
      }
    }
    current = current.cause;
  }
  return error;
}
