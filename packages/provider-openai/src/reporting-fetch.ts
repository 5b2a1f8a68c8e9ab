import { createSecretScrubber, type RateLimitInfo, scrubbedError, type TextScrubber } from '@keypool/core';
import { parseOpenAIRateLimitHeaders } from './openai-rate-limit';

/** The `fetch` shape the `openai` SDK accepts in its `fetch` option. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * Wraps the user's fetch (or `globalThis.fetch`) for one key's client: every response's rate-limit headers go to
 * `report`, and the secret (and anything key-like) is scrubbed from what an error can carry: an error response's body
 * and headers, from which the SDK builds its error, and a thrown fetch error with its cause chain. Successful responses pass through untouched.
 */
export function createReportingFetch(
  base: FetchFunction | undefined,
  secret: string,
  report: ((info: RateLimitInfo) => void) | undefined,
): FetchFunction {
  const scrub = createSecretScrubber([secret]);
  return async (input, init) => {
    let response: Response;
    try {
      response = await (base ?? globalThis.fetch)(input, init);
    } catch (error) {
      throw scrubbedError(error, scrub);
    }
    if (report) {
      const info = parseOpenAIRateLimitHeaders(response.headers);
      if (info) report(info);
    }
    return response.status >= 400 ? scrubErrorResponse(response, scrub) : response;
  };
}

/**
 * An error response rebuilt with its body and every header value scrubbed: the SDK copies both onto its error
 * (`message`, `error`, `headers`), and an upstream or proxy may echo the key in either.
 */
async function scrubErrorResponse(response: Response, scrub: TextScrubber): Promise<Response> {
  const text = await response.text();
  const headers = new Headers();
  for (const [name, value] of response.headers) headers.append(name, scrub(value));
  return new Response(scrub(text), { status: response.status, statusText: response.statusText, headers });
}
