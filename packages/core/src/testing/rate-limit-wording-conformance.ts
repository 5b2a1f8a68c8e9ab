import { describe, expect, it } from 'vitest';
import type { ClassifiedError } from '../classified-error';
import { extendRateLimitWording, type RateLimitWordingTable } from '../rate-limit-wording';

/** What the suite needs of a canned HTTP server (`@keypool/emulator`'s `startCannedHttpServer` gives one). */
export interface CannedErrorServer {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** How many requests it has answered. */
  readonly requests: number;
  close(): Promise<void>;
}

/** One row of a provider's rate-limit wording fixtures: a real error answer and what it must classify as. */
export interface RateLimitWordingFixture {
  name: string;
  status: number;
  /** The body as sent (a string), or a value sent as JSON. */
  body: unknown;
  /** Fields the classified error must have (for example `{ "category": "rate_limit", "status": 503 }`). */
  expected: Record<string, unknown>;
}

/** Options of {@link runRateLimitWordingConformance}: the provider-specific parts. */
export interface RateLimitWordingConformanceOptions {
  /** The classifier's name, for the suite's title, e.g. `classifyOpenAIError`. */
  name: string;
  /** The fixture rows (a provider's `test/fixtures/rate-limit-wording.json`). */
  fixtures: readonly RateLimitWordingFixture[];
  /** Starts a server answering every request with this status and body. */
  startServer: (answer: { status: number; body: unknown }) => Promise<CannedErrorServer>;
  /** A key that must never appear in a classified error. */
  key: string;
  /** Sends one request through the provider's real SDK client on `key` to `origin`; settles as the SDK does. */
  send: (origin: string, key: string) => Promise<unknown>;
  /**
   * One unified chat through the provider's pool built with `rateLimitWording: table` and one key, on `origin`;
   * settles as the pool does (a `ProviderError` for the answer the server gives).
   */
  chatThroughPool: (origin: string, key: string, table: RateLimitWordingTable) => Promise<unknown>;
  /** The provider's classifier, with the wording table to use (its own default when omitted). */
  classify: (error: unknown, table?: RateLimitWordingTable) => ClassifiedError;
  /** The provider's default table. */
  wording: RateLimitWordingTable;
  /** A 400 invalid-request body in the provider's format whose message is `Slow down, cowboy.` */
  slowDownBody: unknown;
  /**
   * A 503 body in the provider's format saying `Too many requests`: when given, a table without statuses must leave
   * it `overloaded`.
   */
  tooManyRequests503Body?: unknown;
}

/**
 * The suite every provider package runs with its real SDK against a local server: each recorded error answer in the
 * provider's fixtures classifies as expected without the key in it, and an overriding wording table (extra rules, no
 * statuses) changes the classification.
 */
export function runRateLimitWordingConformance(options: RateLimitWordingConformanceOptions): void {
  /** Sends one request to a server answering `status` and `body`, and returns what the SDK threw. */
  const errorFor = async (status: number, body: unknown): Promise<unknown> => {
    const server = await options.startServer({ status, body });
    try {
      const error = await options.send(server.origin, options.key).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(server.requests).toBe(1);
      return error;
    } finally {
      await server.close();
    }
  };

  describe(`${options.name}: rate limits by status, then code, then wording`, () => {
    it.each(options.fixtures.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
      const classified = options.classify(await errorFor(row.status, row.body));
      expect(classified).toMatchObject(row.expected);
      expect(JSON.stringify(classified)).not.toContain(options.key);
    });

    it('takes an overriding table, given to the classifier or to the pool (rateLimitWording)', async () => {
      const error = await errorFor(400, options.slowDownBody);
      expect(options.classify(error).category).toBe('invalid_request');
      const table = extendRateLimitWording(options.wording, {
        rules: [{ category: 'rate_limit', wording: /slow down/i }],
      });
      expect(options.classify(error, table).category).toBe('rate_limit');
      const server = await options.startServer({ status: 400, body: options.slowDownBody });
      try {
        const failure = await options.chatThroughPool(server.origin, options.key, table).then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
        // The pool's option reaches its classifier: the same answer is a rate limit through the pool too (the pool's
        // error, or the attempt's error it was exhausted by).
        const categories: unknown[] = [];
        for (let link: unknown = failure; link instanceof Error; link = link.cause)
          categories.push((link as { category?: unknown }).category);
        expect(categories).toContain('rate_limit');
        expect(JSON.stringify(failure)).not.toContain(options.key);
      } finally {
        await server.close();
      }
      if (options.tooManyRequests503Body !== undefined) {
        const noStatuses = extendRateLimitWording(options.wording, { statuses: [] });
        const proxy = await errorFor(503, options.tooManyRequests503Body);
        expect(options.classify(proxy, noStatuses).category).toBe('overloaded');
      }
    });
  });
}
