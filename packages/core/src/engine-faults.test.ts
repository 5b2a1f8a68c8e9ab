import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PoolExhaustedError, ProviderError } from './errors';
import { createKeyPool } from './key-pool';
import { FakeAdapter } from './testing/fake-adapter';
import { WindowProvider } from './testing/window-provider';

// Issue 11: the engine as providers really behave. Each block reproduces one measured fault pattern.
const [A, B, C] = [
  'sk-fault-aaaaaaaaaaaaaaaa',
  'sk-fault-bbbbbbbbbbbbbbbb',
  'sk-fault-cccccccccccccccc',
] as const;
const T0 = 20_000_000;
const ask = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'hi' }] });

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Advances the fake clock until `promise` settles. */
async function settled<T>(promise: Promise<T>, stepMs = 10): Promise<T> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  promise.then(
    (value) => {
      outcome = { ok: true, value };
    },
    (error: unknown) => {
      outcome = { ok: false, error };
    },
  );
  while (!outcome) await vi.advanceTimersByTimeAsync(stepMs);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/** Runs `total` calls with at most `inFlight` at once; returns how many succeeded and the errors. */
async function burst(run: () => Promise<unknown>, total: number, inFlight: number) {
  let started = 0;
  let ok = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (started < total) {
      started++;
      try {
        await run();
        ok++;
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await settled(Promise.all(Array.from({ length: inFlight }, worker)), 100);
  return { ok, errors };
}

describe('a burst of 429s from one window', () => {
  it('cools the key once, for the hint, however many calls were in flight', async () => {
    const provider = new WindowProvider(
      { [A]: { limitPerWindow: 5, retryAfterMs: 1_000 } },
      { windowMs: 1_000 },
    );
    const pool = createKeyPool({ adapter: provider, keys: [{ id: 'a', secret: A }], random: () => 0.5 });
    const cooldowns: number[] = [];
    pool.on('key.cooldown', (event) => cooldowns.push(event.durationMs));
    await settled(Promise.all(Array.from({ length: 20 }, () => pool.chat(ask('m')).catch(() => undefined))));
    expect(provider.count(429)).toBeGreaterThanOrEqual(10);
    // Every 429 of the burst honours the same hint; none escalates it.
    expect(Math.max(...cooldowns)).toBeLessThanOrEqual(1_000);
  });

  it('never cools a key longer than an explicit retry-after, however often it is limited again', async () => {
    // A configured limit the provider does not honour (it allows less): the key is limited again after each release.
    const provider = new WindowProvider(
      { [A]: { limitPerWindow: 2, retryAfterMs: 1_000 } },
      { windowMs: 1_000 },
    );
    const pool = createKeyPool({
      adapter: provider,
      keys: [{ id: 'a', secret: A, limits: { rpm: 10 } }],
      windowMs: 1_000,
      random: () => 0.5,
    });
    const cooldowns: number[] = [];
    pool.on('key.cooldown', (event) => cooldowns.push(event.durationMs));
    await burst(() => pool.chat(ask('m')), 40, 4);
    expect(cooldowns.length).toBeGreaterThanOrEqual(5);
    // Before, each re-limit doubled the cooldown past the hint: 1, 2, 4, 8 s.
    expect(Math.max(...cooldowns)).toBeLessThanOrEqual(1_000);
  }, 30_000);

  it('learns a safe rate from 429s alone (no limits, no headers): goodput near capacity, few 429s', async () => {
    const keys = { [A]: { limitPerWindow: 20 }, [B]: { limitPerWindow: 20 }, [C]: { limitPerWindow: 20 } };
    const provider = new WindowProvider(keys, { windowMs: 1_000, latencyMs: 20 });
    const pool = createKeyPool({
      adapter: provider,
      keys: [A, B, C].map((secret, index) => ({ id: `k${index}`, secret })),
      windowMs: 1_000,
      random: () => 0.5,
    });
    // 3 keys x 20 req/s = 60 req/s of capacity; offered: as fast as 30 callers can go, for 30 seconds.
    const { ok, errors } = await burst(() => pool.chat(ask('m')), 1_800, 30);
    expect(errors).toEqual([]);
    expect(ok).toBe(1_800);
    // After the first windows (where the pool learns, as any client without limits must), measure the steady state.
    const steady = provider.log.filter((entry) => entry.at >= T0 + 3_000 && entry.at < Date.now() - 1_000);
    const served = steady.filter((entry) => entry.status === 200).length;
    const limited = steady.filter((entry) => entry.status === 429).length;
    const seconds = (Date.now() - 1_000 - (T0 + 3_000)) / 1_000;
    expect(limited / (served + limited)).toBeLessThanOrEqual(0.02);
    expect(served / seconds / 60).toBeGreaterThanOrEqual(0.95);
  }, 60_000);
});

describe('scopes: providers limit per key and model', () => {
  it('a 429 for one model leaves the same key free for another model', async () => {
    const provider = new WindowProvider(
      { [A]: { limitPerWindow: 1, retryAfterMs: 30_000 } },
      { windowMs: 60_000 },
    );
    const pool = createKeyPool({ adapter: provider, keys: [{ id: 'a', secret: A }], maxWaitMs: 0 });
    await settled(pool.chat(ask('gpt-4o')));
    await expect(settled(pool.chat(ask('gpt-4o')))).rejects.toSatisfy(PoolExhaustedError.isInstance);
    expect((await settled(pool.chat(ask('gpt-4o-mini')))).keyId).toBe('a');
    const [snapshot] = pool.snapshot();
    expect(snapshot!.status).toBe('active');
    expect(snapshot!.scopes!.map((scope) => [scope.scope, scope.status])).toEqual([
      ['gpt-4o', 'cooling'],
      ['gpt-4o-mini', 'active'],
    ]);
  });

  it('an auth failure disables the whole key, for every model', async () => {
    const adapter = new FakeAdapter();
    adapter.always(A, { type: 'error', category: 'auth' });
    const pool = createKeyPool({
      adapter,
      keys: [
        { id: 'a', secret: A },
        { id: 'b', secret: B },
      ],
      strategy: 'round-robin',
    });
    await pool.chat(ask('one'));
    for (let index = 0; index < 4; index++) expect((await pool.chat(ask('two'))).keyId).toBe('b');
    expect(adapter.callsFor(A)).toHaveLength(1);
    expect(pool.snapshot()[0]!.status).toBe('disabled');
  });
});

describe('waiting in place', () => {
  it('serves a one-key pool through a 2 s retry-after instead of failing', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, { type: 'error', category: 'rate_limit', hints: { retryAfterMs: 2_000 } });
    const pool = createKeyPool({ adapter, keys: [{ id: 'a', secret: A }] });
    const call = pool.chat(ask('m'));
    await vi.advanceTimersByTimeAsync(2_100);
    expect((await call).keyId).toBe('a');
    const [first, second] = adapter.callsFor(A);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(2_000);
  });

  it('does not wait past its bound: a 30 s retry-after fails at once with retryAfterMs', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, { type: 'error', category: 'rate_limit', hints: { retryAfterMs: 30_000 } });
    const pool = createKeyPool({ adapter, keys: [{ id: 'a', secret: A }] });
    const error = await pool.chat(ask('m')).catch((caught: unknown) => caught);
    expect(PoolExhaustedError.isInstance(error)).toBe(true);
    expect((error as PoolExhaustedError).retryAfterMs).toBe(30_000);
  });
});

describe('retries go elsewhere', () => {
  it('never retries on the key that just failed when others are healthy', async () => {
    const adapter = new FakeAdapter();
    adapter.always(A, { type: 'error', category: 'overloaded' });
    const pool = createKeyPool({
      adapter,
      keys: [A, B, C].map((secret, index) => ({ id: `k${index}`, secret })),
      strategy: 'round-robin',
    });
    const results = await Promise.all(
      Array.from({ length: 60 }, () => pool.chat(ask('m')).catch((e: unknown) => e)),
    );
    expect(results.filter((result) => ProviderError.isInstance(result))).toEqual([]);
  });

  it('a key that keeps failing with 5xx is penalised, so sequential calls stop paying the detour', async () => {
    const adapter = new FakeAdapter();
    adapter.always(A, { type: 'error', category: 'server' });
    const pool = createKeyPool({
      adapter,
      keys: [A, B, C].map((secret, index) => ({ id: `k${index}`, secret })),
      strategy: 'round-robin',
      random: () => 0.5,
    });
    for (let index = 0; index < 60; index++) {
      await pool.chat(ask('m'));
      await vi.advanceTimersByTimeAsync(50);
    }
    // 60 calls over 3 s: without a penalty, round-robin would send a third of them (20) to the bad key first.
    expect(adapter.callsFor(A).length).toBeLessThanOrEqual(4);
  });
});

describe('provider hints in order', () => {
  it('an explicit retry-after wins over a window counter that says 0 left (Mistral: 1 s, not 59 s)', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, {
      type: 'error',
      category: 'rate_limit',
      hints: { retryAfterMs: 1_000, rateLimit: { requests: { limit: 60, remaining: 0 } } },
    });
    const pool = createKeyPool({ adapter, keys: [{ id: 'a', secret: A }], maxWaitMs: 0 });
    await expect(pool.chat(ask('m'))).rejects.toSatisfy(PoolExhaustedError.isInstance);
    await vi.advanceTimersByTimeAsync(1_050);
    expect((await pool.chat(ask('m'))).keyId).toBe('a');
  });
});

describe('a silent route', () => {
  it('a connection closed after a long silence counts as timeout and is not retried', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, { type: 'error', category: 'network', delayMs: 5_000 });
    const pool = createKeyPool({
      adapter,
      keys: [
        { id: 'a', secret: A },
        { id: 'b', secret: B },
      ],
      strategy: 'round-robin',
      firstByteTimeoutMs: 4_000,
    });
    const call = pool.chat(ask('m')).catch((caught: unknown) => caught);
    await vi.advanceTimersByTimeAsync(5_100);
    const error = await call;
    expect((error as ProviderError).category).toBe('timeout');
    expect(adapter.calls).toHaveLength(1);
  });

  it('a stream that sends nothing until its first-byte limit moves on as timeout', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, { type: 'hang' });
    const pool = createKeyPool({ adapter, keys: [{ id: 'a', secret: A }], firstByteTimeoutMs: 2_000 });
    const run = (async () => {
      for await (const _ of pool.stream(ask('m'))) void _;
    })().catch((caught: unknown) => caught);
    await vi.advanceTimersByTimeAsync(2_100);
    expect(((await run) as ProviderError).category).toBe('timeout');
  });
});
