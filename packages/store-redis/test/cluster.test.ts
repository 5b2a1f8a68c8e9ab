import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createKeyPool, fingerprintSecret, type StoreKey } from '@keypool/core';
import { FakeAdapter } from '@keypool/core/testing';
import { startEmulator } from '@keypool/emulator';
import { createOpenAIPool } from '@keypool/openai';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore, type RedisStateStore } from '../src/index';
import { RECORD_SCRIPT } from '../src/scripts/record-script';
import { clusterMasters, startCluster, type TestCluster } from './redis-cluster.ts';

// A real Redis Cluster (3 masters, 3 replicas) on 127.0.0.1, started and stopped here. Never skipped: without
// redis-server the suite fails and says so (CI installs Redis).

const WINDOWS = { minuteMs: 1_000, dayMs: 10_000 };
const PREFIXES = ['openai', 'anthropic', 'gemini', 'groq', 'mistral', 'cohere'];

let cluster: TestCluster;
let client: Cluster;
const stores: RedisStateStore[] = [];

function store(prefix: string, options: Parameters<typeof createRedisStore>[0] = {}): RedisStateStore {
  // The timeout is above a failover's length: the store waits for the promoted replica instead of serving locally.
  const created = createRedisStore({ redis: client, prefix, timeoutMs: 10_000, pubsub: false, ...options });
  stores.push(created);
  return created;
}

function secrets(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `sk-${prefix}-cluster-secret-${index}-abcdefghijklmnop`);
}

function pool(prefix: string, redisStore: RedisStateStore, keys: number) {
  const adapter = new FakeAdapter();
  const created = createKeyPool({
    adapter,
    keys: secrets(prefix, keys).map((secret, index) => ({ id: `${prefix}-${index}`, secret })),
    store: redisStore,
    windowMs: 1_000,
  });
  const call = () =>
    created.execute((sdk) =>
      adapter.call(sdk, { signal: new AbortController().signal, reportRateLimit() {}, reportUsage() {} }),
    );
  return { pool: created, call };
}

/** The requests and successes Redis holds for a pool's keys (calls name no model: scope `*`), summed. */
async function storedCounts(prefix: string, redisStore: RedisStateStore, keys: number) {
  let requests = 0;
  let successes = 0;
  for (const secret of secrets(prefix, keys)) {
    const stored = await client.get(redisStore.names.key(`${fingerprintSecret(secret)}~*`));
    if (!stored) continue;
    const state = (JSON.parse(stored) as { s: { requests?: number; successes?: number } }).s;
    requests += state.requests ?? 0;
    successes += state.successes ?? 0;
  }
  return { requests, successes };
}

async function slotOf(name: string): Promise<number> {
  return (await client.cluster('KEYSLOT', name)) as number;
}

async function ownerOf(slot: number) {
  const masters = await clusterMasters(cluster, cluster.nodes[0]!.port);
  const owner = masters.find((master) => master.slots.some(([from, to]) => slot >= from && slot <= to));
  if (!owner) throw new Error(`no master serves slot ${slot}`);
  return owner;
}

/** Runs `call` from `workers` concurrent loops until `until` resolves; counts the calls that succeeded and failed. */
async function load(
  call: () => Promise<unknown>,
  workers: number,
  until: Promise<void>,
): Promise<{ calls: number; failures: number }> {
  let done = false;
  void until.then(() => {
    done = true;
  });
  let calls = 0;
  let failures = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!done) {
        try {
          await call();
          calls++;
        } catch {
          failures++;
        }
      }
    }),
  );
  return { calls, failures };
}

beforeAll(async () => {
  cluster = await startCluster();
  client = new Cluster([...cluster.startupNodes], { retryDelayOnFailover: 50, retryDelayOnClusterDown: 50 });
  // A young cluster may refuse the first slot refresh: ioredis retries; only no 'ready' within 30 s fails the suite.
  const errors: string[] = [];
  client.on('error', (error: Error) => errors.push(error.message));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the cluster client was not ready after 30 s: ${errors.join('; ')}`)),
      30_000,
    );
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}, 90_000);

afterAll(async () => {
  await Promise.all(stores.map((created) => created.close()));
  client?.disconnect();
  await cluster?.stop();
});

describe('one hash tag per pool on a Redis Cluster', () => {
  it('keeps every key of a pool in its own slot, and spreads pools with different prefixes over the shards', async () => {
    const slots = new Map<string, number>();
    for (const prefix of PREFIXES) {
      const names = store(prefix).names;
      const pool = await Promise.all(
        secrets(prefix, 3).map((secret) => slotOf(names.key(fingerprintSecret(secret)))),
      );
      expect(new Set(pool).size, prefix).toBe(1);
      expect(names.base).toBe(`{${prefix}}`);
      slots.set(prefix, pool[0]!);
    }
    expect(new Set(slots.values()).size).toBe(PREFIXES.length);
    const shards = new Set(
      await Promise.all([...slots.values()].map(async (slot) => (await ownerOf(slot)).port)),
    );
    expect(shards.size).toBe(3);
  });

  it('spreads pools with explicit tags under one shared prefix over the shards too', async () => {
    const slots = await Promise.all(
      PREFIXES.map(async (tag) => {
        const names = store('keypool', { hashTag: tag }).names;
        expect(names.key('f')).toBe(`keypool:{${tag}}:key:f`);
        return slotOf(names.key('f'));
      }),
    );
    expect(new Set(slots).size).toBe(PREFIXES.length);
    const shards = new Set(await Promise.all(slots.map(async (slot) => (await ownerOf(slot)).port)));
    expect(shards.size).toBeGreaterThan(1);
  });

  it("tells another process's store about a cooled key over the cluster's pub/sub", async () => {
    const watcher = store('pubsub', { pubsub: true });
    const writer = store('pubsub', { pubsub: true });
    const key: StoreKey = { fingerprint: 'pubsub-a', limits: {} };
    await watcher.register([key], WINDOWS);
    await writer.register([key], WINDOWS);
    const seen: { fingerprint: string; cooldownUntil: number }[] = [];
    watcher.subscribe((fingerprint, view) => seen.push({ fingerprint, cooldownUntil: view.cooldownUntil }));
    const now = Date.now();
    // The subscription is asynchronous: keep cooling until the watcher hears one.
    await expect
      .poll(
        async () => {
          await writer.reserve(key, { requests: 1, tokens: 0 }, now);
          await writer.record(key, {
            now,
            outcome: 'failure',
            category: 'rate_limit',
            reservedTokens: 0,
            latencyMs: 1,
            probe: false,
            cooldownUntil: now + 30_000,
          });
          return seen.length;
        },
        { timeout: 5_000, interval: 100 },
      )
      .toBeGreaterThan(0);
    expect(seen[0]).toEqual({ fingerprint: 'pubsub-a', cooldownUntil: now + 30_000 });
  });

  it('counts every call through pools on the cluster exactly, each pool on the master that owns its slot', async () => {
    const prefixes = ['openai', 'anthropic', 'gemini'];
    const pools = prefixes.map((prefix) => ({ prefix, store: store(prefix) }));
    const running = pools.map(({ prefix, store: redisStore }) => ({
      prefix,
      redisStore,
      ...pool(prefix, redisStore, 4),
    }));
    const perPool = 60;
    await Promise.all(
      running.map(async ({ call }) => {
        for (let batch = 0; batch < perPool / 6; batch++) await Promise.all(Array.from({ length: 6 }, call));
      }),
    );
    for (const { prefix, redisStore, pool: keyPool } of running) {
      // The pool writes its record after the call returns: wait for the last ones.
      await expect
        .poll(() => storedCounts(prefix, redisStore, 4), { timeout: 5_000 })
        .toEqual({
          requests: perPool,
          successes: perPool,
        });
      const slot = await slotOf(redisStore.names.key('x'));
      const owner = await ownerOf(slot);
      expect(Number(await cluster.cli(owner.port, 'cluster', 'countkeysinslot', String(slot)))).toBe(4);
      expect(redisStore.degraded).toBe(false);
      await keyPool.close();
    }
  });

  it('cools a whole quota group in one script: several keys, one slot', async () => {
    const redisStore = store('grouped');
    const group: StoreKey[] = ['a', 'b', 'c'].map((name) => ({ fingerprint: `group-${name}`, limits: {} }));
    await redisStore.register(group, WINDOWS);
    const now = Date.now();
    const reserved = await redisStore.reserve(group[0]!, { requests: 1, tokens: 0 }, now);
    expect(reserved.ok).toBe(true);
    await redisStore.record(group[0]!, {
      now,
      outcome: 'failure',
      category: 'quota_exhausted',
      reservedTokens: 0,
      latencyMs: 1,
      probe: false,
      cooldownUntil: now + 60_000,
      group,
    });
    const views = await redisStore.read(group, now + 1);
    expect(views.map((view) => view.cooldownUntil)).toEqual([now + 60_000, now + 60_000, now + 60_000]);
    expect(redisStore.degraded).toBe(false);
  });
});

describe('the latency path', () => {
  it('awaits one round trip per call (reserve): the record is written after the call returns', async () => {
    // The real cluster client, with every record script held back 2 s on its way to Redis.
    const recordSha = createHash('sha1').update(RECORD_SCRIPT).digest('hex');
    const slowRecords = new Proxy(client, {
      get(target, property) {
        const value = Reflect.get(target, property, target);
        if (property !== 'evalsha') return typeof value === 'function' ? value.bind(target) : value;
        return async (sha: string, keyCount: number, ...rest: (string | number)[]) => {
          if (sha === recordSha) await new Promise((resolve) => setTimeout(resolve, 2_000));
          return target.evalsha(sha, keyCount, ...rest);
        };
      },
    });
    const prefix = 'latency';
    const redisStore = store(prefix, { redis: slowRecords });
    const { pool: keyPool, call } = pool(prefix, redisStore, 2);
    const started = performance.now();
    for (let index = 0; index < 10; index++) await call();
    expect(performance.now() - started).toBeLessThan(1_500);
    expect((await storedCounts(prefix, redisStore, 2)).successes).toBeLessThan(10);
    // Nothing is lost for being late.
    await expect
      .poll(() => storedCounts(prefix, redisStore, 2), { timeout: 8_000 })
      .toEqual({ requests: 10, successes: 10 });
    await keyPool.close();
  });
});

describe('failover', () => {
  it('promotes a replica during load: nothing lost, nothing counted twice', async () => {
    const prefix = 'failover';
    const redisStore = store(prefix);
    const degraded: string[] = [];
    redisStore.on('store.degraded', (event) => degraded.push(event.message));
    const { pool: keyPool, call } = pool(prefix, redisStore, 4);
    const slot = await slotOf(redisStore.names.key('x'));
    const before = await ownerOf(slot);
    const replica = before.replicas[0]!;
    let stop!: () => void;
    const until = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const running = load(call, 8, until);
    // A failed step stops the load too, so the test fails instead of hanging.
    let afterPromotion = 0;
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const callsBefore = (await storedCounts(prefix, redisStore, 4)).requests;
      expect(callsBefore).toBeGreaterThan(0);
      // The replica takes over its master's slots (a manual failover: the master hands over, clients get MOVED).
      expect((await cluster.cli(replica, 'cluster', 'failover')).trim()).toBe('OK');
      await expect
        .poll(async () => (await cluster.cli(replica, 'role')).split('\n')[0], {
          timeout: 15_000,
          interval: 100,
        })
        .toBe('master');
      await expect
        .poll(async () => (await ownerOf(slot)).port, { timeout: 15_000, interval: 100 })
        .toBe(replica);
      // Keep calling on the new master for a while, then stop.
      afterPromotion = (await storedCounts(prefix, redisStore, 4)).requests;
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      stop();
    }
    const { calls, failures } = await running;
    expect(failures).toBe(0);
    expect(calls).toBeGreaterThan(afterPromotion);
    await expect
      .poll(() => storedCounts(prefix, redisStore, 4), { timeout: 5_000 })
      .toEqual({
        requests: calls,
        successes: calls,
      });
    expect(degraded).toEqual([]);
    await keyPool.close();
  }, 60_000);
});

describe('README', () => {
  it('runs the Redis Cluster example as written there (console.log collected)', async () => {
    const emulator = await startEmulator({ acceptAnyKey: true });
    process.env.REDIS_CLUSTER = cluster.startupNodes.map((node) => `${node.host}:${node.port}`).join(',');
    process.env.OPENAI_BASE_URL = emulator.baseURLs.openai;
    process.env.OPENAI_API_KEY = 'sk-readme-cluster-0000000000000000';
    const log: unknown[] = [];
    try {
      // --- README example start
      // REDIS_CLUSTER: some of the cluster's nodes, `host:port,host:port`.
      const nodes = (process.env.REDIS_CLUSTER ?? '127.0.0.1:7000').split(',').map((node) => {
        const [host, port] = node.split(':');
        return { host: host ?? '127.0.0.1', port: Number(port) };
      });
      const redis = new Cluster(nodes);
      // One store per pool, one hash tag per store: this pool lives in the slot of `{openai-prod}`.
      const store = createRedisStore({ redis, prefix: 'openai-prod', timeoutMs: 5_000 });
      const pool = createOpenAIPool({
        keys: [{ id: 'main', secret: process.env.OPENAI_API_KEY ?? '' }],
        store,
        clientOptions: { baseURL: process.env.OPENAI_BASE_URL },
      });
      const completion = await pool.client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Hello from a cluster' }],
      });
      log.push(completion.choices[0]?.message.content, store.names.key('<fingerprint>'));
      await pool.close();
      await store.close();
      redis.disconnect();
      // --- README example end
    } finally {
      delete process.env.REDIS_CLUSTER;
      delete process.env.OPENAI_BASE_URL;
      delete process.env.OPENAI_API_KEY;
      await emulator.close();
    }
    expect(log).toEqual(['Echo: Hello from a cluster', '{openai-prod}:key:<fingerprint>']);
    // The code above is the README's, line for line (imports aside, console.log as log.push).
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Redis Cluster'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)![1]!;
    const readmeLines = block
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('import '))
      .map((line) => line.trim().replace('console.log(', 'log.push('));
    const source = readFileSync(new URL(import.meta.url), 'utf8');
    const example = source.slice(
      source.indexOf('// --- README example start\n'),
      source.indexOf('// --- README example end'),
    );
    const testLines = example
      .split('\n')
      .slice(1)
      .map((line) => line.trim())
      .filter((line) => line !== '');
    expect(testLines).toEqual(readmeLines);
  });
});
