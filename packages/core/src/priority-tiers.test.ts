import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeyBindings } from './key-bindings';
import { createKeyPool } from './key-pool';
import { prioritySelector } from './selectors';
import { FakeAdapter } from './testing/fake-adapter';

const request = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };

/** 10,000 keys in three tiers through the pool (every tenth without a priority). */
function bigPool(adapter: FakeAdapter) {
  return createKeyPool({
    adapter,
    strategy: 'priority',
    keys: Array.from({ length: 10_000 }, (_, index) => ({
      id: `k${index}`,
      secret: `sk-test-tier-${String(index).padStart(8, '0')}-abcdef`,
      ...(index % 10 === 9 ? {} : { priority: index % 3 }),
    })),
  });
}

describe('the priority strategy at scale: a pick reads the best tier, not every key', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('ranks each key once when it becomes ready, not once per call (10,000 keys, 3 tiers)', async () => {
    const adapter = new FakeAdapter();
    const pool = bigPool(adapter);
    for (let index = 0; index < 20; index++) await pool.chat(request);
    const rank = vi.spyOn(KeyBindings.prototype, 'rank');
    const served: string[] = [];
    for (let index = 0; index < 200; index++) served.push((await pool.chat(request)).keyId);
    // Before the tiers were indexed, every call ranked every ready key: 2,000,000 reads here.
    expect(rank.mock.calls.length).toBeLessThan(200);
    // Tier 0 (priority 0: k0, k3, k6, ...) shares the load in turn; no other tier is used.
    const numbers = served.map((id) => Number(id.slice(1)));
    expect(numbers.every((n) => n % 3 === 0 && n % 10 !== 9)).toBe(true);
    expect(new Set(served).size).toBe(200);
    for (let index = 1; index < numbers.length; index++)
      expect(numbers[index]).toBeGreaterThan(numbers[index - 1]!);
  });

  it('picks exactly what one scan of every ready key picks, through failures, primaries and priority changes', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      let seed = 7;
      const random = () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        return seed / 2_147_483_648;
      };
      const secret = (index: number) => `sk-test-diff-${String(index).padStart(6, '0')}-abcdef`;
      const priorityOf = () => {
        const roll = Math.floor(random() * 4);
        return roll === 3 ? {} : { priority: roll };
      };
      const keys = Array.from({ length: 60 }, (_, index) => ({
        id: `k${index}`,
        secret: secret(index),
        ...priorityOf(),
      }));
      const tiered = new FakeAdapter();
      const scanned = new FakeAdapter();
      const inner = prioritySelector();
      // maxWaitMs 0: with every key cooling a call fails at once instead of waiting on a fake timer.
      const options = { keys, random: () => 0.5, cooldown: { jitter: 0 }, maxWaitMs: 0 };
      const withTiers = createKeyPool({ ...options, adapter: tiered, strategy: 'priority' });
      // The same strategy handed a copy of the ready list: no index, so it scans every key (the reference).
      const byScan = createKeyPool({
        ...options,
        adapter: scanned,
        strategy: { name: 'priority', select: (list, context) => inner.select([...list], context) },
      });
      const outcomes = new Set<string>();
      for (let step = 0; step < 400; step++) {
        const roll = random();
        const key = Math.floor(random() * keys.length);
        if (roll < 0.1) {
          for (const adapter of [tiered, scanned])
            adapter.script(secret(key), { type: 'error', category: 'rate_limit' });
        } else if (roll < 0.14) {
          for (const pool of [withTiers, byScan]) pool.setPrimaryKey(`k${key}`);
        } else if (roll < 0.18) {
          const changed = { id: `k${key}`, secret: secret(key), ...priorityOf() };
          for (const pool of [withTiers, byScan]) await pool.updateKey(changed);
        } else if (roll < 0.21) {
          for (const pool of [withTiers, byScan]) await pool.disableKey(`k${key}`);
        } else if (roll < 0.24) {
          for (const pool of [withTiers, byScan]) await pool.enableKey(`k${key}`);
        } else if (roll < 0.3) {
          await vi.advanceTimersByTimeAsync(5_000);
        }
        const [a, b] = await Promise.all([
          withTiers.chat(request).then(
            (answer) => answer.keyId,
            (error: Error) => error.name,
          ),
          byScan.chat(request).then(
            (answer) => answer.keyId,
            (error: Error) => error.name,
          ),
        ]);
        expect(a, `step ${step}`).toBe(b);
        outcomes.add(a);
      }
      expect(outcomes.size).toBeGreaterThan(10); // many keys served (and some calls found none)
      expect(tiered.calls.map((call) => call.secret)).toEqual(scanned.calls.map((call) => call.secret));
    } finally {
      vi.useRealTimers();
    }
  }, 30_000);
});
