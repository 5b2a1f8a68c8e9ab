import { readFileSync } from 'node:fs';
import {
  HTTPValidationError$inboundSchema,
  type MistralError,
  SDKError,
} from '@mistralai/mistralai/models/errors';

/** One captured error answer: where it comes from, its status, headers and body (JSON or raw text). */
export interface ErrorFixture {
  source: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Reads `src/__fixtures__/<name>.json`. */
export function readFixture(name: string): ErrorFixture {
  return JSON.parse(readFileSync(new URL(`./${name}.json`, import.meta.url), 'utf8')) as ErrorFixture;
}

/** The fixture's body exactly as it travels on the wire. */
export function bodyText(fixture: ErrorFixture): string {
  return typeof fixture.body === 'string' ? fixture.body : JSON.stringify(fixture.body);
}

/**
 * The REAL SDK error the Mistral SDK builds for this answer, the way its generated matchers do: a 422 goes through
 * `HTTPValidationError$inboundSchema`, every other 4xx/5xx becomes `new SDKError('API error occurred', ...)`, both
 * over a real `Response`.
 */
export function sdkErrorFrom(fixture: ErrorFixture | string): MistralError {
  const data = typeof fixture === 'string' ? readFixture(fixture) : fixture;
  const body = bodyText(data);
  const response = new Response(body, { status: data.status, headers: data.headers });
  const request = new Request('https://api.mistral.ai/v1/chat/completions', { method: 'POST' });
  if (data.status === 422) {
    return HTTPValidationError$inboundSchema.parse({
      ...(JSON.parse(body) as object),
      request$: request,
      response$: response,
      body$: body,
    });
  }
  return new SDKError('API error occurred', { response, request, body });
}
