import { createKeyPool, fingerprintSecret, type KeyStateView, type StoreKey } from '@keypool/core';
import { FakeAdapter } from '@keypool/core/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore, type RedisStateStore } from '../src/index';
import { startRedis, type TestRedis } from './redis-server.ts';

const WINDOWS = { minuteMs: 1_000, dayMs: 10_000 };
const T0 = 1_700_000_000_000;

let redis: TestRedis;
let admin: Redis;
const stores: RedisStateStore[] = [];
let serial = 0;

function store(options: Parameters<typeof createRedisStore>[0] = {}): RedisStateStore {
  const created = createRedisStore({
    redis: redis.url,
    prefix: `unit${++serial}`,
    timeoutMs: 5_000,
    ...options,
  });
  stores.push(created);
  return created;
}

function key(limits: StoreKey['limits'] = {}): StoreKey {
  return { fingerprint: `fp${++serial}${Math.random().toString(16).slice(2, 8)}`, limits };
}

async function commandCalls(): Promise<Record<string, number>> {
  const info = await admin.info('commandstats');
  const calls: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[match[1]!] = Number(match[2]);
  return calls;
}

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url);
});

afterAll(async () => {
  await Promise.all(stores.map((created) => created.close()));
  admin.disconnect();
  await redis.stop();
});

describe('data layout', () => {
  it('keeps a key under the hash-tagged prefix, by fingerprint, and never the secret', async () => {
    const secret = 'sk-test-abcdefghijklmnopqrstuvwxyz123456';
    const adapter = new FakeAdapter();
    const redisStore = store({ prefix: 'layout' });
    const pool = createKeyPool({
      adapter,
      keys: [{ id: 'main', secret, limits: { rpm: 100, tpm: 10_000, rpd: 1_000 } }],
      store: redisStore,
      windowMs: 1_000,
    });
    await pool.execute((client) =>
      adapter.call(client, { signal: new AbortController().signal, reportRateLimit() {}, reportUsage() {} }),
    );
    const fingerprint = fingerprintSecret(secret);
    // One Redis key per API key and model scope (this call named no model: scope `*`), JSON { s: state fields,
    // w: { requests, tokens, day windows } }. The key-level entry (disabled, spent quota) is written when one happens.
    expect(await admin.keys('*layout*')).toEqual([`{layout}:key:${fingerprint}~*`]);
    // The pool writes its record through after the call returns: wait for it.
    const readStored = async () => (await admin.get(`{layout}:key:${fingerprint}~*`))!;
    await expect.poll(async () => JSON.parse(await readStored()).s.successes, { timeout: 2_000 }).toBe(1);
    const stored = await readStored();
    const doc = JSON.parse(stored) as { s: Record<string, unknown>; w: Record<string, number[]> };
    expect(doc.s).toMatchObject({ requests: 1, successes: 1 });
    expect(doc.s).not.toHaveProperty('inFlight'); // defaults are not stored
    expect(Object.keys(doc.w).sort()).toEqual(['day', 'requests', 'tokens']);
    // A window is [last slice, slice, units, ...]: the one request, counted in one slice.
    expect(doc.w.requests).toHaveLength(3);
    expect(doc.w.requests![2]).toBe(1);
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(secret.slice(3, 20));
    await pool.close();
  });

  it('uses the prefix as given without a hash tag, and keeps a tag the prefix already has', async () => {
    expect(store({ prefix: 'plain', hashTag: false }).names.key('f')).toBe('plain:key:f');
    expect(store({ prefix: 'app:{pool}' }).names.key('f')).toBe('app:{pool}:key:f');
    expect(store({ prefix: 'app' }).names.channel).toBe('app:events');
  });

  it('gives every key a TTL: a day past its cooldown, at least as long as its windows count', async () => {
    const redisStore = store({ stateTtlMs: 60_000, disabledTtlMs: 600_000 });
    const k = key({ rpm: 10 });
    await redisStore.register([k], WINDOWS);
    const now = Date.now();
    await redisStore.reserve(k, { requests: 1, tokens: 0 }, now);
    const state = redisStore.names.key(k.fingerprint);
    expect(await admin.pttl(state)).toBeGreaterThan(55_000);
    expect(await admin.pttl(state)).toBeLessThanOrEqual(60_000);
    // A day window (rpd) outlives a short state TTL: the key lives until its units stop counting.
    const short = store({ stateTtlMs: 1_000 });
    const daily = key({ rpd: 100 });
    await short.register([daily], WINDOWS);
    await short.reserve(daily, { requests: 1, tokens: 0 }, now);
    const dayTtl = await admin.pttl(short.names.key(daily.fingerprint));
    expect(dayTtl).toBeGreaterThan(10_000);
    expect(dayTtl).toBeLessThanOrEqual(Math.ceil(10_000 + 10_000 / 30) + 1_000);

    await redisStore.record(k, {
      now,
      outcome: 'failure',
      category: 'rate_limit',
      reservedTokens: 0,
      latencyMs: 1,
      probe: false,
      cooldownUntil: now + 30_000,
    });
    expect(await admin.pttl(state)).toBeGreaterThan(85_000);
    await redisStore.setStatus(k, { enabled: false, reason: 'revoked' }, now);
    expect(await admin.pttl(state)).toBeGreaterThan(595_000);
  });
});

describe('round trips', () => {
  it('costs one EVALSHA per reserve, per record, and per batched read', async () => {
    const redisStore = store();
    const keys = [key({ rpm: 100 }), key({ tpm: 1_000 }), key()];
    await redisStore.register(keys, WINDOWS);
    // Load the scripts first (the first use of a script is EVALSHA, NOSCRIPT, EVAL).
    await redisStore.reserve(keys[0]!, { requests: 1, tokens: 0 }, T0);
    await redisStore.record(keys[0]!, {
      now: T0,
      outcome: 'success',
      reservedTokens: 0,
      latencyMs: 1,
      probe: false,
    });
    await redisStore.read(keys, T0);
    const before = await commandCalls();
    for (let index = 0; index < 20; index++) {
      const k = keys[index % 3]!;
      await redisStore.reserve(k, { requests: 1, tokens: 5 }, T0 + index);
      await redisStore.record(k, {
        now: T0 + index,
        outcome: 'success',
        reservedTokens: 5,
        actualTokens: 3,
        latencyMs: 1,
        probe: false,
      });
    }
    await redisStore.read(keys, T0 + 50);
    const after = await commandCalls();
    const delta = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
    expect(delta('evalsha')).toBe(41);
    expect(delta('eval')).toBe(0);
  });
});

describe('pub/sub', () => {
  it('tells another process at once when a key is disabled, cooled or enabled, and not itself', async () => {
    const prefix = 'pubsub';
    const first = store({ prefix });
    const second = store({ prefix });
    const k = key();
    await first.register([k], WINDOWS);
    await second.register([k], WINDOWS);
    const seenBySecond: [string, KeyStateView][] = [];
    const seenByFirst: string[] = [];
    second.subscribe((fingerprint, view) => seenBySecond.push([fingerprint, view]));
    first.subscribe((fingerprint) => seenByFirst.push(fingerprint));
    await new Promise((resolve) => setTimeout(resolve, 200)); // SUBSCRIBE settles
    const now = Date.now();
    await first.reserve(k, { requests: 1, tokens: 0 }, now);
    await first.record(k, {
      now,
      outcome: 'failure',
      category: 'rate_limit',
      reservedTokens: 0,
      latencyMs: 1,
      probe: false,
      cooldownUntil: now + 5_000,
      reason: 'rate_limit: slow down',
    });
    await first.setStatus(k, { enabled: false, reason: 'revoked' }, now);
    await first.setStatus(k, { enabled: true, reset: true }, now);
    await expect.poll(() => seenBySecond.length, { timeout: 2_000 }).toBe(3);
    expect(seenBySecond.map(([fingerprint]) => fingerprint)).toEqual([
      k.fingerprint,
      k.fingerprint,
      k.fingerprint,
    ]);
    expect(seenBySecond[0]![1].cooldownUntil).toBe(now + 5_000);
    expect(seenBySecond[1]![1].status).toBe('disabled');
    expect(seenBySecond[2]![1].status).toBe('active');
    expect(seenByFirst).toEqual([]);
  });

  it('does not subscribe with pubsub off', async () => {
    const quiet = store({ pubsub: false });
    expect(quiet.subscribe(() => undefined)).toBeTypeOf('function');
  });
});

describe('shared state', () => {
  it("a 429 for one model cools that model's scope for every process; the key's other model stays served", async () => {
    const secret = 'sk-two-scopes-abcdefghijklmnopqrstuvwxyz';
    const prefix = 'scopes';
    const adapters = [new FakeAdapter(), new FakeAdapter()] as const;
    const pools = adapters.map((adapter) =>
      createKeyPool({
        adapter,
        keys: [{ id: 'one', secret }],
        store: store({ prefix }),
        windowMs: 1_000,
        maxWaitMs: 0,
      }),
    );
    const ask = (index: 0 | 1, model: string) =>
      pools[index]!.chat({ model, messages: [{ role: 'user', content: 'hi' }] }).then(
        (result) => result.keyId,
        (error: unknown) => error,
      );
    // Process 1 gets a 429 with a 5 s retry-after on gpt-a.
    adapters[0].script(secret, { type: 'error', category: 'rate_limit', hints: { retryAfterMs: 5_000 } });
    expect(await ask(0, 'gpt-a')).toMatchObject({ code: 'pool_exhausted' });
    // Process 2 learns it from Redis: gpt-a is cooling there too, gpt-b on the same key is served.
    await expect
      .poll(async () => (await ask(1, 'gpt-a')) as unknown, { timeout: 2_000 })
      .toMatchObject({
        code: 'pool_exhausted',
      });
    expect(await ask(1, 'gpt-b')).toBe('one');
    // Process 2 sent one request: gpt-b's. Nothing for gpt-a left it.
    expect(adapters[1].calls).toHaveLength(1);
    // Each scope has its own Redis entry; neither holds the secret.
    const fingerprint = fingerprintSecret(secret);
    const names = (await admin.keys(`{${prefix}}:key:${fingerprint}*`)).sort();
    expect(names).toEqual([`{${prefix}}:key:${fingerprint}~gpt-a`, `{${prefix}}:key:${fingerprint}~gpt-b`]);
    for (const name of names) expect(await admin.get(name)).not.toContain(secret);
    for (const pool of pools) await pool.close();
  });

  it('counts one limit across stores (processes) sharing a Redis', async () => {
    const prefix = 'shared';
    const members = [store({ prefix }), store({ prefix }), store({ prefix })];
    const k = key({ rpm: 7 });
    for (const member of members) await member.register([k], WINDOWS);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        members[index % 3]!.reserve(k, { requests: 1, tokens: 0 }, T0),
      ),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(7);
  });

  it('counts a request until one window after its attempt is recorded (countUntilRecorded)', async () => {
    const counting = store();
    const exact = store({ countUntilRecorded: false });
    for (const redisStore of [counting, exact]) {
      const k = key({ rpm: 1 });
      await redisStore.register([k], WINDOWS);
      expect((await redisStore.reserve(k, { requests: 1, tokens: 0 }, T0)).ok).toBe(true);
      // The answer came 600 ms later: the provider saw the request somewhere in between.
      await redisStore.record(k, {
        now: T0 + 600,
        outcome: 'success',
        reservedTokens: 0,
        latencyMs: 600,
        probe: false,
      });
      const afterReservationWindow = await redisStore.reserve(k, { requests: 1, tokens: 0 }, T0 + 1_100);
      expect(afterReservationWindow.ok).toBe(redisStore === exact);
      if (redisStore === counting) {
        if (!afterReservationWindow.ok)
          expect(afterReservationWindow.retryAt).toBeGreaterThanOrEqual(T0 + 1_600);
        expect((await redisStore.reserve(k, { requests: 1, tokens: 0 }, T0 + 1_650)).ok).toBe(true);
      }
    }
  });

  it('frees a probe that was never recorded after the probe lease', async () => {
    const redisStore = store({ probeLeaseMs: 5_000 });
    const k = key();
    await redisStore.register([k], WINDOWS);
    await redisStore.reserve(k, { requests: 1, tokens: 0 }, T0);
    await redisStore.record(k, {
      now: T0,
      outcome: 'failure',
      category: 'rate_limit',
      reservedTokens: 0,
      latencyMs: 1,
      probe: false,
      cooldownUntil: T0 + 100,
    });
    const probe = await redisStore.reserve(k, { requests: 1, tokens: 0 }, T0 + 200);
    expect(probe.ok && probe.probe).toBe(true);
    // Its process dies: no record. Others wait for the probe, but not forever.
    const waiting = await redisStore.reserve(k, { requests: 1, tokens: 0 }, T0 + 4_000);
    expect(waiting.ok).toBe(false);
    const again = await redisStore.reserve(k, { requests: 1, tokens: 0 }, T0 + 5_300);
    expect(again.ok && again.probe).toBe(true);
    expect(again.view.inFlight).toBe(1);
  });

  it('restores a snapshot only for keys Redis holds nothing for', async () => {
    const prefix = 'restore';
    const live = store({ prefix });
    const k = key();
    const fresh = key();
    await live.register([k, fresh], WINDOWS);
    await live.setStatus(k, { enabled: false, reason: 'revoked' }, T0);
    const restarted = store({ prefix });
    await restarted.register([k, fresh], WINDOWS);
    const saved = {
      status: 'active' as const,
      cooldownUntil: 0,
      consecutiveFailures: 0,
      requests: 9,
      successes: 9,
      failures: {},
    };
    await restarted.restore(
      new Map([
        [k.fingerprint, saved],
        [fresh.fingerprint, saved],
      ]),
      T0,
    );
    const [kept, restored] = await restarted.read([k, fresh], T0);
    expect(kept?.status).toBe('disabled');
    expect(restored?.requests).toBe(9);
  });

  it('forgets a removed key in Redis', async () => {
    const redisStore = store({ prefix: 'remove' });
    const k = key({ rpm: 5 });
    await redisStore.register([k], WINDOWS);
    await redisStore.reserve(k, { requests: 1, tokens: 0 }, Date.now());
    await redisStore.remove(k);
    expect(await admin.keys(`*${k.fingerprint}*`)).toEqual([]);
  });
});
