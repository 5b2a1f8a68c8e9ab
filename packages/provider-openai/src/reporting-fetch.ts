import { maskSecret, type RateLimitInfo } from '@keypool/core';
import { parseOpenAIRateLimitHeaders } from './openai-rate-limit';

/** The `fetch` shape the `openai` SDK accepts in its `fetch` option. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * Wraps the user's fetch (or `globalThis.fetch`) for one key's client: every response's rate-limit headers go to
 * `report`, and the secret is scrubbed from what an error can carry (an error response's body, from which the SDK
 * builds its message, and a thrown fetch error's message). Successful responses pass through untouched.
 */
export function createReportingFetch(
  base: FetchFunction | undefined,
  secret: string,
  report: ((info: RateLimitInfo) => void) | undefined,
): FetchFunction {
  return async (input, init) => {
    let response: Response;
    try {
      response = await (base ?? globalThis.fetch)(input, init);
    } catch (error) {
      throw scrubThrown(error, secret);
    }
    if (report) {
      const info = parseOpenAIRateLimitHeaders(response.headers);
      if (info) report(info);
    }
    return response.status >= 400 ? scrubErrorResponse(response, secret) : response;
  };
}

async function scrubErrorResponse(response: Response, secret: string): Promise<Response> {
  const text = await response.text();
  return new Response(text.includes(secret) ? text.split(secret).join(maskSecret(secret)) : text, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

function scrubThrown(error: unknown, secret: string): unknown {
  if (error instanceof Error && error.message.includes(secret)) {
    try {
      error.message = error.message.split(secret).join(maskSecret(secret));
    } catch {
      return new Error(error.message.split(secret).join(maskSecret(secret)));
    }
  }
  return error;
}
