import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from './errors';
import { createFailureHistory } from './failure-history';
import { createKeyPool } from './key-pool';
import { RingBuffer } from './ring-buffer';
import { FakeAdapter, FakeProviderError } from './testing/fake-adapter';

const T0 = 70_000_000;
const SECRET = 'sk-history-SECRET-0123456789abcdef';

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('failure history', () => {
  it('keeps the last N failures of each key with time, category, status, code and the scrubbed message', async () => {
    const pool = createKeyPool({
      adapter: new FakeAdapter({ provider: 'openai' }),
      keys: [
        { id: 'k0', secret: SECRET },
        { id: 'k1', secret: 'sk-history-other-0123456789abcdef' },
      ],
    });
    const history = createFailureHistory(pool, { size: 3 });
    for (let index = 0; index < 5; index++) {
      vi.setSystemTime(T0 + index * 1_000);
      await pool
        .execute(
          async (_client, key) => {
            if (key.id === 'k0')
              throw new FakeProviderError(
                'timeout',
                { status: 504 },
                `attempt ${index} failed for key ${SECRET}`,
              );
            return 'ok';
          },
          { maxAttempts: 1, affinity: 'always-k0' },
        )
        .catch(() => undefined);
    }
    const k0 = history.of('k0');
    expect(k0.length).toBeGreaterThan(0);
    expect(k0.length).toBeLessThanOrEqual(3);
    expect(k0.at(-1)).toMatchObject({ category: 'timeout', status: 504, attempt: 1 });
    expect(k0.at(-1)?.at).toBeGreaterThanOrEqual(T0);
    expect(JSON.stringify(history.toJSON())).not.toContain(SECRET);
    expect(history.of('nobody')).toEqual([]);
    history.close();
  });

  it('is bounded per key, cuts long messages, forgets removed keys and stops on close', async () => {
    const pool = createKeyPool({
      adapter: new FakeAdapter({ provider: 'openai' }),
      keys: [
        { id: 'k0', secret: 'sk-history-a-0123456789abcdef' },
        { id: 'k1', secret: 'sk-history-b-0123456789abcdef' },
      ],
    });
    const history = createFailureHistory(pool, { size: 2, maxMessageLength: 20 });
    const failOn = (id: string, message: string) =>
      pool
        .execute(
          async (_client, key) => {
            if (key.id === id) throw new FakeProviderError('timeout', {}, message);
          },
          { maxAttempts: 1 },
        )
        .catch(() => undefined);
    for (let index = 0; index < 12; index++)
      await failOn(index % 2 === 0 ? 'k0' : 'k1', `failure number ${index} with a long tail`);
    const all = history.toJSON();
    for (const records of Object.values(all)) {
      expect(records.length).toBeLessThanOrEqual(2);
      for (const record of records) expect(record.message.length).toBeLessThanOrEqual(20);
    }
    await pool.removeKey('k1');
    expect(history.of('k1')).toEqual([]);
    history.close();
    const before = JSON.stringify(history.toJSON());
    await failOn('k0', 'after close');
    expect(JSON.stringify(history.toJSON())).toBe(before);
  });

  it('rejects a size that is not a positive integer', () => {
    const pool = createKeyPool({
      adapter: new FakeAdapter(),
      keys: [{ id: 'k0', secret: 'sk-history-c-0123456789' }],
    });
    expect(() => createFailureHistory(pool, { size: 0 })).toThrow(ConfigError);
    expect(() => createFailureHistory(pool, { size: 0 })).toThrow(/size: expected an integer/);
  });
});

describe('ring buffer', () => {
  it('keeps the newest items up to its capacity, oldest first', () => {
    const ring = new RingBuffer<number>(3);
    for (let value = 1; value <= 7; value++) ring.push(value);
    expect(ring.toArray()).toEqual([5, 6, 7]);
    ring.dropWhile((value) => value < 6);
    expect(ring.toArray()).toEqual([6, 7]);
    ring.push(8);
    ring.push(9);
    expect(ring.toArray()).toEqual([7, 8, 9]);
    expect(ring.size).toBe(3);
  });
});
