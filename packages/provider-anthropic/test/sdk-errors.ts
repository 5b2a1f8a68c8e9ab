import { readFileSync } from 'node:fs';
import Anthropic, { APIError } from '@anthropic-ai/sdk';

/** A captured or documented error answer, as kept in `src/__fixtures__/`. */
export interface ErrorFixture {
  description: string;
  source: string;
  /** HTTP status; null for a mid-stream `event: error`. */
  status: number | null;
  headers: Record<string, string>;
  /** The JSON body, or the raw text of a non-JSON answer. */
  body: unknown;
}

/** Reads `src/__fixtures__/<name>.json`. */
export function loadFixture(name: string): ErrorFixture {
  const url = new URL(`../src/__fixtures__/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as ErrorFixture;
}

const factory = new Anthropic({ apiKey: 'sk-ant-fixture-factory-0000000000', maxRetries: 0 });

/**
 * The real SDK error the SDK itself builds from a fixture: for an HTTP answer, the client's own `makeStatusError`
 * (status + `error.details.error_code` -> one of ~100 subclasses, then `APIError.generate` by status), fed exactly as
 * the SDK feeds it (parsed JSON, or the raw text as the message); for a mid-stream `event: error`, the `APIError` the
 * SDK's stream parser throws.
 */
export function sdkErrorFromFixture(name: string): APIError {
  const fixture = loadFixture(name);
  const headers = new Headers(fixture.headers);
  if (fixture.status === null) {
    const type = (fixture.body as { error?: { type?: string } }).error?.type;
    return new APIError(undefined, fixture.body as object, undefined, headers, type as never);
  }
  const json = typeof fixture.body === 'string' ? undefined : (fixture.body as object);
  const text = typeof fixture.body === 'string' ? fixture.body : undefined;
  const makeStatusError = (
    factory as unknown as {
      makeStatusError(
        status: number,
        error: object | undefined,
        message: string | undefined,
        headers: Headers,
      ): APIError;
    }
  ).makeStatusError.bind(factory);
  return makeStatusError(fixture.status, json, text, headers);
}
