import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffStep, retryDelay } from './backoff';
import { ConfigError } from './errors';
import { createKeyPool, type KeyPoolOptions } from './key-pool';
import { FakeAdapter, type FakeClient, FakeProviderError } from './testing/fake-adapter';

const SECRET = 'sk-backoff-aaaaaaaaaaaaaaaaaaaaaa';

describe('the backoff formula', () => {
  it('is min(base * factor^(n-1), max): 1, 2, 4, 8 s capped at 10 s', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffStep(n, 1_000, 2, 10_000))).toEqual([
      1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
    expect([1, 2, 3].map((n) => backoffStep(n, 500, 3, 60_000))).toEqual([500, 1_500, 4_500]);
    expect(backoffStep(5_000, 1_000, 2, 10_000)).toBe(10_000); // no overflow to Infinity or NaN
    expect(backoffStep(3, 1_000, 1, 10_000)).toBe(1_000); // factor 1: a constant delay
  });

  it('takes off up to `jitter` of each step', () => {
    expect(retryDelay(4, 1_000, 10_000, () => 0.999_999, 2, 0.5)).toBe(8_000);
    expect(retryDelay(4, 1_000, 10_000, () => 0, 2, 0.5)).toBe(4_000);
    expect(retryDelay(4, 1_000, 10_000, () => 0, 2, 0)).toBe(8_000);
  });
});

describe('retryBackoff and cooldown.factor in a pool', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 9_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits 1, 2, 4, 8, 10 s between retries of a busy provider with retryBackoff { 1 s, x2, 10 s, no jitter }', async () => {
    const adapter = new FakeAdapter();
    adapter.always(SECRET, { type: 'error', category: 'overloaded' });
    const pool = createKeyPool({
      adapter,
      keys: [{ id: 'a', secret: SECRET }],
      policy: { overloaded: { retries: 5 } },
      retryBackoff: { baseMs: 1_000, factor: 2, maxMs: 10_000, jitter: 0 },
      maxAttempts: 10,
      deadlineMs: 120_000,
    });
    const delays: number[] = [];
    pool.on('request.retry', (event) => delays.push(event.delayMs));
    const call = pool.chat({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);
    await vi.advanceTimersByTimeAsync(60_000);
    expect((await call).category).toBe('overloaded');
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 10_000]);
    expect(adapter.calls).toHaveLength(6);
  });

  it('keeps the former retry cap of 5 s by default', async () => {
    const adapter = new FakeAdapter();
    adapter.always(SECRET, { type: 'error', category: 'server' });
    const pool = createKeyPool({
      adapter,
      keys: [{ id: 'a', secret: SECRET }],
      policy: { server: { retries: 7 } },
      random: () => 0.999_999,
      maxAttempts: 10,
    });
    const delays: number[] = [];
    pool.on('request.retry', (event) => delays.push(event.delayMs));
    const call = pool.chat({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);
    await vi.advanceTimersByTimeAsync(60_000);
    await call;
    expect(delays).toEqual([250, 500, 1_000, 2_000, 4_000, 5_000, 5_000]);
  });

  it('grows rate-limit cooldowns by cooldown.factor', async () => {
    const adapter = new FakeAdapter();
    const pool = createKeyPool({
      adapter,
      keys: [{ id: 'a', secret: SECRET }],
      cooldown: { baseMs: 1_000, factor: 3, maxMs: 20_000, jitter: 0 },
      adaptiveLimits: false,
      maxWaitMs: 0,
    });
    const cooled: number[] = [];
    pool.on('key.cooldown', (event) => cooled.push(event.durationMs));
    for (let index = 0; index < 4; index++) {
      await pool
        .execute(
          async () => {
            throw new FakeProviderError('rate_limit');
          },
          { maxAttempts: 1 },
        )
        .catch(() => undefined);
      await vi.advanceTimersByTimeAsync(cooled.at(-1) ?? 0);
    }
    expect(cooled).toEqual([1_000, 3_000, 9_000, 20_000]);
  });
});

describe('backoff options are validated', () => {
  const bad = (options: Record<string, unknown>): string => {
    try {
      createKeyPool({
        adapter: new FakeAdapter(),
        keys: [{ id: 'a', secret: SECRET }],
        ...options,
      } as KeyPoolOptions<FakeClient>);
    } catch (error) {
      expect(ConfigError.isInstance(error)).toBe(true);
      return (error as ConfigError).message;
    }
    throw new Error('no ConfigError');
  };

  it('names the bad field', () => {
    expect(bad({ retryBackoff: { factor: 0.5 } })).toContain('retryBackoff.factor: factor must be >= 1');
    expect(bad({ retryBackoff: { jitter: 2 } })).toContain(
      'retryBackoff.jitter: jitter must be between 0 and 1',
    );
    expect(bad({ retryBackoff: { baseMs: 2_000, maxMs: 1_000 } })).toContain(
      'retryBackoff.baseMs: baseMs must be <= maxMs',
    );
    expect(bad({ retryBackoff: { baseMs: -1 } })).toContain('retryBackoff.baseMs: baseMs must be >= 0');
    expect(bad({ retryBackoff: { base: 1 } })).toContain('retryBackoff');
    expect(bad({ cooldown: { factor: 0 } })).toContain('cooldown.factor: factor must be >= 1');
    expect(bad({ retryBaseMs: 100, retryBackoff: { baseMs: 200 } })).toContain(
      'retryBackoff.baseMs: retryBaseMs (100) and retryBackoff.baseMs (200) differ',
    );
  });
});
