import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PoolExhaustedError, ProviderError } from '../errors';

/** What the suite needs of a raw-answer server (`@keypool/emulator`'s `startRawAnswerServer` gives one). */
export interface RawAnswerTarget {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The answer for every next request. */
  answer: { status?: number; headers?: Record<string, string>; body: string } | ((request: never) => unknown);
  close(): Promise<void>;
}

/** A row of the suite: its name, the 200's body and (for unreadable rows) its content type. */
export type IncompleteAnswerRow = readonly [name: string, body: string];

/** Options of {@link runIncompleteAnswerConformance}: the provider-specific parts. */
export interface IncompleteAnswerConformanceOptions {
  /** Starts the raw-answer server; the suite closes it after its tests. */
  startServer: () => Promise<RawAnswerTarget>;
  /**
   * Sends one unified `chat` through a fresh pool with one key and `maxAttempts: 1`, its client pointed at
   * `serverURL` (with the provider's path prefix if its SDK needs one).
   */
  chat: (serverURL: string) => Promise<unknown>;
  /** Parseable bodies without a real answer in the provider's format (e.g. no choices): each must be `server`. */
  notAnswers: readonly IncompleteAnswerRow[];
  /** A body cut off in the middle, in the provider's format: `server` or `network`. */
  truncated: string;
  /** More unreadable bodies with their content types: each `server` or `network`. */
  unreadable?: readonly (readonly [name: string, body: string, contentType: string])[];
  /** Bodies that look thin but are real answers: each must succeed. */
  answers?: readonly IncompleteAnswerRow[];
}

/**
 * The suite every provider package runs with its real SDK against a local server answering raw bytes: a 200 whose
 * body is not a real answer (an empty object, a missing finish reason, plain text, an empty or cut body) is a failure
 * the pool classifies `server` (or `network` for an unreadable body), never a success and never `invalid_request`.
 */
export function runIncompleteAnswerConformance(options: IncompleteAnswerConformanceOptions): void {
  describe('a 200 without a real answer is a server failure, never a success', () => {
    let server: RawAnswerTarget;
    beforeAll(async () => {
      server = await options.startServer();
    });
    afterAll(() => server.close());

    /** The category the pool gives a call whose every answer is `body` (with one key, one attempt). */
    const categoryOf = async (
      body: string,
      contentType = 'application/json',
    ): Promise<string | undefined> => {
      server.answer = { body, headers: { 'content-type': contentType } };
      const outcome = await options.chat(server.url).then(
        (result) => result,
        (caught: unknown) => caught,
      );
      if (ProviderError.isInstance(outcome)) return outcome.category;
      if (PoolExhaustedError.isInstance(outcome)) return outcome.lastError?.category;
      return `success: ${JSON.stringify(outcome)}`;
    };

    it.each([['an empty object', '{}'] as const, ...options.notAnswers])('%s', async (_name, body) => {
      expect(await categoryOf(body)).toBe('server');
    });

    it.each([
      ['plain text', 'hello', 'text/plain'] as const,
      ['an empty body', '', 'application/json'] as const,
      ['truncated JSON', options.truncated, 'application/json'] as const,
      ...(options.unreadable ?? []),
    ])('%s is server or network', async (_name, body, contentType) => {
      expect(['server', 'network']).toContain(await categoryOf(body, contentType));
    });

    if (options.answers?.length) {
      it.each(options.answers)('%s', async (_name, body) => {
        expect(await categoryOf(body)).toMatch(/^success/);
      });
    }
  });
}
