import { describe, expect, it } from 'vitest';
import type { ProviderAdapter } from '../adapter';
import type { ChatRequest } from '../chat';
import type { ClassifiedError } from '../classified-error';
import type { KeyConfig } from '../config';
import { KeypoolError, ProviderError } from '../errors';
import { createKeyPool, type KeyPool } from '../key-pool';
import type { PoolStreamEvent } from '../pool-stream';

/** One row of an adapter's classification table: a real SDK error and what it must classify as. */
export interface ErrorCase {
  name: string;
  /** The real SDK error object (or a function building it). */
  error: unknown;
  expected: Partial<ClassifiedError> & Pick<ClassifiedError, 'category'>;
}

/** A live target for the conformance suite's end-to-end checks (usually the emulator). */
export interface LiveTarget<TClient> {
  /** Keys that work on the target. At least two. */
  goodKeys: readonly string[];
  /** A model the target serves. */
  model: string;
  /** Builds a pool over the keys (default: `createKeyPool({ adapter, keys })`). */
  createPool?: (keys: KeyConfig[]) => KeyPool<TClient>;
}

/** Options of the adapter conformance suite. */
export interface AdapterConformanceOptions<TClient> {
  /** The suite's title, e.g. `@keypool/openai`. */
  name: string;
  /** A fresh adapter. */
  createAdapter: () => ProviderAdapter<TClient>;
  /** The classification table. */
  errorCases: readonly ErrorCase[];
  /** A secret that may appear inside the raw errors; no classified message may contain it. */
  canarySecret?: string;
  /** Evaluated inside the tests (after your `beforeAll` started the server): the live target, if any. */
  live?: () => LiveTarget<TClient>;
}

/**
 * The conformance suite every provider package runs against its own adapter: the classification table with real
 * SDK error objects, one client per key, secrets kept out of messages, and (with a live target) unified chat,
 * streaming semantics, concurrency and abort.
 */
export function runAdapterConformance<TClient>(options: AdapterConformanceOptions<TClient>): void {
  describe(`${options.name}: adapter conformance`, () => {
    it('names its provider and implements the adapter contract', () => {
      const adapter = options.createAdapter();
      expect(typeof adapter.provider).toBe('string');
      expect(adapter.provider.length).toBeGreaterThan(0);
      expect(typeof adapter.setApiKey).toBe('function');
      expect(typeof adapter.createClient).toBe('function');
      expect(typeof adapter.classifyError).toBe('function');
      expect(typeof adapter.chat).toBe('function');
      expect(typeof adapter.stream).toBe('function');
      expect(() => adapter.setApiKey('sk-conformance-switch-0000000001')).not.toThrow();
    });

    it('builds one client per key, never a shared mutable one', () => {
      const adapter = options.createAdapter();
      const first = adapter.createClient('sk-conformance-aaaaaaaaaaaaaaaa');
      const second = adapter.createClient('sk-conformance-bbbbbbbbbbbbbbbb');
      expect(first).not.toBe(second);
    });

    it.each(options.errorCases.map((errorCase) => [errorCase.name, errorCase] as const))(
      'classifies %s',
      (_name, errorCase) => {
        const adapter = options.createAdapter();
        const raw =
          typeof errorCase.error === 'function' ? (errorCase.error as () => unknown)() : errorCase.error;
        const classified = adapter.classifyError(raw);
        expect(classified).toMatchObject(errorCase.expected);
        expect(typeof classified.message).toBe('string');
        if (options.canarySecret) expect(classified.message).not.toContain(options.canarySecret);
      },
    );

    it('classifies something that is not an error at all without throwing', () => {
      const adapter = options.createAdapter();
      for (const odd of [undefined, null, 'a string', 42, { weird: true }]) {
        const classified = adapter.classifyError(odd);
        expect(typeof classified.category).toBe('string');
      }
    });

    if (!options.live) return;
    const live = options.live;
    const makePool = () => {
      const target = live();
      const adapter = options.createAdapter();
      const keys = target.goodKeys.map((secret, index) => ({ id: `key-${index + 1}`, secret }));
      const pool = target.createPool ? target.createPool(keys) : createKeyPool({ adapter, keys });
      return { pool, target, ids: keys.map((key) => key.id) };
    };
    const request = (model: string, content: string): ChatRequest => ({
      model,
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content },
      ],
      maxTokens: 64,
    });

    it('serves a unified chat through a pool', async () => {
      const { pool, target, ids } = makePool();
      const result = await pool.chat(request(target.model, 'hello conformance'));
      expect(result.text.length).toBeGreaterThan(0);
      expect(result.usage.totalTokens).toBeGreaterThan(0);
      expect(result.usage.totalTokens).toBe(result.usage.inputTokens + result.usage.outputTokens);
      expect(result.provider).toBe(pool.provider);
      expect(ids).toContain(result.keyId);
    });

    it('streams deltas, then exactly one done whose text is the deltas joined', async () => {
      const { pool, target } = makePool();
      const events: PoolStreamEvent[] = [];
      for await (const event of pool.stream(request(target.model, 'stream conformance please')))
        events.push(event);
      const deltas = events.filter((event) => event.type === 'delta');
      const done = events.filter((event) => event.type === 'done');
      expect(deltas.length).toBeGreaterThan(0);
      expect(done).toHaveLength(1);
      expect(events.at(-1)?.type).toBe('done');
      const result = done[0]!.type === 'done' ? done[0]!.result : undefined;
      expect(result?.text).toBe(deltas.map((event) => (event.type === 'delta' ? event.text : '')).join(''));
      expect(result?.usage.outputTokens).toBeGreaterThan(0);
      expect(result?.continued).toEqual([]);
    });

    it('serves 12 concurrent calls, each on a key of the pool', async () => {
      const { pool, target, ids } = makePool();
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, index) => pool.chat(request(target.model, `concurrent ${index}`))),
      );
      expect(results).toHaveLength(12);
      for (const result of results) expect(ids).toContain(result.keyId);
      expect(new Set(results.map((result) => result.keyId)).size).toBeGreaterThan(1);
      const counts = pool.snapshot().reduce((sum, key) => sum + key.counts.successes, 0);
      expect(counts).toBe(12);
    });

    it('stops at once on an aborted signal, without retrying', async () => {
      const { pool, target } = makePool();
      const controller = new AbortController();
      controller.abort();
      const error = await pool
        .chat({ ...request(target.model, 'never sent'), signal: controller.signal })
        .catch((caught: unknown) => caught);
      expect(KeypoolError.isInstance(error)).toBe(true);
      expect(ProviderError.isInstance(error) && error.category).toBe('aborted');
      expect(pool.snapshot().reduce((sum, key) => sum + key.counts.requests, 0)).toBe(0);
    });
  });
}
