import { fingerprintSecret, type StoreKey } from '@keypool/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FailOpen } from '../src/fail-open';
import { createRedisStore, type RedisStateStore } from '../src/index';
import { canControlRedis, startRedis, type TestRedis } from './redis-server.ts';

// Calls a process sent while Redis was away still count against the provider's window after Redis returns: the
// process hands its local window units to Redis on rejoin, so another process cannot send a whole window again.

const WINDOWS = { minuteMs: 20_000, dayMs: 86_400_000 };
const KEY: StoreKey = {
  fingerprint: fingerprintSecret('sk-rejoin-counts-aaaaaaaaaaaa'),
  limits: { rpm: 20 },
};
const cost = { requests: 1, tokens: 0 };

function store(url: string, prefix: string): RedisStateStore {
  return createRedisStore({
    redis: url,
    prefix,
    timeoutMs: 150,
    connectTimeoutMs: 300,
    healthCheck: { initialDelayMs: 50, maxDelayMs: 200 },
  });
}

/** Reserves until the store refuses; how many it granted. */
async function grantedUntilFull(target: RedisStateStore, limit = 40): Promise<number> {
  let granted = 0;
  while (granted < limit && (await target.reserve(KEY, cost, Date.now())).ok) granted++;
  return granted;
}

describe.skipIf(!canControlRedis)('rejoin hands the outage counts to Redis', () => {
  let redis: TestRedis;
  const stores: RedisStateStore[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(stores.map((entry) => entry.close()));
    await redis.stop();
  });

  it('a restarted (empty) Redis learns what was sent during the outage: the window stays full', async () => {
    const prefix = `rejoincounts${Date.now()}`;
    const first = store(redis.url, prefix);
    stores.push(first);
    await first.register([KEY], WINDOWS);
    expect(first.degraded).toBe(false);

    await redis.kill();
    // 15 sent while Redis is away: the first process fails over to its local counts.
    for (let index = 0; index < 15; index++)
      expect((await first.reserve(KEY, cost, Date.now())).ok).toBe(true);
    expect(first.degraded).toBe(true);
    const recovered = new Promise((resolve) => first.on('store.recovered', resolve));
    await redis.restart();
    await recovered;

    // The second process joins after the restart: 20 per window, 15 of them already sent.
    const second = store(redis.url, prefix);
    stores.push(second);
    await second.register([KEY], WINDOWS);
    expect(second.degraded).toBe(false);
    expect(await grantedUntilFull(second)).toBe(5);
    // The first process, back on Redis, sees the same full window.
    expect(first.degraded).toBe(false);
    expect((await first.reserve(KEY, cost, Date.now())).ok).toBe(false);
  });

  it('with Redis kept (a blip, not a restart), the outage counts add to what Redis already held', async () => {
    const prefix = `rejoinblip${Date.now()}`;
    const first = store(redis.url, prefix);
    const second = store(redis.url, prefix);
    stores.push(first, second);
    await Promise.all([first.register([KEY], WINDOWS), second.register([KEY], WINDOWS)]);
    for (let index = 0; index < 6; index++)
      expect((await second.reserve(KEY, cost, Date.now())).ok).toBe(true);

    // Only the first loses Redis: it is degraded by hand, as a timeout would do, and counts 8 locally.
    (first as unknown as { failOpen: FailOpen }).failOpen.degrade('reserve', new Error('timeout'));
    for (let index = 0; index < 8; index++)
      expect((await first.reserve(KEY, cost, Date.now())).ok).toBe(true);
    await expect.poll(() => first.degraded, { timeout: 3_000 }).toBe(false);

    expect(await grantedUntilFull(second)).toBe(20 - 6 - 8);
  });
});
