import { createKeyPool, fingerprintSecret, type KeyPool } from '@keypool/core';
import { FakeAdapter, type FakeClient } from '@keypool/core/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore, type RedisStateStore, type RedisStoreEvents } from '../src/index';
import { canControlRedis, freePort, startRedis, type TestRedis } from './redis-server.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SECRETS = [
  'sk-failopen-aaaaaaaaaaaaaaaa',
  'sk-failopen-bbbbbbbbbbbbbbbb',
  'sk-failopen-cccccccccccccccc',
];
const FINGERPRINTS = SECRETS.map(fingerprintSecret);

interface Harness {
  store: RedisStateStore;
  pool: KeyPool<FakeClient>;
  adapter: FakeAdapter;
  events: { type: keyof RedisStoreEvents; at: number; replayed?: number }[];
}

function harness(url: string, prefix: string, extra: Parameters<typeof createRedisStore>[0] = {}): Harness {
  const store = createRedisStore({
    redis: url,
    prefix,
    // Long enough that a loaded CI machine does not flap, far shorter than the outages below.
    timeoutMs: 150,
    connectTimeoutMs: 300,
    healthCheck: { initialDelayMs: 50, maxDelayMs: 200 },
    ...extra,
  });
  const events: Harness['events'] = [];
  store.on('store.degraded', (event) => events.push({ type: 'store.degraded', at: event.at }));
  store.on('store.recovered', (event) =>
    events.push({ type: 'store.recovered', at: event.at, replayed: event.replayed }),
  );
  const adapter = new FakeAdapter();
  const pool = createKeyPool({
    adapter,
    keys: SECRETS.map((secret, index) => ({ id: `k${index}`, secret })),
    store,
    windowMs: 1_000,
  });
  return { store, pool, adapter, events };
}

const call = (h: Harness) =>
  h.pool.execute((client, key) =>
    h.adapter.call(client, { signal: key.signal, reportRateLimit() {}, reportUsage() {} }),
  );

/** Calls the pool back to back until `stop()`; counts what succeeded and failed. */
function load(h: Harness) {
  const stats = { ok: 0, failed: 0, errors: [] as unknown[], slowest: 0 };
  let running = true;
  const done = (async () => {
    while (running) {
      const started = performance.now();
      try {
        await call(h);
        stats.ok++;
      } catch (error) {
        stats.failed++;
        stats.errors.push(error);
      }
      stats.slowest = Math.max(stats.slowest, performance.now() - started);
      await sleep(2);
    }
  })();
  return {
    stats,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

describe.skipIf(!canControlRedis)('fail-open', () => {
  let redis: TestRedis;
  let admin: Redis;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url, { lazyConnect: true, enableOfflineQueue: true, maxRetriesPerRequest: null });
    admin.on('error', () => undefined);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  afterAll(async () => {
    admin.disconnect();
    await redis.stop();
  });

  it('keeps serving when Redis dies, rejoins when it is back, and replays outage disables without counts', async () => {
    const h = harness(redis.url, 'outage');
    cleanups.push(() => h.store.close());
    await h.pool.whenReady();
    const running = load(h);
    await expect.poll(() => running.stats.ok, { timeout: 3_000 }).toBeGreaterThan(5);

    await redis.kill();
    await expect.poll(() => h.store.degraded, { timeout: 2_000 }).toBe(true);
    const okAtOutage = running.stats.ok;
    // During the outage key 1 is revoked: the pool disables it locally.
    h.adapter.always(SECRETS[1]!, { type: 'error', category: 'auth', message: 'invalid api key' });
    await expect.poll(() => running.stats.ok - okAtOutage, { timeout: 3_000 }).toBeGreaterThan(10);

    await redis.restart();
    await expect
      .poll(() => h.events.some((event) => event.type === 'store.recovered'), { timeout: 3_000 })
      .toBe(true);
    await running.stop();
    expect(running.stats.failed).toBe(0);
    expect(h.events[0]!.type).toBe('store.degraded');
    const recovered = h.events.filter((event) => event.type === 'store.recovered');
    expect(recovered.reduce((sum, event) => sum + (event.replayed ?? 0), 0)).toBeGreaterThanOrEqual(1);
    await expect.poll(() => h.store.degraded, { timeout: 3_000 }).toBe(false);

    // The outage's disable reached Redis; the outage's reservations did not (the restarted Redis was empty).
    const [, revoked] = await h.store.read(
      FINGERPRINTS.map((fingerprint) => ({ fingerprint, limits: {} })),
      Date.now(),
    );
    expect(revoked?.status).toBe('disabled');
    const before = await sumRequests(h.store);
    for (let index = 0; index < 10; index++) await call(h);
    expect(h.store.degraded).toBe(false);
    expect((await sumRequests(h.store)) - before).toBe(10);
  });

  it('keeps calls flowing while Redis is paused longer than timeoutMs, and leaks no in-flight slot', async () => {
    const h = harness(redis.url, 'paused');
    cleanups.push(() => h.store.close());
    await h.pool.whenReady();
    await admin.connect().catch(() => undefined);
    const running = load(h);
    await sleep(100);
    await admin.client('PAUSE', 900, 'ALL');
    await sleep(50);
    const okAtPause = running.stats.ok;
    await sleep(600);
    // A paused Redis answers nothing: every call in the pause was served by the local fallback.
    expect(running.stats.ok - okAtPause).toBeGreaterThan(20);
    expect(h.store.degraded).toBe(true);
    await expect
      .poll(() => h.events.some((event) => event.type === 'store.recovered'), { timeout: 3_000 })
      .toBe(true);
    await running.stop();
    expect(running.stats.failed).toBe(0);
    // A call never waited much longer than timeoutMs for Redis (generous bound for a loaded CI machine).
    expect(running.stats.slowest).toBeLessThan(600);
    // Reservations Redis applied after the pause were handed back: nothing stays in flight.
    await sleep(100);
    const views = await h.store.read(
      FINGERPRINTS.map((fingerprint) => ({ fingerprint, limits: {} })),
      Date.now(),
    );
    expect(views.map((view) => view.inFlight)).toEqual([0, 0, 0]);
  });

  it('starts degraded when Redis is not there yet, and joins once it is', async () => {
    const port = await freePort();
    const h = harness(`redis://127.0.0.1:${port}`, 'late');
    cleanups.push(() => h.store.close());
    await h.pool.whenReady();
    expect(h.store.degraded).toBe(true);
    await call(h);
    const late = await startRedisOn(port);
    cleanups.push(late);
    await expect.poll(() => h.store.degraded, { timeout: 5_000 }).toBe(false);
    await call(h);
    expect(await sumRequests(h.store)).toBe(1);
  });
});

describe('the local fallback', () => {
  it('hands out copies: the engine adjusting a view in place does not corrupt local state', async () => {
    const port = await freePort();
    const store = createRedisStore({ redis: `redis://127.0.0.1:${port}`, connectTimeoutMs: 100 });
    try {
      const key = { fingerprint: 'copies', limits: { rpm: 10 } };
      await store.register([key], { minuteMs: 1_000, dayMs: 10_000 });
      expect(store.degraded).toBe(true);
      const now = Date.now();
      const first = await store.reserve(key, { requests: 1, tokens: 0 }, now);
      await store.reserve(key, { requests: 1, tokens: 0 }, now);
      // What the engine does to a networked store's view before its record is written through.
      first.view.inFlight = Math.max(0, first.view.inFlight - 1);
      const recorded = await store.record(key, {
        now,
        outcome: 'success',
        reservedTokens: 0,
        latencyMs: 1,
        probe: false,
      });
      expect(recorded.view.inFlight).toBe(1);
      expect(recorded.view.requests).toBe(2);
    } finally {
      await store.close();
    }
  });
});

async function sumRequests(store: RedisStateStore): Promise<number> {
  // Requests are counted per key and model scope; these calls name no model, so their scope is `*`.
  const views = await store.read(
    FINGERPRINTS.map((fingerprint) => ({ fingerprint: `${fingerprint}~*`, limits: {} })),
    Date.now(),
  );
  return views.reduce((sum, view) => sum + view.requests, 0);
}

async function startRedisOn(port: number): Promise<() => Promise<void>> {
  const { spawn } = await import('node:child_process');
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const probe = new Redis(`redis://127.0.0.1:${port}`, { retryStrategy: () => 20 });
  probe.on('error', () => undefined);
  await probe.ping();
  probe.disconnect();
  return async () => {
    child.kill('SIGKILL');
    await new Promise((resolve) =>
      child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve),
    );
  };
}
