import { readFileSync } from 'node:fs';
import { ApiError } from '@google/genai';
import type { GeminiSafetyRating } from '../src/gemini-content-blocked-error.ts';
import { GeminiContentBlockedError } from '../src/gemini-content-blocked-error.ts';

const DIRECTORY = new URL('../src/__fixtures__/', import.meta.url);

/** The names of the JSON error-body fixtures (without `.json`), each served with its own `error.code`. */
export const ERROR_BODY_FIXTURES = [
  'api-key-invalid',
  'api-key-expired',
  'rate-limit-per-minute',
  'tokens-per-minute',
  'quota-per-day',
  'resource-exhausted-bare',
  'leaked-key',
  'unregistered-caller',
  'overloaded',
  'context-length',
  'model-not-found',
  'invalid-argument',
  'location-not-supported',
  'internal',
  'deadline-exceeded',
] as const;

export type ErrorBodyFixture = (typeof ERROR_BODY_FIXTURES)[number];

/** A fixture file's text. */
export function fixtureText(file: string): string {
  return readFileSync(new URL(file, DIRECTORY), 'utf8');
}

/** A JSON fixture, parsed. */
export function fixtureJson<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(fixtureText(`${name}.json`)) as T;
}

/** The HTTP status a JSON error fixture is served with. */
export function fixtureStatus(name: ErrorBodyFixture): number {
  return fixtureJson<{ error: { code: number } }>(name).error.code;
}

/**
 * The real `ApiError` genai builds from an error response: `status` and the body, re-serialised, as `message`
 * (exactly what its `throwErrorIfNotOK` does with a JSON body).
 */
export function apiErrorFrom(name: ErrorBodyFixture): ApiError {
  const body = fixtureJson(name);
  return new ApiError({ status: fixtureStatus(name), message: JSON.stringify(body) });
}

/** The `ApiError` genai builds from the non-JSON 502 page: the text wrapped as `{"error":{message,code,status}}`. */
export function badGatewayApiError(): ApiError {
  const body = { error: { message: fixtureText('bad-gateway.txt'), code: 502, status: 'Bad Gateway' } };
  return new ApiError({ status: 502, message: JSON.stringify(body) });
}

/** The `ApiError` genai throws for an error event inside a stream (`got status: ... {json}`). */
export function midStreamApiError(): ApiError {
  return new ApiError({ status: 503, message: fixtureText('mid-stream-error.txt').trim() });
}

interface BlockFixture {
  promptFeedback?: { blockReason: string; safetyRatings?: GeminiSafetyRating[] };
  candidates?: { finishReason: string; safetyRatings?: GeminiSafetyRating[] }[];
}

/** What the unified chat throws for the 200 `prompt-blocked` / `response-blocked` fixtures. */
export function blockedErrorFrom(name: 'prompt-blocked' | 'response-blocked'): GeminiContentBlockedError {
  const body = fixtureJson<BlockFixture>(name);
  if (body.promptFeedback)
    return new GeminiContentBlockedError(
      'prompt',
      body.promptFeedback.blockReason,
      body.promptFeedback.safetyRatings,
    );
  const candidate = body.candidates![0]!;
  return new GeminiContentBlockedError('response', candidate.finishReason, candidate.safetyRatings);
}
