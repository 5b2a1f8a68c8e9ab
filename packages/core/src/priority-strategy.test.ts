import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from './errors';
import { createKeyPool } from './key-pool';
import { FakeAdapter } from './testing/fake-adapter';

const A = 'sk-test-prio-aaaaaaaaaaaaaaaa';
const B = 'sk-test-prio-bbbbbbbbbbbbbbbb';
const C = 'sk-test-prio-cccccccccccccccc';
const D = 'sk-test-prio-dddddddddddddddd';
const request = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };

async function served(pool: { chat(input: typeof request): Promise<{ keyId: string }> }, count: number) {
  const ids: string[] = [];
  for (let index = 0; index < count; index++) ids.push((await pool.chat(request)).keyId);
  return ids;
}

describe('the priority strategy (ordered failover)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends every call to the first key while it is usable', async () => {
    const adapter = new FakeAdapter();
    const pool = createKeyPool({
      adapter,
      strategy: 'priority',
      keys: [
        { id: 'a', secret: A },
        { id: 'b', secret: B },
        { id: 'c', secret: C },
      ],
    });
    expect(await served(pool, 10)).toEqual(Array(10).fill('a'));
  });

  it('fails over in order and returns to the primary when it recovers', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, { type: 'error', category: 'rate_limit', hints: { retryAfterMs: 5_000 } });
    const pool = createKeyPool({
      adapter,
      strategy: 'priority',
      keys: [
        { id: 'a', secret: A },
        { id: 'b', secret: B },
        { id: 'c', secret: C },
      ],
    });
    expect(await served(pool, 3)).toEqual(['b', 'b', 'b']);
    vi.advanceTimersByTime(5_001);
    expect(await served(pool, 3)).toEqual(['a', 'a', 'a']);
  });

  it('skips a revoked key for the next in order', async () => {
    const adapter = new FakeAdapter();
    adapter.always(A, { type: 'error', category: 'auth' });
    adapter.always(B, { type: 'error', category: 'auth' });
    const pool = createKeyPool({
      adapter,
      strategy: 'priority',
      keys: [
        { id: 'a', secret: A },
        { id: 'b', secret: B },
        { id: 'c', secret: C },
      ],
    });
    expect(await served(pool, 4)).toEqual(['c', 'c', 'c', 'c']);
  });

  it('spreads the load inside a tier and moves to the next tier only when the tier is spent', async () => {
    const adapter = new FakeAdapter();
    const pool = createKeyPool({
      adapter,
      strategy: 'priority',
      keys: [
        { id: 'backup', secret: C, priority: 2 },
        { id: 'a', secret: A, priority: 1 },
        { id: 'b', secret: B, priority: 1 },
        { id: 'last', secret: D },
      ],
    });
    expect(await served(pool, 6)).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    await pool.disableKey('a');
    expect(await served(pool, 2)).toEqual(['b', 'b']);
    await pool.disableKey('b');
    expect(await served(pool, 2)).toEqual(['backup', 'backup']);
    await pool.disableKey('backup');
    expect(await served(pool, 1)).toEqual(['last']);
    await pool.enableKey('a');
    expect(await served(pool, 2)).toEqual(['a', 'a']);
  });

  it('setPrimaryKey makes a key the primary, above every tier, and says so in snapshots and events', async () => {
    const adapter = new FakeAdapter();
    const pool = createKeyPool({
      adapter,
      strategy: 'priority',
      keys: [
        { id: 'a', secret: A, priority: 0 },
        { id: 'b', secret: B, priority: 5 },
        { id: 'c', secret: C },
      ],
    });
    const events: unknown[] = [];
    pool.on('key.primary', (event) => events.push({ keyId: event.keyId, previous: event.previousKeyId }));
    pool.setPrimaryKey('c');
    expect(await served(pool, 3)).toEqual(['c', 'c', 'c']);
    pool.setPrimaryKey('b');
    expect(await served(pool, 2)).toEqual(['b', 'b']);
    expect(pool.primaryKey()).toBe('b');
    expect(events).toEqual([
      { keyId: 'c', previous: undefined },
      { keyId: 'b', previous: 'c' },
    ]);
    const snapshot = pool.snapshot();
    expect(snapshot.find((key) => key.id === 'b')).toMatchObject({ primary: true, priority: 5 });
    expect(snapshot.find((key) => key.id === 'c')?.primary).toBeUndefined();
    expect(() => pool.setPrimaryKey('nope')).toThrow(ConfigError);
  });

  it('a retry after a failure goes to the next key in order within the same call', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, { type: 'error', category: 'server' });
    const pool = createKeyPool({
      adapter,
      strategy: 'priority',
      keys: [
        { id: 'a', secret: A },
        { id: 'b', secret: B },
      ],
    });
    const result = await pool.chat(request);
    expect(result.keyId).toBe('b');
    expect(adapter.calls.map((call) => call.secret)).toEqual([A, B]);
  });

  it('updateKey changes a priority at run time without losing the key state', async () => {
    const adapter = new FakeAdapter();
    const pool = createKeyPool({
      adapter,
      strategy: 'priority',
      keys: [
        { id: 'a', secret: A, priority: 1 },
        { id: 'b', secret: B, priority: 2 },
      ],
    });
    await served(pool, 2);
    expect(await pool.updateKey({ id: 'b', secret: B, priority: 0 })).toEqual(['priority']);
    expect(await served(pool, 2)).toEqual(['b', 'b']);
    expect(pool.snapshot().find((key) => key.id === 'a')?.counts.requests).toBe(2);
  });
});
