import type { StateStore } from '@keypool/core';
import { runStoreConformance } from '@keypool/core/testing';
import { afterAll, beforeAll } from 'vitest';
import { createRedisStore, type RedisStateStore } from '../src/index';
import { startRedis, type TestRedis } from './redis-server.ts';

let redis: TestRedis;
let serial = 0;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis.stop();
});

runStoreConformance({
  name: '@keypool/redis',
  // A generous timeout: this suite checks semantics, not fail-open (a loaded CI machine must not degrade it).
  createStore: () =>
    createRedisStore({ redis: redis.url, prefix: `conformance${++serial}`, timeoutMs: 5_000 }),
  destroyStore: async (store: StateStore) => {
    const redisStore = store as RedisStateStore;
    if (redisStore.degraded) throw new Error('the store degraded during a conformance test');
    await redisStore.close();
  },
});
