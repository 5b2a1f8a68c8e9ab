import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientCache } from './client-cache';
import { ConfigError } from './errors';
import { createKeyPool } from './key-pool';
import type { PoolKey } from './pool-key';
import { FakeAdapter } from './testing/fake-adapter';

const secrets = Array.from({ length: 6 }, (_, index) => `sk-lru-${index}-${'z'.repeat(20)}`);

/** A fake adapter that counts the SDK clients it builds, per secret. */
function countingAdapter() {
  const adapter = new FakeAdapter();
  const built = new Map<string, number>();
  const create = adapter.createClient.bind(adapter);
  adapter.createClient = (secret: string) => {
    built.set(secret, (built.get(secret) ?? 0) + 1);
    return create(secret);
  };
  return { adapter, built };
}

describe('SDK clients: built on first use, kept within maxClients', () => {
  it('builds a client only for keys that are called, once each while under the bound', async () => {
    const { adapter, built } = countingAdapter();
    const pool = createKeyPool({
      adapter,
      keys: secrets.map((secret, index) => ({ id: `k${index}`, secret })),
      strategy: 'round-robin',
    });
    for (let call = 0; call < 3; call++)
      await pool.chat({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(built.size).toBe(3);
    for (let call = 0; call < 9; call++)
      await pool.chat({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect([...built.values()]).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('past the bound drops the least recently used client and rebuilds it when its key is called again', async () => {
    const { adapter, built } = countingAdapter();
    const pool = createKeyPool({
      adapter,
      keys: secrets.slice(0, 3).map((secret, index) => ({ id: `k${index}`, secret })),
      maxClients: 2,
      strategy: 'round-robin',
    });
    const ask = () => pool.chat({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    await ask(); // k0
    await ask(); // k1
    await ask(); // k2: over the bound, one client goes
    await ask(); // k0 again
    const rebuilt = [...built.values()].reduce((sum, count) => sum + count, 0);
    expect(rebuilt).toBe(4);
    expect(built.get(secrets[0]!)).toBe(2);
    // Answers are unaffected: every call was served.
    for (let call = 0; call < 6; call++) expect((await ask()).text.length).toBeGreaterThan(0);
  });

  it('keeps a client in constant use over one that is idle (recency, not insertion order)', async () => {
    const { adapter, built } = countingAdapter();
    const pool = createKeyPool({
      adapter,
      keys: secrets.slice(0, 3).map((secret, index) => ({ id: `k${index}`, secret })),
      maxClients: 2,
    });
    const on = (keyId: string) =>
      pool.execute(async (client) => client, {
        avoidKeyIds: ['k0', 'k1', 'k2'].filter((id) => id !== keyId),
      });
    await on('k0');
    await on('k1');
    await on('k0');
    await on('k2'); // evicts k1 (idle since), not k0
    await on('k0');
    expect(built.get(secrets[0]!)).toBe(1);
    expect(built.get(secrets[1]!)).toBe(1);
    await on('k1');
    expect(built.get(secrets[1]!)).toBe(2);
  });

  it('rejects a bound that is not a positive integer', () => {
    const { adapter } = countingAdapter();
    const make = (maxClients: number) =>
      createKeyPool({ adapter, keys: [{ id: 'k0', secret: secrets[0]! }], maxClients });
    expect(() => make(0)).toThrow(ConfigError);
    expect(() => make(1.5)).toThrow(/maxClients/);
  });
});

describe('ClientCache bookkeeping', () => {
  /** The parts of a PoolKey the cache touches. */
  function fakeKey(id: number) {
    return {
      id,
      hasClient: true,
      clientUsed: false,
      clientSlot: -1,
      dropClient() {
        this.hasClient = false;
      },
    };
  }

  it('holds exactly the keys that have a client, within the bound, through random adds, uses and removals', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.tuple(fc.constantFrom('add', 'use', 'remove'), fc.nat(20)), { maxLength: 200 }),
        (max, steps) => {
          const cache = new ClientCache(max);
          const keys = Array.from({ length: 21 }, (_, id) => fakeKey(id));
          for (const key of keys) key.hasClient = false;
          for (const [op, index] of steps) {
            const key = keys[index]!;
            const asPoolKey = key as unknown as PoolKey;
            if (op === 'add' && !key.hasClient) {
              key.hasClient = true;
              cache.added(asPoolKey);
            } else if (op === 'use' && key.hasClient) key.clientUsed = true;
            else if (op === 'remove') cache.removed(asPoolKey);
          }
          const holding = keys.filter((key) => key.hasClient);
          expect(cache.size).toBe(holding.length);
          expect(cache.size).toBeLessThanOrEqual(max);
          // Every holder knows its slot; every other key knows it has none.
          const slots = holding.map((key) => key.clientSlot).sort((a, b) => a - b);
          expect(slots).toEqual(Array.from({ length: holding.length }, (_, slot) => slot));
          for (const key of keys) if (!key.hasClient) expect(key.clientSlot).toBe(-1);
        },
      ),
      { numRuns: 500 },
    );
  });
});
