import { createSecretScrubber, type RateLimitInfo, scrubbedError, type TextScrubber } from '@keypool/core';
import { RATE_LIMIT_DIALECTS, type RateLimitDialect } from './rate-limit-dialect';

/** The `fetch` shape the `openai` SDK accepts in its `fetch` option. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * Wraps the user's fetch (or `globalThis.fetch`) for one key's client: every response's rate-limit headers, read in
 * the service's `dialect` (default OpenAI's), go to `report` (and, for a dialect that reads error bodies, what an
 * error answer's body says about the limits), and the secret (and anything key-like) is scrubbed from what an error can carry: an error response's body
 * and headers, from which the SDK builds its error, and a thrown fetch error with its cause chain. Successful responses pass through untouched.
 */
export function createReportingFetch(
  base: FetchFunction | undefined,
  secret: string,
  report: ((info: RateLimitInfo) => void) | undefined,
  dialect: RateLimitDialect = RATE_LIMIT_DIALECTS.openai,
): FetchFunction {
  const scrub = createSecretScrubber([secret]);
  return async (input, init) => {
    let response: Response;
    try {
      response = await (base ?? globalThis.fetch)(input, init);
    } catch (error) {
      throw scrubbedError(error, scrub);
    }
    const now = Date.now();
    const info = report ? dialect.parse(response.headers, now) : undefined;
    if (response.status < 400) {
      if (info) report?.(info);
      return response;
    }
    const text = await response.text();
    const fromBody = report && dialect.parseErrorBody ? dialect.parseErrorBody(text, now) : undefined;
    // The body's copy (OpenRouter's `error.metadata.headers`) completes what the headers said, budget by budget.
    const learned = fromBody ? { ...info, ...fromBody } : info;
    if (learned) report?.(learned);
    return scrubErrorResponse(response, text, scrub);
  };
}

/**
 * An error response rebuilt with its body and every header value scrubbed: the SDK copies both onto its error
 * (`message`, `error`, `headers`), and an upstream or proxy may echo the key in either.
 */
function scrubErrorResponse(response: Response, text: string, scrub: TextScrubber): Response {
  const headers = new Headers();
  for (const [name, value] of response.headers) headers.append(name, scrub(value));
  return new Response(scrub(text), { status: response.status, statusText: response.statusText, headers });
}
