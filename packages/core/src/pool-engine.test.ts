import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { adaptiveLimiter } from './adaptive-limit';
import * as engineEntry from './engine';
import { ConfigError, PoolExhaustedError, ProviderError, StreamInterruptedError } from './errors';
import { createKeyPool, KeyPool } from './key-pool';
import { createPoolEngine, PoolEngine } from './pool-engine';
import { prioritySelector, roundRobinSelector } from './selectors';
import { FakeAdapter } from './testing/fake-adapter';

const A = 'sk-test-aaaaaaaaaaaaaaaaaaaa';
const B = 'sk-test-bbbbbbbbbbbbbbbbbbbb';
const keys = [
  { id: 'a', secret: A },
  { id: 'b', secret: B },
];
const request = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };

describe('PoolEngine (the lean engine of @keypool/core/engine)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fails over past a rate-limited key, cools it for the hint, and emits the pool events', async () => {
    const adapter = new FakeAdapter();
    adapter.always(A, { type: 'error', category: 'rate_limit', hints: { retryAfterMs: 7_000 } });
    const engine = createPoolEngine({ adapter, keys, strategy: roundRobinSelector(), random: () => 0 });
    const cooled: string[] = [];
    engine.on('key.cooldown', (event) => cooled.push(`${event.keyId} ${event.durationMs}`));
    const result = await engine.chat(request);
    expect(result.keyId).toBe('b');
    expect(cooled).toEqual(['a 7000']);
    const a = engine.snapshot().find((key) => key.id === 'a')!;
    expect(a.status).toBe('cooling');
    expect(a.cooldownRemainingMs).toBe(7_000);
    expect(await engine.run(async (_client, key) => key.id, { model: 'm' })).toBe('b');
  });

  it('enforces a key limit: the rpm-limited key is skipped once its window is full', async () => {
    const adapter = new FakeAdapter();
    const engine = createPoolEngine({
      adapter,
      keys: [
        { id: 'a', secret: A, limits: { rpm: 1 } },
        { id: 'b', secret: B, limits: { rpm: 1 } },
      ],
      strategy: prioritySelector(),
    });
    expect((await engine.chat(request)).keyId).toBe('a');
    expect((await engine.chat(request)).keyId).toBe('b');
    const error = await engine.chat(request, { deadlineMs: 1_000 }).catch((caught: unknown) => caught);
    expect(PoolExhaustedError.isInstance(error)).toBe(true);
  });

  it('streams with failover before the first chunk, and ends a break after it with StreamInterruptedError', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, { type: 'error', category: 'overloaded' });
    adapter.script(B, { type: 'stream', chunks: ['he', 'llo', ' there'], failAfter: 2 });
    const engine = createPoolEngine({ adapter, keys, strategy: roundRobinSelector(), retryBaseMs: 1 });
    const seen: string[] = [];
    const run = (async () => {
      for await (const event of engine.stream(request)) if (event.type === 'delta') seen.push(event.text);
    })();
    vi.advanceTimersByTimeAsync(10);
    const error = await run.catch((caught: unknown) => caught);
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect((error as StreamInterruptedError).partialText).toBe('hello');
    expect(seen).toEqual(['he', 'llo']);
  });

  it('ends an unbroken stream with one done event whose result lists no continuation', async () => {
    const adapter = new FakeAdapter();
    adapter.always(A, { type: 'stream', chunks: ['he', 'llo'] });
    adapter.always(B, { type: 'stream', chunks: ['he', 'llo'] });
    const engine = createPoolEngine({ adapter, keys });
    const events = [];
    for await (const event of engine.stream(request)) events.push(event);
    expect(events.map((event) => event.type)).toEqual(['delta', 'delta', 'done']);
    const done = events.at(-1);
    expect(done?.type === 'done' && done.result.text).toBe('hello');
    expect(done?.type === 'done' && done.result.continued).toEqual([]);
  });

  it('disables and re-enables keys, and refuses a bad request feature before any key is used', async () => {
    const adapter = new FakeAdapter();
    const engine = createPoolEngine({ adapter, keys });
    await engine.disableKey('a', 'rotated out');
    expect(engine.snapshot()[0]).toMatchObject({ status: 'disabled', reason: 'rotated out' });
    for (let i = 0; i < 3; i++) expect((await engine.chat(request)).keyId).toBe('b');
    await engine.enableKey('a');
    expect(engine.snapshot()[0]!.status).not.toBe('disabled');
    (adapter as { validateRequest?: () => void }).validateRequest = () => {
      throw new Error('seed is not supported');
    };
    const error = await engine.chat({ ...request, seed: 1 }).catch((caught: unknown) => caught);
    expect(ProviderError.isInstance(error) && error.category).toBe('invalid_request');
    expect(adapter.callsFor(A)).toHaveLength(0);
  });

  it("refuses KeyPool's own options with a ConfigError naming the option and the full pool", () => {
    const adapter = new FakeAdapter();
    const build = () =>
      createPoolEngine({ adapter, keys, historySize: 5, onInterrupt: 'fail' } as Parameters<
        typeof createPoolEngine
      >[0]);
    const error = (() => {
      try {
        build();
      } catch (caught) {
        return caught;
      }
    })();
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).issues.map((issue) => issue.path)).toEqual(['historySize', 'onInterrupt']);
    expect((error as ConfigError).issues[0]!.message).toContain('KeyPool');
    expect(() => createPoolEngine({ adapter, keys, maxAttempts: 0 })).toThrow(/maxAttempts must be >= 1/);
    // A strategy by name other than the default: the selector to import instead is named.
    expect(() => createPoolEngine({ adapter, keys, strategy: 'round-robin' as never })).toThrow(
      /strategy: roundRobinSelector\(\) \(from @keypool\/core\/engine\)/,
    );
    expect(() => createPoolEngine({ adapter, keys, strategy: 'fastest' as never })).toThrow(
      /unknown strategy "fastest"/,
    );
    expect(createPoolEngine({ adapter, keys, strategy: 'health' }).keyIds()).toEqual(['a', 'b']);
    expect(() => createPoolEngine({ adapter, keys, maxAtempts: 2 } as never)).toThrow(
      /did you mean maxAttempts/,
    );
  });

  it('learns rates from 429s only with the adaptiveLimiter() plug-in; adaptiveLimits: true names the import', async () => {
    const adapter = new FakeAdapter();
    // Six answers, then a 429 with no hint: enough requests in the window to read a rate from.
    const outcomes = () => [
      ...Array.from({ length: 6 }, () => ({ type: 'ok' as const })),
      { type: 'error' as const, category: 'rate_limit' as const },
    ];
    const run = async (engine: PoolEngine<unknown>) => {
      const seen: string[] = [];
      engine.on('limits.adapted', (event) => seen.push(`adapted ${event.keyId} ${event.limit}`));
      engine.on('key.cooldown', (event) => seen.push(`cooldown ${event.keyId}`));
      for (let call = 0; call < 7; call++)
        await engine.chat(request, { maxAttempts: 1 }).catch(() => undefined);
      return { seen, limit: engine.snapshot()[0]!.scopes?.[0]?.adaptiveLimit };
    };
    adapter.script(A, ...outcomes());
    const learning = await run(
      createPoolEngine({ adapter, keys: [keys[0]!], adaptiveLimits: adaptiveLimiter() }),
    );
    expect(learning).toEqual({ seen: ['adapted a 5'], limit: 5 });
    // Without the plug-in (the engine's default, or `false`) a 429 with no hint is a cooldown.
    for (const adaptiveLimits of [undefined, false as const]) {
      adapter.script(A, ...outcomes());
      const plain = await run(createPoolEngine({ adapter, keys: [keys[0]!], adaptiveLimits }));
      expect(plain).toEqual({ seen: ['cooldown a'], limit: undefined });
    }
    for (const flag of [true, 'yes']) {
      const error = (() => {
        try {
          createPoolEngine({ adapter, keys, adaptiveLimits: flag as never, strategy: 'priority' as never });
        } catch (caught) {
          return caught;
        }
      })() as ConfigError;
      expect(ConfigError.isInstance(error)).toBe(true);
      expect(error.issues).toEqual([
        expect.objectContaining({ path: 'strategy' }),
        {
          path: 'adaptiveLimits',
          message:
            'the lean PoolEngine takes adaptive limits as a plug-in: adaptiveLimits: adaptiveLimiter() (from @keypool/core/engine)',
        },
      ]);
    }
    expect(engineEntry.adaptiveLimiter).toBe(adaptiveLimiter);
  });

  it('is what KeyPool extends: a KeyPool is a PoolEngine, and each names itself without a secret', async () => {
    const adapter = new FakeAdapter();
    const pool = createKeyPool({ adapter, keys, historySize: 2 });
    const engine = new PoolEngine({ adapter, keys });
    expect(pool).toBeInstanceOf(PoolEngine);
    expect(pool).toBeInstanceOf(KeyPool);
    expect(engine).not.toBeInstanceOf(KeyPool);
    expect(inspect(pool)).toMatch(/^KeyPool\(fake, 2 keys/);
    expect(inspect(engine)).toMatch(/^PoolEngine\(fake, 2 keys/);
    expect(inspect(engine)).not.toContain(A);
    expect(engineEntry.createPoolEngine).toBe(createPoolEngine);
    expect('addKey' in engine || 'acquire' in engine || 'toJSON' in engine).toBe(false);
    await pool.close();
    await engine.close();
  });
});
