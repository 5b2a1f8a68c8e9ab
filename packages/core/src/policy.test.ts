import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ERROR_CATEGORIES, type ErrorCategory } from './categories';
import { PoolExhaustedError, ProviderError } from './errors';
import { createKeyPool } from './key-pool';
import { DEFAULT_POLICY, resolvePolicy } from './policy';
import { FakeAdapter } from './testing/fake-adapter';

const A = 'sk-policy-aaaaaaaaaaaaaaaaaaaa';
const B = 'sk-policy-bbbbbbbbbbbbbbbbbbbb';
const keys = [
  { id: 'a', secret: A },
  { id: 'b', secret: B },
];
const request = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };

/** What each category must do, straight from DESIGN.md. */
const EXPECTED: Record<ErrorCategory, { keyStatus: string; callsOnA: number; served: 'a' | 'b' | 'throws' }> =
  {
    rate_limit: { keyStatus: 'cooling', callsOnA: 1, served: 'b' },
    quota_exhausted: { keyStatus: 'cooling', callsOnA: 1, served: 'b' },
    auth: { keyStatus: 'disabled', callsOnA: 1, served: 'b' },
    overloaded: { keyStatus: 'active', callsOnA: 1, served: 'b' },
    server: { keyStatus: 'active', callsOnA: 1, served: 'b' },
    network: { keyStatus: 'active', callsOnA: 1, served: 'b' },
    timeout: { keyStatus: 'active', callsOnA: 1, served: 'throws' },
    context_length: { keyStatus: 'active', callsOnA: 1, served: 'throws' },
    content_filter: { keyStatus: 'active', callsOnA: 1, served: 'throws' },
    invalid_request: { keyStatus: 'active', callsOnA: 1, served: 'throws' },
    aborted: { keyStatus: 'active', callsOnA: 1, served: 'throws' },
    invalid_response: { keyStatus: 'active', callsOnA: 1, served: 'throws' },
    stream_interrupted: { keyStatus: 'active', callsOnA: 1, served: 'throws' },
  };

describe('the policy table', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 5_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('has exactly one row per category', () => {
    expect(Object.keys(DEFAULT_POLICY).sort()).toEqual([...ERROR_CATEGORIES].sort());
  });

  it.each(ERROR_CATEGORIES.map((category) => [category] as const))(
    'applies the %s row to the key and the request',
    async (category) => {
      const adapter = new FakeAdapter();
      adapter.script(A, { type: 'error', category });
      const pool = createKeyPool({
        adapter,
        keys,
        strategy: 'round-robin',
        random: () => 0,
        retryBaseMs: 10,
      });
      const call = pool.chat(request).then(
        (result) => result.keyId,
        (error: unknown) => error,
      );
      await vi.advanceTimersByTimeAsync(100);
      const outcome = await call;
      const expected = EXPECTED[category];
      if (expected.served === 'throws') {
        expect(ProviderError.isInstance(outcome)).toBe(true);
        expect((outcome as ProviderError).category).toBe(category);
        expect(adapter.calls).toHaveLength(1);
      } else {
        expect(outcome).toBe(expected.served);
      }
      expect(adapter.callsFor(A)).toHaveLength(expected.callsOnA);
      expect(pool.snapshot()[0]!.status).toBe(expected.keyStatus);
      expect(pool.snapshot()[0]!.counts.failures[category]).toBe(1);
    },
  );

  it('retries a busy provider on another key at once, then gives up after the row’s budget', async () => {
    const adapter = new FakeAdapter();
    adapter.always(A, { type: 'error', category: 'overloaded' });
    adapter.always(B, { type: 'error', category: 'overloaded' });
    const retries: number[] = [];
    const pool = createKeyPool({
      adapter,
      keys,
      strategy: 'round-robin',
      random: () => 0.5,
      retryBaseMs: 200,
    });
    pool.on('request.retry', (event) => retries.push(event.delayMs));
    const error = await pool.chat(request).catch((caught: unknown) => caught);
    expect((error as ProviderError).category).toBe('overloaded');
    expect(adapter.calls.map((call) => call.secret)).toEqual([A, B]);
    expect(retries).toEqual([0]);
  });

  it('retries a busy provider after a short jittered delay when no other key is usable', async () => {
    const adapter = new FakeAdapter();
    adapter.always(A, { type: 'error', category: 'overloaded' });
    const retries: number[] = [];
    const pool = createKeyPool({
      adapter,
      keys: [keys[0]!],
      random: () => 0.5,
      retryBaseMs: 200,
      maxWaitMs: 0,
    });
    pool.on('request.retry', (event) => retries.push(event.delayMs));
    const call = pool.chat(request).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1_000);
    const error = await call;
    expect((error as ProviderError).category).toBe('overloaded');
    expect(adapter.calls).toHaveLength(2);
    expect(retries).toEqual([150]);
  });

  it('lets a user override a row: here auth only cools instead of disabling', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, { type: 'error', category: 'auth' });
    const pool = createKeyPool({
      adapter,
      keys,
      strategy: 'round-robin',
      random: () => 0,
      policy: { auth: { key: 'cooldown' } },
    });
    await pool.chat(request);
    expect(pool.snapshot()[0]!.status).toBe('cooling');
  });

  it('lets a user make a category fail fast', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, { type: 'error', category: 'rate_limit' });
    const pool = createKeyPool({
      adapter,
      keys,
      strategy: 'round-robin',
      policy: { rate_limit: { request: 'fail' } },
    });
    const error = await pool.chat(request).catch((caught: unknown) => caught);
    expect((error as ProviderError).category).toBe('rate_limit');
    expect(adapter.calls).toHaveLength(1);
  });

  it('rejects an override for a category that does not exist', () => {
    expect(() => resolvePolicy({ nonsense: { key: 'none' } } as never)).toThrow(
      /unknown category "nonsense"/,
    );
  });

  it('throws PoolExhaustedError, not the key error, when every key was rotated out', async () => {
    const adapter = new FakeAdapter();
    adapter.always(A, { type: 'error', category: 'auth' });
    adapter.always(B, { type: 'error', category: 'auth' });
    const pool = createKeyPool({ adapter, keys });
    const error = await pool.chat(request).catch((caught: unknown) => caught);
    expect(PoolExhaustedError.isInstance(error)).toBe(true);
    expect((error as PoolExhaustedError).retryAfterMs).toBeUndefined();
    expect((error as PoolExhaustedError).keys.map((key) => key.status)).toEqual(['disabled', 'disabled']);
    expect((error as PoolExhaustedError).lastError?.category).toBe('auth');
  });
});
