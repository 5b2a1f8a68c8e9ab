import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PoolExhaustedError, ProviderError, StreamInterruptedError } from './errors';
import { createKeyPool } from './key-pool';
import { FakeAdapter } from './testing/fake-adapter';

const A = 'sk-test-aaaaaaaaaaaaaaaaaaaa';
const B = 'sk-test-bbbbbbbbbbbbbbbbbbbb';
const C = 'sk-test-cccccccccccccccccccc';
const keys = [
  { id: 'a', secret: A },
  { id: 'b', secret: B },
  { id: 'c', secret: C },
];
const request = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };

describe('KeyPool basics', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('serves a call on a healthy key', async () => {
    const adapter = new FakeAdapter();
    const pool = createKeyPool({ adapter, keys, random: () => 0 });
    const result = await pool.chat(request);
    expect(result.text).toBe('ok');
    expect(['a', 'b', 'c']).toContain(result.keyId);
  });

  it('rotates past a rate-limited key at once and cools it for the hint', async () => {
    const adapter = new FakeAdapter();
    adapter.always(A, { type: 'error', category: 'rate_limit', hints: { retryAfterMs: 7_000 } });
    const pool = createKeyPool({ adapter, keys, strategy: 'round-robin', random: () => 0 });
    const result = await pool.chat(request);
    expect(result.keyId).toBe('b');
    const snap = pool.snapshot().find((key) => key.id === 'a')!;
    expect(snap.status).toBe('cooling');
    expect(snap.cooldownRemainingMs).toBe(7_000);
  });

  it('disables an invalid key after one attempt', async () => {
    const adapter = new FakeAdapter();
    adapter.always(A, { type: 'error', category: 'auth' });
    const pool = createKeyPool({ adapter, keys, strategy: 'round-robin' });
    for (let i = 0; i < 6; i++) await pool.chat(request);
    expect(adapter.callsFor(A)).toHaveLength(1);
    expect(pool.snapshot()[0]!.status).toBe('disabled');
  });

  it('throws PoolExhaustedError when every key is cooling beyond the wait bound', async () => {
    const adapter = new FakeAdapter();
    for (const secret of [A, B, C])
      adapter.always(secret, { type: 'error', category: 'rate_limit', hints: { retryAfterMs: 30_000 } });
    const pool = createKeyPool({ adapter, keys, random: () => 0 });
    const error = await pool.chat(request).catch((caught: unknown) => caught);
    expect(PoolExhaustedError.isInstance(error)).toBe(true);
    expect((error as PoolExhaustedError).retryAfterMs).toBe(30_000);
    expect((error as PoolExhaustedError).errors).toHaveLength(3);
    expect(JSON.stringify(error)).not.toContain('sk-test');
  });

  it('streams with failover before the first chunk and interruption after', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, { type: 'error', category: 'overloaded' });
    adapter.script(B, { type: 'stream', chunks: ['he', 'llo', ' there'], failAfter: 2 });
    const pool = createKeyPool({ adapter, keys, strategy: 'round-robin', random: () => 0, retryBaseMs: 1 });
    const seen: string[] = [];
    const run = (async () => {
      for await (const event of pool.stream(request, { onInterrupt: 'fail' }))
        if (event.type === 'delta') seen.push(event.text);
    })();
    vi.advanceTimersByTimeAsync(10);
    const error = await run.catch((caught: unknown) => caught);
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect((error as StreamInterruptedError).partialText).toBe('hello');
    expect(seen).toEqual(['he', 'llo']);
    expect(ProviderError.isInstance(error)).toBe(true);
  });
});
