import { createKeyPool } from '@keypool/core';
import { FakeAdapter } from '@keypool/core/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  loadSecretKeys,
  parseSecretRef,
  pickSecret,
  SecretCache,
  type SecretStore,
  SecretStoreError,
  type SecretValue,
  toSecretSource,
  watchPoolSecrets,
} from '../src/index';

/** A store kept in memory, with a switch that makes reads fail or hang: the watcher's logic without a network. */
class MemoryStore implements SecretStore {
  readonly kind = 'memory';
  readonly values = new Map<string, string>();
  mode: 'up' | 'down' | 'hang' = 'up';
  reads = 0;

  async read(name: string): Promise<SecretValue> {
    this.reads++;
    if (this.mode === 'hang') return new Promise<never>(() => undefined);
    if (this.mode === 'down') throw new Error('connect ECONNREFUSED 127.0.0.1:8200');
    const value = this.values.get(name);
    if (value === undefined)
      throw new SecretStoreError(
        { store: this.kind, secretName: name, reason: 'not_found' },
        'no such secret',
      );
    return { value, version: String(this.reads) };
  }
}

const A1 = 'sk-watch-a-first-0000000000000001';
const A2 = 'sk-watch-a-second-000000000000002';
const B1 = 'sk-watch-b-first-0000000000000003';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

async function setup(options: { ttlMs?: number; retryMs?: number } = {}) {
  const store = new MemoryStore();
  store.values.set('team/openai', JSON.stringify({ a: A1, b: B1 }));
  const adapter = new FakeAdapter();
  const pool = createKeyPool({
    adapter,
    keys: [
      { id: 'a', secret: A1 },
      { id: 'b', secret: B1 },
    ],
  });
  const watcher = watchPoolSecrets(pool, {
    store,
    keys: [
      { id: 'a', ref: 'team/openai#a' },
      { id: 'b', ref: 'team/openai#b' },
    ],
    ttlMs: options.ttlMs ?? 60_000,
    ...(options.retryMs === undefined ? {} : { retryMs: options.retryMs }),
  });
  const events: { type: string }[] = [];
  watcher.onAny((event) => events.push(event));
  return { store, adapter, pool, watcher, events };
}

describe('watchPoolSecrets', () => {
  it('reads the store every ttlMs, one read per secret, and moves a rotated secret into the pool', async () => {
    const { store, adapter, pool, watcher, events } = await setup();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(store.reads).toBe(1); // two keys, one secret: one read
    expect(events).toEqual([]);
    store.values.set('team/openai', JSON.stringify({ a: A2, b: B1 }));
    await vi.advanceTimersByTimeAsync(59_999);
    expect(store.reads).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(store.reads).toBe(2);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'secret.rotated',
        keyId: 'a',
        ref: 'team/openai#a',
        masked: 'sk-w...0002',
        previousMasked: 'sk-w...0001',
        version: '2',
      }),
    ]);
    await pool.chat({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    await pool.chat({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(adapter.callsFor(A2).length + adapter.callsFor(B1).length).toBe(2);
    expect(adapter.callsFor(A1)).toHaveLength(0);
    await watcher.close();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(store.reads).toBe(2);
  });

  it('keeps the last good secret while the store is down, retries sooner, and reports going down and back', async () => {
    const { store, pool, watcher, events } = await setup({ ttlMs: 60_000, retryMs: 5_000 });
    await watcher.refresh();
    store.mode = 'down';
    await vi.advanceTimersByTimeAsync(60_000);
    await vi.advanceTimersByTimeAsync(5_000);
    const failed = events.filter((event) => event.type === 'secret.refresh_failed');
    expect(failed).toEqual([
      expect.objectContaining({ keyIds: ['a', 'b'], reason: 'unreachable', failures: 1, staleForMs: 60_000 }),
      expect.objectContaining({ failures: 2, staleForMs: 65_000 }),
    ]);
    expect(pool.snapshot().map((key) => key.status)).toEqual(['active', 'active']);
    store.mode = 'up';
    store.values.set('team/openai', JSON.stringify({ a: A2, b: B1 }));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(events.slice(-2).map((event) => event.type)).toEqual(['secret.recovered', 'secret.rotated']);
    await watcher.close();
  });

  it('counts a read that hangs as a failure after timeoutMs', async () => {
    const store = new MemoryStore();
    store.values.set('k', A1);
    const pool = createKeyPool({ adapter: new FakeAdapter(), keys: [{ id: 'a', secret: A1 }] });
    const watcher = watchPoolSecrets(pool, { store, keys: [{ id: 'a', ref: 'k' }], timeoutMs: 2_000 });
    store.mode = 'hang';
    const refresh = watcher.refresh();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await refresh).toEqual({ rotated: [], failed: ['a'], rejected: [] });
    await watcher.close();
  });

  it('refuses a value the pool cannot use and keeps the old secret, naming no value', async () => {
    const { store, pool, watcher, events } = await setup();
    store.values.set('team/openai', JSON.stringify({ a: 'sk-has a space 00000000000', c: A2 }));
    expect(await watcher.refresh()).toEqual({ rotated: [], failed: [], rejected: ['a', 'b'] });
    const rejected = events.filter((event) => event.type === 'secret.rejected');
    expect(rejected).toHaveLength(2);
    expect(JSON.stringify(events)).not.toContain('has a space');
    expect(JSON.stringify(events)).not.toContain(A2);
    expect(rejected[1]).toMatchObject({
      keyId: 'b',
      message: expect.stringContaining('field "b" is missing'),
    });
    expect(pool.snapshot().map((key) => key.masked)).toEqual(['sk-w...0001', 'sk-w...0003']);
    await watcher.close();
  });
});

describe('SecretCache', () => {
  it('serves from memory within the TTL, shares concurrent reads, and falls back to the last good value', async () => {
    const store = new MemoryStore();
    store.values.set('s', A1);
    const cache = new SecretCache(store, { ttlMs: 1_000 });
    const [first, second] = await Promise.all([cache.get('s'), cache.get('s')]);
    expect(store.reads).toBe(1);
    expect(first).toEqual(second);
    await vi.advanceTimersByTimeAsync(999);
    await cache.get('s');
    expect(store.reads).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    store.mode = 'down';
    const stale = await cache.get('s');
    expect(stale).toMatchObject({ value: A1, stale: true, error: { reason: 'unreachable' } });
    await expect(new SecretCache(store).get('s')).rejects.toBeInstanceOf(SecretStoreError);
  });
});

describe('pickSecret', () => {
  it('takes a named field, the only field, or the whole text', () => {
    expect(pickSecret(JSON.stringify({ key: A1 }), parseSecretRef('x'), 'memory')).toBe(A1);
    expect(pickSecret(JSON.stringify({ a: A1, b: B1 }), parseSecretRef('x#b'), 'memory')).toBe(B1);
    expect(pickSecret(` ${A1}\n`, parseSecretRef('x'), 'memory')).toBe(A1);
    expect(() => pickSecret(JSON.stringify({ a: A1, b: B1 }), parseSecretRef('x'), 'memory')).toThrow(
      'the secret is a JSON object with fields a, b: name one as "x#field"',
    );
    expect(() => pickSecret(A1, parseSecretRef('x#a'), 'memory')).toThrow('not a JSON object');
    expect(() => pickSecret('  ', parseSecretRef('x'), 'memory')).toThrow('the secret is empty');
  });
});

describe('loadSecretKeys and toSecretSource', () => {
  it('reads a shared secret once for several keys, keeps their settings, and resolves keys-file references', async () => {
    const store = new MemoryStore();
    store.values.set('team/openai', JSON.stringify({ a: A1, b: B1 }));
    const keys = await loadSecretKeys(store, [
      { id: 'a', ref: 'team/openai#a', weight: 3 },
      { id: 'b', ref: 'team/openai#b', tags: ['backup'] },
    ]);
    expect(keys).toEqual([
      { id: 'a', secret: A1, weight: 3 },
      { id: 'b', secret: B1, tags: ['backup'] },
    ]);
    expect(store.reads).toBe(1);
    const source = toSecretSource(store, 'memory');
    expect(source.scheme).toBe('memory');
    await expect(source.resolve('team/openai#b')).resolves.toBe(B1);
    await expect(loadSecretKeys(store, [{ id: 'x', ref: 'missing' }])).rejects.toMatchObject({
      name: 'SecretStoreError',
      reason: 'not_found',
      message: 'memory: secret "missing": no such secret',
    });
  });
});
